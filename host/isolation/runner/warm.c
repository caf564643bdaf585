/*
 * cb-runner: warm parts (docs/WARM.md), defined by the host with op=warm (kind=launcher|compiler, its argv as
 * `arg` fields, its environment as `env` fields) and used by op=run's `warm=launcher|compiler`.
 *
 * The launcher is started as the run's program would be (its own session, rlimits, stdin/stdout/stderr the run's
 * pipes) plus fd 3, the "go" pipe. A run that uses it writes cwd= and arg= fields there: the launcher becomes the
 * run's main process, the clock starts then, and the CPU time it had used before is not the run's. It is used once;
 * any other run first kills a waiting launcher, so nothing of a run ever runs beside one, and every run is
 * followed by a new launcher once all of that run's processes are gone.
 *
 * The compiler stays: each compile's request goes to its fd 0 (4-byte big-endian length, cwd= and arg= fields),
 * its fd 1/2 are the stage's output, and its answer comes on fd 3 (length, then exit=<code> or fallback=1). Its
 * time is the CPU it used meanwhile (its CPU clock, and /proc/<pid>/stat for the children it waited for); its memory
 * is its VmHWM, the peak reset before each request where the kernel allows it (gVisor keeps no peak: there, its
 * VmRSS at the answer).
 *
 * A part that cannot serve (not running, another environment, a long command line) means a cold run; a part that
 * dies is started again after the next run, unless it died STRIKES times in a row without serving once.
 */
#include "cb-runner.h"

#define STRIKES 3
/* CPU a part may spend before it serves: warming up a JVM takes seconds; waiting for work takes none. */
#define WARMUP_CPU_SECONDS 60

struct part {
  char **argv, **envp, **dirs; /* its definition (argv NULL: none): command line, environment, directories made first */
  pid_t pid;           /* 0: not running */
  /* The runner's ends of its fd 0 (launcher: the run's stdin; compiler: requests), 1, 2 and 3 (launcher: go,
   * written; compiler: answers, read). */
  int fds[4];
  int strikes;
  int status; /* how it ended, once reaped */
  struct rusage ru;
};

static struct part parts[2] = {{.fds = {-1, -1, -1, -1}}, {.fds = {-1, -1, -1, -1}}};
static struct part *const launcher = &parts[0], *const compiler = &parts[1];

int warm_live(void) { return launcher->pid > 0 || compiler->pid > 0; }

int warm_exempt(pid_t pid) { return pid > 0 && (pid == launcher->pid || pid == compiler->pid); }

static void close_fds(struct part *p) {
  for (int i = 0; i < 4; i++)
    if (p->fds[i] >= 0) { close(p->fds[i]); p->fds[i] = -1; }
}

/* Records how a part ended; a death the runner did not cause is a strike. */
static void ended(struct part *p, int status, const struct rusage *ru, int strike) {
  p->pid = 0;
  p->status = status;
  p->ru = *ru;
  p->strikes += strike;
  close_fds(p);
}

int warm_reaped(pid_t pid, int status, const struct rusage *ru) {
  for (int i = 0; i < 2; i++)
    if (pid > 0 && parts[i].pid == pid) { ended(&parts[i], status, ru, 1); return 1; }
  return 0;
}

/* Reaps the parts that died while the runner waited for the host. */
void warm_collect(void) {
  for (int i = 0; i < 2; i++) {
    int status;
    struct rusage ru;
    if (parts[i].pid > 0 && wait4(parts[i].pid, &status, WNOHANG, &ru) == parts[i].pid) ended(&parts[i], status, &ru, 1);
  }
}

/* Kills a part with everything in its process group, and waits for it. */
static void stop(struct part *p) {
  if (p->pid <= 0) return;
  kill(-p->pid, SIGKILL);
  kill(p->pid, SIGKILL);
  int status = 0;
  struct rusage ru = {0};
  while (wait4(p->pid, &status, 0, &ru) < 0 && errno == EINTR) {}
  ended(p, status, &ru, 0);
}

