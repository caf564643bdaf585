/*
 * cb-runner: the process that lives inside every sandbox, as its PID 1.
 *
 * The host talks to it over the sandbox's stdin/stdout with length-prefixed frames
 * (1 byte type, 4 bytes big-endian length, payload), one request at a time:
 *   host -> runner  'Q' request: NUL-terminated "key=value" fields (op=run|write|read|mkdir|copy|delete|list);
 *                   repeated keys (arg, env, mkdir) keep their order
 *                   'D' the file content that follows a write request
 *                   'I' stdin for the running program (an empty 'I' closes it), 'K' kill the running program
 *   runner -> host  'o' / 'e' the program's stdout / stderr, 'd' data of read and list
 *                   'r' the result: NUL-terminated "key=value" fields; it ends every request
 *
 * Being PID 1 is what makes the limits hold: kill(-1, SIGKILL) reaches every process of the run
 * (double forks and setsid included) but never the runner, orphans are reparented to the runner so their
 * CPU time is counted, and a program cannot kill the runner because PID 1 ignores unhandled signals.
 * File requests walk paths one component at a time and refuse symbolic links, so nothing outside the
 * workspace root is ever opened.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (64u << 20)
#define MAX_FIELDS 4096
#define CHUNK 65536

extern char **environ;

static const char *workspace_root = "/workspace";

/* ---------- frames ---------- */

struct inbuf { unsigned char *data; size_t len, cap; int eof; };
static struct inbuf input;

struct frame { char type; unsigned char *payload; uint32_t len; };

static void die(const char *what) {
  fprintf(stderr, "cb-runner: %s: %s\n", what, strerror(errno));
  exit(70);
}

static void write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { struct pollfd pfd = {fd, POLLOUT, 0}; poll(&pfd, 1, -1); continue; }
      die("write to host");
    }
    p += n; len -= (size_t)n;
  }
}

static void send_frame(char type, const void *data, size_t len) {
  unsigned char hdr[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                          (unsigned char)(len >> 8), (unsigned char)len};
  write_all(1, hdr, 5);
  if (len) write_all(1, data, len);
}

/* Result fields are collected in one buffer and sent as a single 'r' frame. */
static char result_buf[8192];
static size_t result_len;

static void result_field(const char *key, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(result_buf + result_len, sizeof result_buf - result_len, "%s=", key);
  if (n < 0 || (size_t)n >= sizeof result_buf - result_len) return;
  result_len += (size_t)n;
  va_start(ap, fmt);
  n = vsnprintf(result_buf + result_len, sizeof result_buf - result_len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof result_buf - result_len) { result_len = sizeof result_buf - 1; return; }
  result_len += (size_t)n + 1; /* keep the NUL */
}

static void send_result(void) {
  send_frame('r', result_buf, result_len);
  result_len = 0;
}

static void send_error(const char *code, int err) {
  result_field("error", "%s", code);
  /* errno only says more when the failure was the system's, not a refused path */
  if (err && (!strcmp(code, "IoError") || !strcmp(code, "NoSpace"))) result_field("detail", "%s", strerror(err));
  send_result();
}

/* Reads what is available on stdin; returns 0 at end of input. */
static int fill_input(void) {
  if (input.eof) return 0;
  if (input.cap - input.len < CHUNK) {
    input.cap = input.cap ? input.cap * 2 : 4 * CHUNK;
    input.data = realloc(input.data, input.cap);
    if (!input.data) die("realloc");
  }
  ssize_t n = read(0, input.data + input.len, input.cap - input.len);
  if (n == 0) { input.eof = 1; return 0; }
  if (n < 0) { if (errno == EINTR || errno == EAGAIN) return 1; die("read from host"); }
  input.len += (size_t)n;
  return 1;
}

/* Takes one complete frame off the buffer; the payload stays valid until the next call. */
static unsigned char *frame_hold;
static int take_frame(struct frame *f) {
  free(frame_hold);
  frame_hold = NULL;
  if (input.len < 5) return 0;
  uint32_t len = ((uint32_t)input.data[1] << 24) | ((uint32_t)input.data[2] << 16) |
                 ((uint32_t)input.data[3] << 8) | input.data[4];
  if (len > MAX_FRAME) { fprintf(stderr, "cb-runner: frame of %u bytes refused\n", len); exit(65); }
  if (input.len < 5 + (size_t)len) return 0;
  frame_hold = malloc(len + 1);
  if (!frame_hold) die("malloc");
  memcpy(frame_hold, input.data + 5, len);
  frame_hold[len] = 0;
  f->type = (char)input.data[0];
  f->payload = frame_hold;
  f->len = len;
  memmove(input.data, input.data + 5 + len, input.len - 5 - len);
  input.len -= 5 + len;
  return 1;
}

