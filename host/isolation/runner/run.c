/* cb-runner: running one program, and measuring and limiting it. */
#include "cb-runner.h"

/* ---------- running a program ---------- */

long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The memory cgroup's count of OOM kills: v1 memory.oom_control, v2 memory.events. -1 when unknown. */
long long oom_kills(void) {
  const char *files[] = {options.oom_file, "/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"};
  for (size_t i = options.oom_file ? 0 : 1; i < sizeof files / sizeof *files; i++) {
    FILE *f = fopen(files[i], "r");
    if (!f) continue;
    char key[64];
    long long value;
    while (fscanf(f, "%63s %lld", key, &value) == 2) {
      if (strcmp(key, "oom_kill") == 0) { fclose(f); return value; }
    }
    fclose(f);
  }
  return -1;
}

static pid_t run_group;

/* Ends every process of the run. As PID 1, kill(-1) reaches all of them except the runner itself; beside a
 * keeper, all of them except the runner and the keeper (PID 1): the namespace is the sandbox's either way.
 * While warm parts live, kill(-1) would take them too: then every other process is killed by its pid. */
static int run_ending;
void kill_run(void) {
  run_ending = 1;
  int owns_namespace = getpid() == 1 || options.exec_mode;
  if (owns_namespace && warm_live()) kill_others();
  else if (owns_namespace) kill(-1, SIGKILL);
  else if (run_group > 0) kill(-run_group, SIGKILL);
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void add_usage(struct usage *u, const struct rusage *ru) {
  u->cpu_us += (long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 + ru->ru_utime.tv_usec +
               ru->ru_stime.tv_usec;
  if (ru->ru_maxrss > u->maxrss_kb) u->maxrss_kb = ru->ru_maxrss;
}

/* Reaps every exited process; returns 1 when `main_pid` was among them. A warm part's time is not the run's. */
static int reap(pid_t main_pid, int *main_status, struct usage *u) {
  int found = 0, status;
  struct rusage ru;
  pid_t w;
  while ((w = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    if (w != main_pid && warm_reaped(w, status, &ru)) continue;
    add_usage(u, &ru);
    if (w == main_pid) { *main_status = status; found = 1; }
  }
  return found;
}

void drain_sigchld(void) {
  struct signalfd_siginfo si;
  while (read(sigchld_fd, &si, sizeof si) > 0) {}
}

/* Everything of the run was killed: waits for the last of them, so their CPU time is counted. Warm parts are
 * the runner's children too, so once they are all that is left, the run is over. */
void end_run(struct usage *u) {
  int status;
  struct rusage ru;
  for (;;) {
    pid_t w = wait4(-1, &status, WNOHANG, &ru);
    if (w > 0) {
      if (!warm_reaped(w, status, &ru)) add_usage(u, &ru);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break; /* ECHILD: none left */
    if (warm_live() && !others_left()) break;
    kill_run(); /* one still there may still be forking: kill again, then wait for its SIGCHLD */
    struct pollfd chld = {sigchld_fd, POLLIN, 0};
    poll(&chld, 1, 100);
    drain_sigchld();
  }
  drain_sigchld();
  run_group = 0;
  run_ending = 0;
}

/* mkdir -p, as the program's user, for directories a command writes into (a compiler's output directory). */
int make_dirs(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return ENAMETOOLONG;
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == 0) {
      char saved = *p;
      *p = 0;
      if (mkdir(buf, 0755) != 0 && errno != EEXIST) return errno;
      if (!saved) return 0;
      *p = saved;
    }
  }
}

static void set_limit(int resource, long long value) {
  if (value <= 0) return;
  struct rlimit limit = {(rlim_t)value, (rlim_t)value};
  setrlimit(resource, &limit);
}

static void exec_child(const struct spawn *s) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL); /* ignored signals would survive exec */
  setsid();
  for (int fd = 0; fd < 4; fd++) {
    if (s->fds[fd] < 0) continue;
    if (s->fds[fd] == fd) fcntl(fd, F_SETFD, 0);
    else dup2(s->fds[fd], fd);
  }
  /* The program, not the runner, is the one the kernel should pick when memory runs out. */
  int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (adj >= 0) { write_all(adj, s->oom_score_adj, strlen(s->oom_score_adj)); close(adj); }
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  struct rlimit cpu = {s->cpu_soft, s->cpu_hard};
  setrlimit(RLIMIT_CPU, &cpu);
  set_limit(RLIMIT_DATA, options.rlimit_data);
  set_limit(RLIMIT_NPROC, options.rlimit_nproc);
  set_limit(RLIMIT_FSIZE, options.rlimit_fsize);
  refuse_clone3();
  /* What failed is reported as {step, errno}: 1 mkdir, 2 environment, 3 working directory, 4 exec. */
  int report[2] = {0, 0};
  for (char **d = s->dirs; d && *d && !report[1]; d++) report[0] = 1, report[1] = make_dirs(*d);
  /* The sandbox's own environment (the image's ENV and the session's) is the base; the request adds to it. */
  for (char **e = s->envp; *e && !report[1]; e++) report[0] = 2, report[1] = putenv(*e) == 0 ? 0 : errno;
  if (!report[1] && chdir(s->cwd) != 0) report[0] = 3, report[1] = errno;
  if (!report[1]) {
    execvp(s->argv[0], s->argv);
    report[0] = 4, report[1] = errno;
  }
  write_all(s->report_fd, report, sizeof report);
  _exit(127);
}