void warm_discard_launcher(void) { stop(launcher); }

static void free_list(char **list) {
  for (char **item = list; item && *item; item++) free(*item);
  free(list);
}

static char **copy_list(char **list) {
  size_t n = 0;
  while (list[n]) n++;
  char **copy = calloc(n + 1, sizeof *copy);
  if (!copy) die("calloc");
  for (size_t i = 0; i < n; i++)
    if (!(copy[i] = strdup(list[i]))) die("strdup");
  return copy;
}

static int same_list(char **a, char **b) {
  for (; *a && *b; a++, b++)
    if (strcmp(*a, *b)) return 0;
  return !*a && !*b;
}

/* Starts a defined part. Returns the read end of its exec report (see exec_child), for op=warm to wait on. */
static int start(struct part *p) {
  int io[4][2], report[2];
  for (int i = 0; i < 4; i++)
    if (pipe2(io[i], O_CLOEXEC)) die("pipe");
  if (pipe2(report, O_CLOEXEC)) die("pipe");
  int launching = p == launcher; /* fd 3 is read by a launcher (go), written by a compiler (answers) */
  int child3 = launching ? io[3][0] : io[3][1], mine3 = launching ? io[3][1] : io[3][0];
  struct spawn s = {p->argv, p->envp, p->dirs, workspace_root, {io[0][0], io[1][1], io[2][1], child3}, report[1],
                    WARMUP_CPU_SECONDS, RLIM_INFINITY, launching ? "1000" : "500"};
  /* The program is the one the kernel should pick when memory runs out, before a waiting compiler (500). */
  p->pid = spawn_process(&s);
  close(io[0][0]); close(io[1][1]); close(io[2][1]); close(child3); close(report[1]);
  p->fds[0] = io[0][1]; p->fds[1] = io[1][0]; p->fds[2] = io[2][0]; p->fds[3] = mine3;
  set_nonblock(p->fds[1]);
  set_nonblock(p->fds[2]);
  set_nonblock(launching ? p->fds[0] : p->fds[3]);
  return report[0];
}

/* When the parts that are down start again (0: none due). A run's answer travels through the engine to the host
 * and its client in a few milliseconds; a part starting up then (a Python, a JVM) would take the CPU that answer
 * needs. So they start once the runner has had nothing to do for RESTART_DELAY_US, or at the next request. */
#define RESTART_DELAY_US 20000
static long long restart_at_us;

static int down(const struct part *p) { return p->argv && p->pid == 0 && p->strikes < STRIKES; }

void warm_restart(void) {
  if (down(launcher) || down(compiler)) restart_at_us = now_us() + RESTART_DELAY_US;
}

void warm_start_due(void) {
  restart_at_us = 0;
  for (int i = 0; i < 2; i++)
    if (down(&parts[i])) close(start(&parts[i]));
}

/* The part a request's kind= or warm= names; NULL for none. */
static struct part *part_named(const char *kind) {
  return !kind ? NULL : !strcmp(kind, "launcher") ? launcher : !strcmp(kind, "compiler") ? compiler : NULL;
}

void warm_start_for(const char *kind) {
  struct part *p = part_named(kind);
  if (p && down(p)) close(start(p)); /* the other part, if due, still waits for a quiet moment */
}