static void wait_input(void) {
  struct pollfd pfd = {0, POLLIN, 0};
  while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {}
}

/* Blocks until a whole frame is there; returns 0 when the host closed the stream. */
static int next_frame(struct frame *f) {
  while (!take_frame(f)) {
    if (input.eof) return 0;
    wait_input();
    fill_input();
  }
  return 1;
}

/* ---------- request fields ---------- */

struct request { char *keys[MAX_FIELDS]; char *values[MAX_FIELDS]; int count; };

static void parse_request(struct request *rq, unsigned char *payload, uint32_t len) {
  rq->count = 0;
  char *p = (char *)payload, *end = (char *)payload + len;
  while (p < end && rq->count < MAX_FIELDS) {
    size_t n = strnlen(p, (size_t)(end - p));
    char *eq = memchr(p, '=', n);
    if (eq) { *eq = 0; rq->keys[rq->count] = p; rq->values[rq->count] = eq + 1; rq->count++; }
    p += n + 1;
  }
}

static const char *field(const struct request *rq, const char *key) {
  for (int i = 0; i < rq->count; i++)
    if (strcmp(rq->keys[i], key) == 0) return rq->values[i];
  return NULL;
}

static long long field_num(const struct request *rq, const char *key, long long fallback) {
  const char *v = field(rq, key);
  return v ? strtoll(v, NULL, 10) : fallback;
}

/* All values of a repeated key, NULL-terminated. */
static char **field_list(const struct request *rq, const char *key) {
  char **list = calloc((size_t)rq->count + 1, sizeof *list);
  if (!list) die("calloc");
  int n = 0;
  for (int i = 0; i < rq->count; i++)
    if (strcmp(rq->keys[i], key) == 0) list[n++] = rq->values[i];
  return list;
}

/* ---------- running a program ---------- */

