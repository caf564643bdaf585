/*
 * cb-runner: the process that lives inside every sandbox, as its PID 1.
 *
 * The host talks to it over the sandbox's stdin/stdout with length-prefixed frames
 * (1 byte type, 4 bytes big-endian length, payload), one request at a time:
 *   host -> runner  'Q' request: NUL-terminated "key=value" fields
 *                   (op=run|warm|write|read|mkdir|copy|delete|list|untar|checksum); repeated keys (arg, env, mkdir,
 *                   delete, path) keep their order. op=warm kind=launcher|compiler defines a warm part (its arg and
 *                   env fields; none: no part) and starts it, answering pid=; op=run warm=launcher|compiler asks a
 *                   run or compile to be served by it, and every run's result says warm=1|0 (see warm.c)
 *                   'D' the file content that follows a write request, and each file a run request carries
 *                   (its 'write' fields); for untar, the archive in any number of 'D' frames, then an empty one
 *                   'I' stdin for the running program (an empty 'I' closes it), 'K' kill the running program
 *   runner -> host  'o' / 'e' the program's stdout / stderr, 'd' data of read and list, and one per entry of
 *                   untar and checksum
 *                   'r' the result: NUL-terminated "key=value" fields; it ends every request
 *
 * Options: --root DIR (the workspace, /workspace), --oom-file FILE (the memory cgroup's OOM counter, when not at
 * the usual place), and limits every program gets when no cgroup limits it: --rlimit-data BYTES,
 * --rlimit-nproc N, --rlimit-fsize BYTES. The fallback for a container whose PID 1 cannot be the runner:
 * --keeper (be PID 1 and nothing else) and --exec (the runner, started by `docker exec` beside a keeper).
 *
 * Being PID 1 is what makes the limits hold: kill(-1, SIGKILL) reaches every process of the run
 * (double forks and setsid included) but never the runner (while warm parts live, every process but them is
 * killed by its pid instead), orphans are reparented to the runner so their
 * CPU time is counted, and a program cannot kill the runner because PID 1 ignores unhandled signals.
 * File requests walk paths one component at a time and refuse symbolic links, so nothing outside the
 * workspace root is ever opened.
 */
#include "cb-runner.h"

const char *workspace_root = "/workspace";
int sigchld_fd;

/* ---------- frames ---------- */

struct inbuf input;

void die(const char *what) {
  fprintf(stderr, "cb-runner: %s: %s\n", what, strerror(errno));
  exit(70);
}