int warm_restart_wait_ms(void) {
  if (!restart_at_us) return -1;
  long long left = restart_at_us - now_us();
  return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Reads and drops what a part wrote when nobody asked it anything. */
static void discard_output(int fd) {
  char buf[CHUNK];
  while (fd >= 0 && read(fd, buf, sizeof buf) > 0) {}
}

/* cwd= and arg= fields, as a launcher's go or (after a 4-byte length) a compiler's request; NULL when the pipe
 * could not take it at once: the run is then cold. */
static char *command_message(const char *cwd, char **argv, int with_length, int fd, size_t *len) {
  size_t size = (with_length ? 4 : 0) + strlen("cwd=") + strlen(cwd) + 1;
  for (char **a = argv; *a; a++) size += strlen("arg=") + strlen(*a) + 1;
  int capacity = fcntl(fd, F_GETPIPE_SZ);
  if (size > (size_t)(capacity > 0 ? capacity : 4096)) return NULL;
  char *message = malloc(size), *p = message;
  if (!message) die("malloc");
  if (with_length) {
    uint32_t body = (uint32_t)(size - 4);
    unsigned char be[4] = {(unsigned char)(body >> 24), (unsigned char)(body >> 16), (unsigned char)(body >> 8), (unsigned char)body};
    memcpy(p, be, 4);
    p += 4;
  }
  p += sprintf(p, "cwd=%s", cwd) + 1;
  for (char **a = argv; *a; a++) p += sprintf(p, "arg=%s", *a) + 1;
  *len = size;
  return message;
}

/* Writes all of it into a part's pipe; 0 when the part is gone (EPIPE: the runner ignores SIGPIPE). */
static int send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    data += n;
    len -= (size_t)n;
  }
  return 1;
}

/* A run serves itself from a part only where it would run just the same: same environment, its directories made. */
static int fits(const struct part *p, char **envp, char **dirs, const char *cwd) {
  struct stat st;
  if (p->pid <= 0 || !same_list(envp, p->envp)) return 0;
  if (stat(cwd, &st) != 0 || !S_ISDIR(st.st_mode) || access(cwd, X_OK) != 0) return 0; /* cold reports it */
  for (char **d = dirs; *d; d++)
    if (make_dirs(*d) != 0) return 0;
  return 1;
}

/* RLIMIT_CPU for a part that is about to serve: what it used already, then the time limit and a second of slack. */
static void limit_cpu(pid_t pid, long long used_us, long long timeout_ms, int final) {
  rlim_t seconds = (rlim_t)((used_us + 999999) / 1000000 + timeout_ms / 1000 + 2);
  struct rlimit cpu = {seconds, final ? seconds + 1 : RLIM_INFINITY};
  prlimit(pid, RLIMIT_CPU, &cpu, NULL);
}

int warm_take_launcher(char **argv, char **envp, char **dirs, const char *cwd, long long timeout_ms, struct launched *run) {
  struct part *p = launcher;
  size_t len;
  char *go;
  if (!fits(p, envp, dirs, cwd) || !(go = command_message(cwd, argv, 0, p->fds[3], &len))) return 0;
  discard_output(p->fds[1]);
  discard_output(p->fds[2]);
  long long before;
  int sent = proc_cpu(p->pid, &before) == 0;
  if (sent) {
    limit_cpu(p->pid, before, timeout_ms, 1);
    run->started_us = now_us();
    sent = send_all(p->fds[3], go, len);
  }
  free(go);
  if (!sent) return 0;
  close(p->fds[3]);
  *run = (struct launched){p->pid, p->fds[0], p->fds[1], p->fds[2], -1, run->started_us, before};
  /* From here it is the run's main process, no longer a warm part. */
  p->pid = 0;
  p->strikes = 0;
  for (int i = 0; i < 4; i++) p->fds[i] = -1;
  return 1;
}

/* Forwards what the compiler has written so far, without waiting; returns 1 when the output limit was passed. */
static int forward_ready(struct outcome *o, long long limit) {
  int exceeded = 0;
  for (;;) {
    struct pollfd pfd[2] = {{o->out.fd, POLLIN, 0}, {o->err.fd, POLLIN, 0}};
    if (poll(pfd, 2, 0) <= 0) return exceeded;
    int any = 0;
    if (o->out.fd >= 0 && pfd[0].revents) { any = 1; exceeded |= forward_output(&o->out, limit); }
    if (o->err.fd >= 0 && pfd[1].revents) { any = 1; exceeded |= forward_output(&o->err, limit); }
    if (!any || exceeded) return exceeded;
  }
}