static int sigchld_fd;

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The memory cgroup's count of OOM kills: v1 memory.oom_control, v2 memory.events. -1 when unknown. */
static long long oom_kills(void) {
  static const char *files[] = {"/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
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

/* Ends every process of the run. As PID 1, kill(-1) reaches all of them except the runner itself. */
static void kill_run(void) {
  if (getpid() == 1) kill(-1, SIGKILL);
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

static void exec_child(char **argv, char **envp, char **dirs, const char *cwd, int in_fd, int out_fd, int err_fd,
                       int report_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  setsid();
  dup2(in_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  /* The program, not the runner, is the one the kernel should pick when memory runs out. */
  int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (adj >= 0) { write_all(adj, "1000", 4); close(adj); }
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
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

static void op_run(const struct request *rq) {
  char **argv = field_list(rq, "arg"), **envp = field_list(rq, "env"), **dirs = field_list(rq, "mkdir");
  const char *cwd = field(rq, "cwd");
  long long timeout_ms = field_num(rq, "timeout_ms", 10000);
  long long output_limit = field_num(rq, "output_limit", 1 << 20);
  if (!argv[0]) { free(argv); free(envp); free(dirs); send_error("BadRequest", 0); return; }

  int in_p[2], out_p[2], err_p[2], report_p[2];
  if (pipe2(in_p, O_CLOEXEC) || pipe2(out_p, O_CLOEXEC) || pipe2(err_p, O_CLOEXEC) || pipe2(report_p, O_CLOEXEC))
    die("pipe");

  long long oom_before = oom_kills();
  struct usage usage = {0, 0};
  long long started = now_us(), ended = 0;
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) exec_child(argv, envp, dirs, cwd ? cwd : workspace_root, in_p[0], out_p[1], err_p[1], report_p[1]);
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

    int wait_ms = -1;
    if (timed_out) wait_ms = 100; /* killed: the SIGCHLD is on its way */
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
  while (wait4(-1, &status, 0, &ru) > 0) add_usage(&usage, &ru);
  drain_sigchld();
  run_group = 0;

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
  result_field("oom", "%d", oom_before >= 0 && oom_after > oom_before);
  send_result();
  free(argv);
  free(envp);
  free(dirs);
}

/* ---------- files, confined to the workspace ---------- */

/* Splits `path` (absolute, under the workspace root) and opens the directory that holds its last component,
 * refusing `..`, symbolic links and non-directories on the way. With `make_parents`, missing directories are
 * created. Returns the directory fd and points *leaf at the last component ("" for the root itself). */
static int open_parent(char *path, int make_parents, char **leaf, const char **error) {
  size_t root_len = strlen(workspace_root);
  if (strncmp(path, workspace_root, root_len) != 0 || (path[root_len] != '/' && path[root_len] != 0)) {
    *error = "OutsideWorkspace";
    return -1;
  }
  int dir = open(workspace_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) { *error = "IoError"; return -1; }
  char *rest = path + root_len, *save = NULL;
  char *part = strtok_r(rest, "/", &save);
  *leaf = "";
  while (part) {
    char *next = strtok_r(NULL, "/", &save);
    if (strcmp(part, "..") == 0) { close(dir); *error = "OutsideWorkspace"; return -1; }
    if (strcmp(part, ".") == 0) { part = next; continue; }
    if (!next) { *leaf = part; break; }
    struct stat st;
    if (fstatat(dir, part, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT || !make_parents || mkdirat(dir, part, 0755) != 0) {
        *error = errno == ENOENT ? "NotFound" : "IoError";
        close(dir);
        return -1;
      }
    } else if (S_ISLNK(st.st_mode)) { close(dir); *error = "Symlink"; return -1; }
    else if (!S_ISDIR(st.st_mode)) { close(dir); *error = "NotADirectory"; return -1; }
    int sub = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (sub < 0) { *error = errno == ELOOP ? "Symlink" : "IoError"; return -1; }
    dir = sub;
    part = next;
  }
  return dir;
}

/* Opens a regular file under the workspace; a symbolic link or a directory is refused. */
static int open_file(char *path, int flags, int make_parents, const char **error) {
  char *leaf;
  int dir = open_parent(path, make_parents, &leaf, error);
  if (dir < 0) return -1;
  if (!*leaf) { close(dir); *error = "IsADirectory"; return -1; }
  struct stat st;
  if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) { close(dir); *error = "Symlink"; return -1; }
    if (S_ISDIR(st.st_mode)) { close(dir); *error = "IsADirectory"; return -1; }
  } else if (!(flags & O_CREAT)) { close(dir); *error = "NotFound"; return -1; }
  int fd = openat(dir, leaf, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
  int saved = errno;
  close(dir);
  if (fd < 0) *error = saved == ELOOP ? "Symlink" : saved == ENOSPC ? "NoSpace" : "IoError";
  errno = saved;
  return fd;
}

static int write_fully(int fd, const unsigned char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    data += n; len -= (size_t)n;
  }
  return 0;
}

static void op_write(const struct request *rq) {
  struct frame content;
  if (!next_frame(&content) || content.type != 'D') { send_error("BadRequest", 0); return; }
  const char *mode = field(rq, "mode");
  int append = mode && strcmp(mode, "append") == 0;
  const char *error = NULL;
  char *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int fd = open_file(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 1, &error);
  free(path);
  if (fd < 0) { send_error(error, errno); return; }
  if (write_fully(fd, content.payload, content.len) != 0) {
    int e = errno; close(fd); send_error(e == ENOSPC || e == EDQUOT ? "NoSpace" : "IoError", e); return;
  }
  close(fd);
  result_field("bytes", "%u", content.len);
  send_result();
}

static void op_read(const struct request *rq) {
  const char *error = NULL;
  char *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int fd = open_file(path, O_RDONLY, 0, &error);
  free(path);
  if (fd < 0) { send_error(error, errno); return; }
  struct stat st;
  long long max = field_num(rq, "max_bytes", 16 << 20);
  if (fstat(fd, &st) == 0 && st.st_size > max) {
    close(fd);
    result_field("error", "TooLarge");
    result_field("size", "%lld", (long long)st.st_size);
    send_result();
    return;
  }
  char buf[CHUNK];
  long long total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && total < max) {
    send_frame('d', buf, (size_t)n);
    total += n;
  }
  close(fd);
  result_field("bytes", "%lld", total);
  send_result();
}

static void op_mkdir(const struct request *rq) {
  const char *error = NULL;
  char *leaf, *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int dir = open_parent(path, 1, &leaf, &error);
  if (dir < 0) { free(path); send_error(error, errno); return; }
  int created = 0;
  if (*leaf) {
    struct stat st;
    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        close(dir); free(path); send_error(S_ISLNK(st.st_mode) ? "Symlink" : "AlreadyExists", 0); return;
      }
    } else if (mkdirat(dir, leaf, 0755) == 0) created = 1;
    else { int e = errno; close(dir); free(path); send_error(e == ENOSPC ? "NoSpace" : "IoError", e); return; }
  }
  close(dir);
  free(path);
  result_field("created", "%d", created);
  send_result();
}