pid_t spawn_process(const struct spawn *s) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) exec_child(s);
  return pid;
}

/* Forwards what the program wrote, up to the limit; returns 1 when the limit was passed. */
int forward_output(struct stream_state *s, long long limit) {
  char buf[CHUNK];
  ssize_t n = read(s->fd, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) { close(s->fd); s->fd = -1; return 0; }
  if (n < 0) return 0;
  long long room = limit - s->total;
  s->total += n;
  if (room > 0) send_frame(s->frame_type, buf, (size_t)(n < room ? n : room));
  return s->total > limit;
}

/* The files a run request carries ('write' fields, each followed by a 'D' frame), written before the program
 * starts, as a write request would: the code of execute_code travels with its run. Returns 0, or -1 once the
 * failure is answered (the program then does not start). */
static int write_carried_files(const struct request *rq) {
  char **writes = field_list(rq, "write");
  int rc = 0;
  for (char **w = writes; *w && rc == 0; w++) {
    struct frame content;
    int err = 0;
    const char *error = !next_frame(&content) || content.type != 'D'
                            ? "BadRequest"
                            : write_file_at(*w, content.payload, content.len, 0, &err);
    if (error) {
      result_field("path", "%s", *w);
      send_error(error, err);
      rc = -1;
    }
  }
  free(writes);
  return rc;
}

/* How full a file system is, in bytes: <name>_used and <name>_size. */
static void report_fill(const char *name, const char *path) {
  struct statvfs fs;
  if (statvfs(path, &fs) != 0 || fs.f_blocks == 0) return;
  char key[32];
  snprintf(key, sizeof key, "%s_used", name);
  result_field(key, "%llu", (unsigned long long)(fs.f_blocks - fs.f_bfree) * fs.f_frsize);
  snprintf(key, sizeof key, "%s_size", name);
  result_field(key, "%llu", (unsigned long long)fs.f_blocks * fs.f_frsize);
}

/* A cold start: the command line as a new process, with pipes of its own. */
static void start_cold(char **argv, char **envp, char **dirs, const char *cwd, long long timeout_ms, struct launched *run) {
  int in_p[2], out_p[2], err_p[2], report_p[2];
  if (pipe2(in_p, O_CLOEXEC) || pipe2(out_p, O_CLOEXEC) || pipe2(err_p, O_CLOEXEC) || pipe2(report_p, O_CLOEXEC))
    die("pipe");
  /* CPU time can never pass the wall-clock limit by much: a second of slack, then SIGXCPU, then SIGKILL. */
  rlim_t cpu_seconds = (rlim_t)(timeout_ms / 1000 + 2);
  struct spawn s = {argv, envp, dirs, cwd, {in_p[0], out_p[1], err_p[1], -1}, report_p[1], cpu_seconds, cpu_seconds + 1, "1000"};
  run->started_us = now_us();
  run->pid = spawn_process(&s);
  close(in_p[0]); close(out_p[1]); close(err_p[1]); close(report_p[1]);
  set_nonblock(in_p[1]); set_nonblock(out_p[0]); set_nonblock(err_p[0]);
  run->in_fd = in_p[1]; run->out_fd = out_p[0]; run->err_fd = err_p[0]; run->report_fd = report_p[0];
  run->cpu_before_us = 0;
}