/* The answer's fields: 1 with *exit_code set, 0 for fallback, -1 when it said neither. */
static int parse_answer(unsigned char *answer, uint32_t len, int *exit_code) {
  for (char *p = (char *)answer, *end = p + len; p < end; p += strnlen(p, (size_t)(end - p)) + 1) {
    if (!strncmp(p, "exit=", 5)) { *exit_code = atoi(p + 5); return 1; }
    if (!strcmp(p, "fallback=1")) return 0;
  }
  return -1;
}

/* Returns 1 once the compile is answered; 0 when it is the cold command line's to run, with *timeout_ms what is
 * left of its time limit. */
int warm_relay_compile(char **argv, char **envp, char **dirs, const char *cwd, long long *timeout_ms, long long output_limit) {
  struct part *c = compiler;
  size_t len;
  char *request;
  if (!fits(c, envp, dirs, cwd) || !(request = command_message(cwd, argv, 1, c->fds[0], &len))) return 0;
  discard_output(c->fds[1]);
  discard_output(c->fds[2]);
  long long cpu_before;
  if (proc_cpu(c->pid, &cpu_before) != 0) { free(request); return 0; }
  proc_reset_peak(c->pid);
  limit_cpu(c->pid, cpu_before, *timeout_ms, 0);
  struct outcome o = {.oom_before = oom_kills(), .warm = 1};
  o.out = (struct stream_state){c->fds[1], 0, 'o'};
  o.err = (struct stream_state){c->fds[2], 0, 'e'};
  long long started = now_us(), deadline = started + *timeout_ms * 1000;
  int sent = send_all(c->fds[0], request, len);
  free(request);
  if (!sent) return 0;

  unsigned char answer[4096];
  size_t got = 0;
  uint32_t need = 0;
  int answered = 0, broke_off = 0, closed = 0, died = 0, died_status = 0, exit_code = 0;
  struct rusage died_ru;
  while (!answered && !broke_off) {
    struct frame f;
    while (take_frame(&f))
      if (f.type == 'K') o.killed = broke_off = 1; /* stdin frames: a compile reads none */
    struct pollfd pfd[5] = {{sigchld_fd, POLLIN, 0}, {closed ? -1 : c->fds[3], POLLIN, 0}, {o.out.fd, POLLIN, 0}, {o.err.fd, POLLIN, 0},
                            {input.eof ? -1 : 0, POLLIN, 0}};
    long long left = deadline - now_us();
    if (!broke_off && poll(pfd, 5, left <= 0 ? 0 : (int)((left + 999) / 1000)) < 0 && errno != EINTR) die("poll");
    if (pfd[4].revents && !fill_input()) o.killed = broke_off = 1; /* the host went away */
    if ((pfd[2].revents || pfd[3].revents) && forward_ready(&o, output_limit)) o.output_exceeded = broke_off = 1;
    if (pfd[1].revents) {
      ssize_t n = read(c->fds[3], answer + got, (got < 4 ? 4 : 4 + need) - got);
      if (n > 0) got += (size_t)n;
      else if (n == 0) closed = 1; /* it closed its answers: it is ending, and its end is waited for */
      if (got >= 4 && !need) {
        need = ((uint32_t)answer[0] << 24) | ((uint32_t)answer[1] << 16) | ((uint32_t)answer[2] << 8) | answer[3];
        if (need == 0 || need > sizeof answer - 4) broke_off = 1; /* not an answer */
      }
      answered = !broke_off && need && got == 4 + need;
    }
    if (pfd[0].revents) {
      drain_sigchld();
      if (wait4(c->pid, &died_status, WNOHANG, &died_ru) == c->pid) died = broke_off = 1;
    }
    if (!answered && !broke_off && now_us() >= deadline) o.timed_out = broke_off = 1;
  }
  long long ended_at = now_us();
  c->fds[1] = o.out.fd; /* forward_output closes a stream at its end */
  c->fds[2] = o.err.fd;
  int said = answered ? parse_answer(answer + 4, need, &exit_code) : -1;
  /* It broke off by itself (died: a crash, or killed for memory as it started; or a malformed answer) before
   * writing anything: the compile is not its to answer, and runs cold in the time left. Past a limit, or killed on
   * request, the compile is answered as it ended. */
  int broke_silently = !answered && !o.killed && !o.timed_out && !o.output_exceeded && !o.out.total && !o.err.total;
  if (said == 0 || broke_silently) { /* fallback=1: this command line is the cold one's to run */
    if (died) ended(c, died_status, &died_ru, 1);
    else if (said != 0) stop(c);
    *timeout_ms -= (ended_at - started) / 1000;
    if (*timeout_ms < 1) *timeout_ms = 1;
    return 0;
  }
  /* Everything it wrote for this compile came before its answer (or its end). */
  if (!o.output_exceeded && forward_ready(&o, output_limit)) o.output_exceeded = 1;
  c->fds[1] = o.out.fd;
  c->fds[2] = o.err.fd;
  o.wall_us = ended_at - started;
  long long cpu_after = cpu_before;
  int served = said == 1 && !o.output_exceeded;
  if (served && !died && proc_cpu(c->pid, &cpu_after) == 0) {
    o.maxrss_kb = proc_peak_kb(c->pid);
    c->strikes = 0;
  } else {
    /* Past a limit, killed, or broken off: the compile ends with the compiler (started again after this stage). */
    if (died) ended(c, died_status, &died_ru, 1);
    else stop(c);
    cpu_after = (long long)(c->ru.ru_utime.tv_sec + c->ru.ru_stime.tv_sec) * 1000000 + c->ru.ru_utime.tv_usec + c->ru.ru_stime.tv_usec;
    o.maxrss_kb = c->ru.ru_maxrss;
  }
  o.status = served ? (exit_code & 0xff) << 8 : c->status; /* as wait() would say exit(exit_code) */
  o.cpu_us = cpu_after > cpu_before ? cpu_after - cpu_before : 0;
  /* Nothing of a compile outlives it, whatever the compiler started. */
  struct usage usage = {0, 0};
  if (others_left()) kill_run();
  end_run(&usage);
  o.cpu_us += usage.cpu_us;
  if (usage.maxrss_kb > o.maxrss_kb) o.maxrss_kb = usage.maxrss_kb;
  report_outcome(&o);
  send_result();
  warm_restart();
  return 1;
}