static void op_copy(const struct request *rq) {
  const char *error = NULL;
  char *src = strdup(field(rq, "path") ? field(rq, "path") : "");
  char *dst = strdup(field(rq, "dest") ? field(rq, "dest") : "");
  int in = open_file(src, O_RDONLY, 0, &error);
  int out = in < 0 ? -1 : open_file(dst, O_WRONLY | O_CREAT | O_TRUNC, 1, &error);
  int e = errno;
  free(src);
  free(dst);
  if (in < 0 || out < 0) { if (in >= 0) close(in); send_error(error, e); return; }
  unsigned char buf[CHUNK];
  long long total = 0;
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write_fully(out, buf, (size_t)n) != 0) {
      e = errno; close(in); close(out); send_error(e == ENOSPC ? "NoSpace" : "IoError", e); return;
    }
    total += n;
  }
  close(in);
  close(out);
  result_field("bytes", "%lld", total);
  send_result();
}

/* Removes a directory's contents without following links (each link is removed, not its target). */
static int remove_tree(int parent, const char *name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  DIR *d = fdopendir(fd);
  if (!d) { close(fd); return -1; }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { rc = -1; continue; }
    if (S_ISDIR(st.st_mode)) rc |= remove_tree(fd, e->d_name);
    else if (unlinkat(fd, e->d_name, 0) != 0) rc = -1;
  }
  closedir(d);
  return rc | unlinkat(parent, name, AT_REMOVEDIR);
}

static void op_delete(const struct request *rq) {
  const char *error = NULL;
  char *leaf, *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int dir = open_parent(path, 0, &leaf, &error);
  if (dir < 0) { free(path); send_error(error, errno); return; }
  if (!*leaf) { close(dir); free(path); send_error("WorkspaceRoot", 0); return; }
  struct stat st;
  int rc;
  if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) rc = -1;
  else rc = S_ISDIR(st.st_mode) ? remove_tree(dir, leaf) : unlinkat(dir, leaf, 0);
  int e = errno;
  close(dir);
  free(path);
  if (rc != 0) { send_error(e == ENOENT ? "NotFound" : "IoError", e); return; }
  result_field("type", "%s", S_ISDIR(st.st_mode) ? "directory" : "file");
  send_result();
}

static const char *type_name(mode_t mode) {
  return S_ISREG(mode) ? "file" : S_ISDIR(mode) ? "directory" : S_ISLNK(mode) ? "symlink" : "other";
}

static void op_list(const struct request *rq) {
  const char *error = NULL;
  char *leaf, *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int parent = open_parent(path, 0, &leaf, &error);
  if (parent < 0) { free(path); send_error(error, errno); return; }
  struct stat st;
  if (*leaf && fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int e = errno; close(parent); free(path); send_error(e == ENOENT ? "NotFound" : "IoError", e); return;
  }
  if (*leaf && S_ISLNK(st.st_mode)) { close(parent); free(path); send_error("Symlink", 0); return; }
  if (*leaf && !S_ISDIR(st.st_mode)) { close(parent); free(path); send_error("NotADirectory", 0); return; }
  int fd = openat(parent, *leaf ? leaf : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(parent);
  free(path);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (!d) { send_error("IoError", errno); return; }
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    char entry[512];
    int n = snprintf(entry, sizeof entry, "%s%c%s%c%lld%c%lld", e->d_name, 0, type_name(st.st_mode), 0,
                     (long long)st.st_size, 0, (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000);
    if (n > 0 && (size_t)n < sizeof entry) { send_frame('d', entry, (size_t)n); count++; }
  }
  closedir(d);
  result_field("count", "%d", count);
  send_result();
}

/* ---------- main loop ---------- */

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--root") == 0) workspace_root = argv[2];
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sigchld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigchld_fd < 0) die("signalfd");
  set_nonblock(0);
  umask(022);
  send_frame('h', "cb-runner 1", 11); /* hello: the host waits for it before the first request */

  struct frame f;
  struct request rq;
  while (next_frame(&f)) {
    if (f.type != 'Q') continue; /* stdin or kill for a run that already ended */
    unsigned char *payload = f.payload;
    frame_hold = NULL; /* the request owns this payload until it is answered */
    parse_request(&rq, payload, f.len);
    const char *op = field(&rq, "op");
    if (!op) send_error("BadRequest", 0);
    else if (!strcmp(op, "run")) op_run(&rq);
    else if (!strcmp(op, "write")) op_write(&rq);
    else if (!strcmp(op, "read")) op_read(&rq);
    else if (!strcmp(op, "mkdir")) op_mkdir(&rq);
    else if (!strcmp(op, "copy")) op_copy(&rq);
    else if (!strcmp(op, "delete")) op_delete(&rq);
    else if (!strcmp(op, "list")) op_list(&rq);
    else send_error("BadRequest", 0);
    free(payload);
  }
  return 0;
}
