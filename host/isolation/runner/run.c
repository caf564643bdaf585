/* cb-runner: running one program, and measuring and limiting it. */
#include "cb-runner.h"

/* ---------- running a program ---------- */

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The memory cgroup's count of OOM kills: v1 memory.oom_control, v2 memory.events. -1 when unknown. */
static long long oom_kills(void) {
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
 * keeper, all of them except the runner and the keeper (PID 1): the namespace is the sandbox's either way. */
static int run_ending;
static void kill_run(void) {
  run_ending = 1;
  if (getpid() == 1 || options.exec_mode) kill(-1, SIGKILL);
  else if (run_group > 0) kill(-run_group, SIGKILL);
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

struct usage { long long cpu_us, maxrss_kb; };

static void add_usage(struct usage *u, const struct rusage *ru) {
  u->cpu_us += (long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 + ru->ru_utime.tv_usec +
               ru->ru_stime.tv_usec;
  if (ru->ru_maxrss > u->maxrss_kb) u->maxrss_kb = ru->ru_maxrss;
}

/* Reaps every exited process; returns 1 when `main_pid` was among them. */
static int reap(pid_t main_pid, int *main_status, struct usage *u) {
  int found = 0, status;
  struct rusage ru;
  pid_t w;
  while ((w = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    add_usage(u, &ru);
    if (w == main_pid) { *main_status = status; found = 1; }
  }
  return found;
}

static void drain_sigchld(void) {
  struct signalfd_siginfo si;
  while (read(sigchld_fd, &si, sizeof si) > 0) {}
}

/* mkdir -p, as the program's user, for directories a command writes into (a compiler's output directory). */
static int make_dirs(const char *path) {
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

static void exec_child(char **argv, char **envp, char **dirs, const char *cwd, long long timeout_ms, int in_fd, int out_fd,
                       int err_fd, int report_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL); /* ignored signals would survive exec */
  setsid();
  dup2(in_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  /* The program, not the runner, is the one the kernel should pick when memory runs out. */
  int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (adj >= 0) { write_all(adj, "1000", 4); close(adj); }
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  /* CPU time can never pass the wall-clock limit by much: a second of slack, then SIGXCPU, then SIGKILL. */
  rlim_t cpu_seconds = (rlim_t)(timeout_ms / 1000 + 2);
  struct rlimit cpu = {cpu_seconds, cpu_seconds + 1};
  setrlimit(RLIMIT_CPU, &cpu);
  set_limit(RLIMIT_DATA, options.rlimit_data);
  set_limit(RLIMIT_NPROC, options.rlimit_nproc);
  set_limit(RLIMIT_FSIZE, options.rlimit_fsize);
  refuse_clone3();
  /* What failed is reported as {step, errno}: 1 mkdir, 2 environment, 3 working directory, 4 exec. */
  int report[2] = {0, 0};
  for (char **d = dirs; *d && !report[1]; d++) report[0] = 1, report[1] = make_dirs(*d);
  /* The sandbox's own environment (the image's ENV and the session's) is the base; the request adds to it. */
  for (char **e = envp; *e && !report[1]; e++) report[0] = 2, report[1] = putenv(*e) == 0 ? 0 : errno;
  if (!report[1] && chdir(cwd) != 0) report[0] = 3, report[1] = errno;
  if (!report[1]) {
    execvp(argv[0], argv);
    report[0] = 4, report[1] = errno;
  }
  write_all(report_fd, report, sizeof report);
  _exit(127);
}

struct stream_state { int fd; long long total; char frame_type; };

/* Forwards what the program wrote, up to the limit; returns 1 when the limit was passed. */
static int forward_output(struct stream_state *s, long long limit) {
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

void op_run(const struct request *rq) {
  char **argv = field_list(rq, "arg"), **envp = field_list(rq, "env"), **dirs = field_list(rq, "mkdir");
  const char *cwd = field(rq, "cwd");
  long long timeout_ms = field_num(rq, "timeout_ms", 10000);
  long long output_limit = field_num(rq, "output_limit", 1 << 20);
  if (!argv[0]) { free(argv); free(envp); free(dirs); send_error("BadRequest", 0); return; }
  if (write_carried_files(rq) != 0) { free(argv); free(envp); free(dirs); return; }

  int in_p[2], out_p[2], err_p[2], report_p[2];
  if (pipe2(in_p, O_CLOEXEC) || pipe2(out_p, O_CLOEXEC) || pipe2(err_p, O_CLOEXEC) || pipe2(report_p, O_CLOEXEC))
    die("pipe");

  long long oom_before = oom_kills();
  struct usage usage = {0, 0};
  long long started = now_us(), ended = 0;
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) exec_child(argv, envp, dirs, cwd ? cwd : workspace_root, timeout_ms, in_p[0], out_p[1], err_p[1], report_p[1]);
  run_group = pid;
  close(in_p[0]); close(out_p[1]); close(err_p[1]); close(report_p[1]);
  set_nonblock(in_p[1]); set_nonblock(out_p[0]); set_nonblock(err_p[0]);

  struct stream_state out = {out_p[0], 0, 'o'}, err = {err_p[0], 0, 'e'};
  int stdin_fd = in_p[1], stdin_eof_asked = 0, main_status = 0, main_done = 0;
  int timed_out = 0, output_exceeded = 0, killed = 0;
  unsigned char *pending = NULL;
  size_t pending_len = 0;
  long long deadline = started + timeout_ms * 1000;

  while (!main_done || out.fd >= 0 || err.fd >= 0) {
    { /* host frames: some may be buffered already, having come with the request */
      struct frame f;
      while (take_frame(&f)) {
        if (f.type == 'K' && !main_done) { killed = 1; kill_run(); }
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
    if (out.fd >= 0) { i_out = n; pfd[n++] = (struct pollfd){out.fd, POLLIN, 0}; }
    if (err.fd >= 0) { i_err = n; pfd[n++] = (struct pollfd){err.fd, POLLIN, 0}; }
    if (stdin_fd >= 0 && pending_len) { i_stdin = n; pfd[n++] = (struct pollfd){stdin_fd, POLLOUT, 0}; }
    i_chld = n; pfd[n++] = (struct pollfd){sigchld_fd, POLLIN, 0};

    /* Once the run is being ended, kill again until its output pipes close: a process that was being forked as
     * kill(-1) went round (gVisor lets a fork bomb's children slip through so) would hold them open for ever. */
    if (run_ending) kill_run();
    int wait_ms = -1;
    if (timed_out || run_ending) wait_ms = 100; /* killed: the SIGCHLD is on its way */
    else if (!main_done) {
      long long left = deadline - now_us();
      wait_ms = left <= 0 ? 0 : (int)((left + 999) / 1000);
    }
    if (poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR) die("poll");

    if (i_host >= 0 && pfd[i_host].revents && !fill_input() && !main_done) {
      killed = 1; /* the host went away */
      kill_run();
    }
    if (i_stdin >= 0 && pfd[i_stdin].revents) {
      ssize_t w = write(stdin_fd, pending, pending_len);
      if (w > 0) { memmove(pending, pending + w, pending_len - (size_t)w); pending_len -= (size_t)w; }
      else if (w < 0 && errno != EAGAIN && errno != EINTR) { pending_len = 0; close(stdin_fd); stdin_fd = -1; }
    }
    if (i_out >= 0 && pfd[i_out].revents && forward_output(&out, output_limit) && !output_exceeded) {
      output_exceeded = 1; kill_run();
    }
    if (i_err >= 0 && pfd[i_err].revents && forward_output(&err, output_limit) && !output_exceeded) {
      output_exceeded = 1; kill_run();
    }
    if (pfd[i_chld].revents) drain_sigchld();
    if (!main_done && reap(pid, &main_status, &usage)) {
      main_done = 1;
      ended = now_us();
      kill_run(); /* nothing of a run outlives it: background children end with it */
    }
    if (!main_done && now_us() >= deadline) { timed_out = 1; kill_run(); }
  }
  if (stdin_fd >= 0) close(stdin_fd);
  free(pending);
  /* Everything was killed; wait for the last of them so their CPU time is counted. */
  int status;
  struct rusage ru;
  for (;;) {
    pid_t w = wait4(-1, &status, WNOHANG, &ru);
    if (w > 0) { add_usage(&usage, &ru); continue; }
    if (w < 0 && errno != EINTR) break; /* ECHILD: none left */
    kill_run(); /* one still there may still be forking: kill again, then wait for its SIGCHLD */
    struct pollfd chld = {sigchld_fd, POLLIN, 0};
    poll(&chld, 1, 100);
    drain_sigchld();
  }
  drain_sigchld();
  run_group = 0;
  run_ending = 0;

  int report[2] = {0, 0};
  if (read(report_p[0], report, sizeof report) != (ssize_t)sizeof report) report[1] = 0;
  close(report_p[0]);
  long long oom_after = oom_kills();

  if (report[1]) {
    static const char *steps[] = {"", "mkdir", "env", "chdir", "exec"};
    result_field("spawn_step", "%s", steps[report[0] >= 1 && report[0] <= 4 ? report[0] : 4]);
    result_field("spawn_error", "%s", strerror(report[1]));
    result_field("spawn_errno", "%d", report[1]);
  }
  if (WIFEXITED(main_status)) result_field("exit_code", "%d", WEXITSTATUS(main_status));
  if (WIFSIGNALED(main_status)) result_field("signal", "%d", WTERMSIG(main_status));
  result_field("wall_us", "%lld", ended - started);
  result_field("cpu_us", "%lld", usage.cpu_us);
  result_field("maxrss_kb", "%lld", usage.maxrss_kb);
  result_field("stdout_bytes", "%lld", out.total);
  result_field("stderr_bytes", "%lld", err.total);
  result_field("timed_out", "%d", timed_out);
  result_field("output_exceeded", "%d", output_exceeded);
  result_field("killed", "%d", killed);
  int oom = oom_before >= 0 && oom_after > oom_before;
  result_field("oom", "%d", oom);
  /* /tmp and /workspace are tmpfs, in the sandbox's memory: when they are full, they may be what took it. */
  if (oom) { report_fill("tmp", "/tmp"); report_fill("workspace", workspace_root); }
  send_result();
  free(argv);
  free(envp);
  free(dirs);
}