/* Drops a part's definition: it is no longer started. */
static void forget(struct part *p) {
  free_list(p->argv);
  free_list(p->envp);
  free_list(p->dirs);
  p->argv = p->envp = p->dirs = NULL;
  p->strikes = 0;
}

void op_warm(const struct request *rq) {
  const char *kind = field(rq, "kind");
  struct part *p = part_named(kind);
  if (!p) { send_error("BadRequest", 0); return; }
  /* Only where the runner owns the sandbox's processes can it kill a run's and spare its warm parts'. */
  if (getpid() != 1 && !options.exec_mode) { send_error("Unsupported", 0); return; }
  stop(p);
  forget(p);
  char **argv = field_list(rq, "arg"), **envp = field_list(rq, "env"), **dirs = field_list(rq, "mkdir");
  if (argv[0]) {
    p->argv = copy_list(argv);
    p->envp = copy_list(envp);
    p->dirs = copy_list(dirs);
    int report_fd = start(p);
    int report[2] = {0, 0};
    ssize_t n;
    while ((n = read(report_fd, report, sizeof report)) < 0 && errno == EINTR) {}
    close(report_fd);
    if (n == (ssize_t)sizeof report && report[1]) {
      /* It cannot start: the definition is dropped, and runs are cold. */
      static const char *steps[] = {"", "mkdir", "env", "chdir", "exec"};
      stop(p);
      forget(p);
      result_field("error", "SpawnFailed");
      result_field("spawn_step", "%s", steps[report[0] >= 1 && report[0] <= 4 ? report[0] : 4]);
      result_field("spawn_error", "%s", strerror(report[1]));
    } else result_field("pid", "%d", (int)p->pid);
  } else result_field("pid", "0");
  free(dirs);
  free(argv);
  free(envp);
  send_result();
}