/* Feeds the program its stdin, forwards its output and holds its limits until it and every process it started
 * are gone, then answers. */
static void supervise(struct launched *run, long long timeout_ms, long long output_limit, long long oom_before, int warm) {
  struct outcome o = {.oom_before = oom_before, .warm = warm};
  o.out = (struct stream_state){run->out_fd, 0, 'o'};
  o.err = (struct stream_state){run->err_fd, 0, 'e'};
  struct usage usage = {0, 0};
  pid_t pid = run->pid;
  run_group = pid;
  int stdin_fd = run->in_fd, stdin_eof_asked = 0, main_done = 0;
  unsigned char *pending = NULL;
  size_t pending_len = 0;
  long long started = run->started_us, ended = 0, deadline = started + timeout_ms * 1000;

  while (!main_done || o.out.fd >= 0 || o.err.fd >= 0) {
    { /* host frames: some may be buffered already, having come with the request */
      struct frame f;
      while (take_frame(&f)) {
        if (f.type == 'K' && !main_done) { o.killed = 1; kill_run(); }
        else if (f.type == 'I' && f.len == 0) stdin_eof_asked = 1;
        else if (f.type == 'I' && stdin_fd >= 0) {
          pending = realloc(pending, pending_len + f.len);
          if (!pending) die("realloc");
          memcpy(pending + pending_len, f.payload, f.len);
          pending_len += f.len;
        }
      }
    }
    if (stdin_fd >= 0 && stdin_eof_asked && pending_len == 0) { close(stdin_fd); stdin_fd = -1; }
    struct pollfd pfd[5];
    int n = 0, i_host = -1, i_out = -1, i_err = -1, i_stdin = -1, i_chld;
    if (!input.eof) { i_host = n; pfd[n++] = (struct pollfd){0, POLLIN, 0}; }
    if (o.out.fd >= 0) { i_out = n; pfd[n++] = (struct pollfd){o.out.fd, POLLIN, 0}; }
    if (o.err.fd >= 0) { i_err = n; pfd[n++] = (struct pollfd){o.err.fd, POLLIN, 0}; }
    if (stdin_fd >= 0 && pending_len) { i_stdin = n; pfd[n++] = (struct pollfd){stdin_fd, POLLOUT, 0}; }
    i_chld = n; pfd[n++] = (struct pollfd){sigchld_fd, POLLIN, 0};

    /* Once the run is being ended, kill again until its output pipes close: a process that was being forked as
     * kill(-1) went round (gVisor lets a fork bomb's children slip through so) would hold them open for ever. */
    if (run_ending) kill_run();
    int wait_ms = -1;
    if (o.timed_out || run_ending) wait_ms = 100; /* killed: the SIGCHLD is on its way */
    else if (!main_done) {
      long long left = deadline - now_us();
      wait_ms = left <= 0 ? 0 : (int)((left + 999) / 1000);
    }
    if (poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR) die("poll");

    if (i_host >= 0 && pfd[i_host].revents && !fill_input() && !main_done) {
      o.killed = 1; /* the host went away */
      kill_run();
    }
    if (i_stdin >= 0 && pfd[i_stdin].revents) {
      ssize_t w = write(stdin_fd, pending, pending_len);
      if (w > 0) { memmove(pending, pending + w, pending_len - (size_t)w); pending_len -= (size_t)w; }
      else if (w < 0 && errno != EAGAIN && errno != EINTR) { pending_len = 0; close(stdin_fd); stdin_fd = -1; }
    }
    if (i_out >= 0 && pfd[i_out].revents && forward_output(&o.out, output_limit) && !o.output_exceeded) {
      o.output_exceeded = 1; kill_run();
    }
    if (i_err >= 0 && pfd[i_err].revents && forward_output(&o.err, output_limit) && !o.output_exceeded) {
      o.output_exceeded = 1; kill_run();
    }
    if (pfd[i_chld].revents) drain_sigchld();
    if (!main_done && reap(pid, &o.status, &usage)) {
      main_done = 1;
      ended = now_us();
      kill_run(); /* nothing of a run outlives it: background children end with it */
    }
    if (!main_done && now_us() >= deadline) { o.timed_out = 1; kill_run(); }
  }
  if (stdin_fd >= 0) close(stdin_fd);
  free(pending);
  end_run(&usage);

  int report[2] = {0, 0};
  if (run->report_fd >= 0) { /* a launcher was started long before: its exec went well, or it was never used */
    if (read(run->report_fd, report, sizeof report) != (ssize_t)sizeof report) report[1] = 0;
    close(run->report_fd);
  }
  if (report[1]) {
    static const char *steps[] = {"", "mkdir", "env", "chdir", "exec"};
    result_field("spawn_step", "%s", steps[report[0] >= 1 && report[0] <= 4 ? report[0] : 4]);
    result_field("spawn_error", "%s", strerror(report[1]));
    result_field("spawn_errno", "%d", report[1]);
  }
  o.wall_us = ended - started;
  /* A launcher's CPU time before it was told to go is its warming up, not the program's. */
  o.cpu_us = usage.cpu_us > run->cpu_before_us ? usage.cpu_us - run->cpu_before_us : 0;
  o.maxrss_kb = usage.maxrss_kb;
  report_outcome(&o);
  send_result();
  warm_restart(); /* every process of the run is gone: the next run's warm parts may start (soon after the answer) */
}