void write_all(int fd, const void *data, size_t len) {
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

void send_frame(char type, const void *data, size_t len) {
  unsigned char hdr[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                          (unsigned char)(len >> 8), (unsigned char)len};
  write_all(1, hdr, 5);
  if (len) write_all(1, data, len);
}

/* Result fields are collected in one buffer and sent as a single 'r' frame. */
static char result_buf[8192];
static size_t result_len;

void result_field(const char *key, const char *fmt, ...) {
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

void send_result(void) {
  send_frame('r', result_buf, result_len);
  result_len = 0;
}

void send_error(const char *code, int err) {
  result_field("error", "%s", code);
  /* errno only says more when the failure was the system's, not a refused path */
  if (err && (!strcmp(code, "IoError") || !strcmp(code, "NoSpace"))) result_field("detail", "%s", strerror(err));
  send_result();
}

/* Reads what is available on stdin; returns 0 at end of input. */
int fill_input(void) {
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
int take_frame(struct frame *f) {
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

/* Waits for the host; warm parts that are due start when it has nothing to say for a while (see warm.c). */
static void wait_input(void) {
  struct pollfd pfd = {0, POLLIN, 0};
  int ready;
  while ((ready = poll(&pfd, 1, warm_restart_wait_ms())) < 0 && errno == EINTR) {}
  if (ready == 0) warm_start_due();
}

/* Blocks until a whole frame is there; returns 0 when the host closed the stream. */
int next_frame(struct frame *f) {
  while (!take_frame(f)) {
    if (input.eof) return 0;
    wait_input();
    fill_input();
  }
  return 1;
}

/* ---------- request fields ---------- */

/* Returns 0, or -1 when the request has more fields than MAX_FIELDS: it is refused, never cut short. */
static int parse_request(struct request *rq, unsigned char *payload, uint32_t len) {
  rq->count = 0;
  char *p = (char *)payload, *end = (char *)payload + len;
  while (p < end) {
    if (rq->count == MAX_FIELDS) return -1;
    size_t n = strnlen(p, (size_t)(end - p));
    char *eq = memchr(p, '=', n);
    if (eq) { *eq = 0; rq->keys[rq->count] = p; rq->values[rq->count] = eq + 1; rq->count++; }
    p += n + 1;
  }
  return 0;
}

const char *field(const struct request *rq, const char *key) {
  for (int i = 0; i < rq->count; i++)
    if (strcmp(rq->keys[i], key) == 0) return rq->values[i];
  return NULL;
}

long long field_num(const struct request *rq, const char *key, long long fallback) {
  const char *v = field(rq, key);
  return v ? strtoll(v, NULL, 10) : fallback;
}

/* All values of a repeated key, NULL-terminated. */
char **field_list(const struct request *rq, const char *key) {
  char **list = calloc((size_t)rq->count + 1, sizeof *list);
  if (!list) die("calloc");
  int n = 0;
  for (int i = 0; i < rq->count; i++)
    if (strcmp(rq->keys[i], key) == 0) list[n++] = rq->values[i];
  return list;
}

/* ---------- main loop ---------- */

struct options options = {NULL, 0, 0, 0, 0};

static long long option_number(const char *name, const char *value) {
  char *end;
  long long number = strtoll(value, &end, 10);
  if (*value == 0 || *end != 0 || number < 0) {
    fprintf(stderr, "cb-runner: %s takes a number, not %s\n", name, value);
    exit(64);
  }
  return number;
}

int main(int argc, char **argv) {
  int keeper = 0;
  for (int i = 1; i < argc; i += 2) {
    if (!strcmp(argv[i], "--keeper")) { keeper = 1; i--; continue; }
    if (!strcmp(argv[i], "--exec")) { options.exec_mode = 1; i--; continue; }
    if (i + 1 >= argc) { fprintf(stderr, "cb-runner: %s takes a value\n", argv[i]); exit(64); }
    if (!strcmp(argv[i], "--root")) workspace_root = argv[i + 1];
    else if (!strcmp(argv[i], "--oom-file")) options.oom_file = argv[i + 1];
    else if (!strcmp(argv[i], "--rlimit-data")) options.rlimit_data = option_number(argv[i], argv[i + 1]);
    else if (!strcmp(argv[i], "--rlimit-nproc")) options.rlimit_nproc = option_number(argv[i], argv[i + 1]);
    else if (!strcmp(argv[i], "--rlimit-fsize")) options.rlimit_fsize = option_number(argv[i], argv[i + 1]);
    else {
      fprintf(stderr, "cb-runner: unknown option %s\n", argv[i]);
      exit(64);
    }
  }
  /* Not dumpable: the program runs as the same user, and must not ptrace the runner or read its memory.
   * (A program's own exec makes it dumpable again.) */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* PID 1 of a namespace only gets the signals it handles, but gVisor does not keep that rule: ignore them all.
   * (SIGKILL and SIGSTOP cannot be; there the host's watchdog ends a sandbox whose runner stops answering.) */
  for (int sig = 1; sig < NSIG; sig++) if (sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_IGN);
  if (keeper) keep();
  /* Beside a keeper, orphans of a run must still come to the runner, to be counted and reaped. */
  if (options.exec_mode) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sigchld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigchld_fd < 0) die("signalfd");
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  umask(022);
  send_frame('h', "cb-runner 1", 11); /* hello: the host waits for it before the first request */

  struct frame f;
  struct request rq;
  while (next_frame(&f)) {
    if (f.type != 'Q') continue; /* stdin or kill for a run that already ended */
    unsigned char *payload = f.payload;
    frame_hold = NULL; /* the request owns this payload until it is answered */
    const char *op = parse_request(&rq, payload, f.len) == 0 ? field(&rq, "op") : NULL;
    if (!op) send_error("BadRequest", 0);
    else if (!strcmp(op, "run")) op_run(&rq);
    else if (!strcmp(op, "warm")) op_warm(&rq);
    else if (!strcmp(op, "write")) op_write(&rq);
    else if (!strcmp(op, "read")) op_read(&rq);
    else if (!strcmp(op, "mkdir")) op_mkdir(&rq);
    else if (!strcmp(op, "copy")) op_copy(&rq);
    else if (!strcmp(op, "delete")) op_delete(&rq);
    else if (!strcmp(op, "list")) op_list(&rq);
    else if (!strcmp(op, "untar")) op_untar(&rq);
    else if (!strcmp(op, "checksum")) op_checksum(&rq);
    else send_error("BadRequest", 0);
    free(payload);
  }
  /* The host is gone: beside a keeper, end it too, so the container stops and is removed (AutoRemove). */
  if (options.exec_mode) kill(1, SIGTERM);
  return 0;
}