void report_outcome(const struct outcome *o) {
  if (WIFEXITED(o->status)) result_field("exit_code", "%d", WEXITSTATUS(o->status));
  if (WIFSIGNALED(o->status)) result_field("signal", "%d", WTERMSIG(o->status));
  result_field("wall_us", "%lld", o->wall_us);
  result_field("cpu_us", "%lld", o->cpu_us);
  result_field("maxrss_kb", "%lld", o->maxrss_kb);
  result_field("stdout_bytes", "%lld", o->out.total);
  result_field("stderr_bytes", "%lld", o->err.total);
  result_field("timed_out", "%d", o->timed_out);
  result_field("output_exceeded", "%d", o->output_exceeded);
  result_field("killed", "%d", o->killed);
  long long oom_after = oom_kills();
  int oom = o->oom_before >= 0 && oom_after > o->oom_before;
  result_field("oom", "%d", oom);
  /* /tmp and /workspace are tmpfs, in the sandbox's memory: when they are full, they may be what took it. */
  if (oom) { report_fill("tmp", "/tmp"); report_fill("workspace", workspace_root); }
  result_field("warm", "%d", o->warm);
}

void op_run(const struct request *rq) {
  char **argv = field_list(rq, "arg"), **envp = field_list(rq, "env"), **dirs = field_list(rq, "mkdir");
  const char *cwd = field(rq, "cwd"), *warm = field(rq, "warm");
  long long timeout_ms = field_num(rq, "timeout_ms", 10000);
  long long output_limit = field_num(rq, "output_limit", 1 << 20);
  if (!argv[0]) send_error("BadRequest", 0);
  else if (write_carried_files(rq) == 0) {
    if (!cwd) cwd = workspace_root;
    warm_collect();
    if (warm) warm_start_for(warm); /* a part not yet started again serves this run from its start */
    long long oom_before = oom_kills();
    struct launched run;
    if (warm && !strcmp(warm, "compiler") && warm_relay_compile(argv, envp, dirs, cwd, &timeout_ms, output_limit)) {
      /* answered by the resident compiler */
    } else if (warm && !strcmp(warm, "launcher") && warm_take_launcher(argv, envp, dirs, cwd, timeout_ms, &run)) {
      supervise(&run, timeout_ms, output_limit, oom_before, 1);
    } else {
      /* Nothing of a run runs beside a waiting launcher: it is started again once this run is over. */
      warm_discard_launcher();
      start_cold(argv, envp, dirs, cwd, timeout_ms, &run);
      supervise(&run, timeout_ms, output_limit, oom_before, 0);
    }
  }
  free(argv);
  free(envp);
  free(dirs);
}
