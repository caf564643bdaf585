/*
 * Rust's resident compiler (docs/WARM.md, warm.compiler): rustc itself, kept with its libraries loaded.
 *
 * Preloaded (LD_PRELOAD) into the real rustc, this wraps rustc's main: once librustc_driver and LLVM are loaded,
 * relocated and initialised, it serves the runner's requests instead, and runs each compile in a fork that goes on
 * into rustc's own main. So a compile is rustc's, in every detail but the time it takes to start.
 *
 * Rust's standard library reads the command line once, before main, from the process's own: the server is started
 * as `rustc @ARGFILE` (after any @file of the packages' rustc wrapper), and each fork writes its request's
 * arguments into ARGFILE first, one per line, as rustc reads @files. A request rustc's @file cannot carry (an
 * argument with a newline, or one that is itself an @file) is answered `fallback`, and the runner runs it cold.
 *
 * Environment: CODEBEAKER_RUSTC_ARGFILE=ARGFILE says which process is the server (its last argument is @ARGFILE);
 * both it and LD_PRELOAD are removed from the environment before anything runs, so that neither a compile nor the
 * linker it starts sees them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define REQUEST_FD 0
#define ANSWER_FD 3
#define ARGFILE_VARIABLE "CODEBEAKER_RUSTC_ARGFILE"
#define MAX_REQUEST (1 << 20)

typedef int (*main_function)(int, char **, char **);
typedef int (*libc_start_main_function)(main_function, int, char **, void (*)(void), void (*)(void),
                                        void (*)(void), void *);

static main_function rustc_main;
static char *argfile;

static int read_fully(int fd, void *buffer, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, (char *)buffer + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return done == 0 && n == 0 ? 0 : -1;
    done += (size_t)n;
  }
  return 1;
}

static int write_fully(int fd, const void *buffer, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, (const char *)buffer + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    done += (size_t)n;
  }
  return 0;
}

/* An answer on fd 3: a 4-byte big-endian length, then the NUL-terminated field. */
static void answer(const char *field) {
  size_t length = strlen(field) + 1;
  unsigned char header[4] = {length >> 24, length >> 16, length >> 8, length};
  if (write_fully(ANSWER_FD, header, 4) < 0 || write_fully(ANSWER_FD, field, length) < 0) _exit(1);
}

/* The argfile's directories, private to the sandbox's user. */
static int make_parents(const char *path) {
  char *copy = strdup(path);
  for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    if (mkdir(copy, 0700) < 0 && errno != EEXIST) return free(copy), -1;
    *slash = '/';
  }
  free(copy);
  return 0;
}

/*
 * Writes the request's arguments but the first (the command) into the argfile. Returns the directory to compile
 * in, or NULL when the request is not one this server runs.
 */
static const char *prepare(char *request, size_t size) {
  const char *cwd = NULL;
  int arguments = 0;
  FILE *file = NULL;
  for (size_t at = 0; at < size;) {
    char *field = request + at;
    size_t length = strnlen(field, size - at);
    if (at + length == size) break; /* not NUL-terminated */
    at += length + 1;
    if (!cwd) {
      if (strncmp(field, "cwd=", 4) != 0) return NULL;
      cwd = field + 4;
      continue;
    }
    if (strncmp(field, "arg=", 4) != 0) return NULL;
    const char *argument = field + 4;
    if (arguments++ == 0) {
      const char *slash = strrchr(argument, '/');
      if (strcmp(slash ? slash + 1 : argument, "rustc") != 0) return NULL;
      /* The sandbox's user owns /tmp: its programs may have removed the directory, or left a link in the file's place. */
      int fd = make_parents(argfile) < 0 ? -1 : open(argfile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 || !(file = fdopen(fd, "w"))) {
        if (fd >= 0) close(fd);
        return NULL;
      }
      continue;
    }
    if (strchr(argument, '\n') || argument[0] == '@' || fprintf(file, "%s\n", argument) < 0) {
      fclose(file);
      return NULL;
    }
  }
  if (!file) return NULL;
  return fclose(file) == 0 ? cwd : NULL;
}

/* In the fork: the compile's own process, as the runner would start rustc (stdin empty, no other descriptor). */
static void become_compile(const char *cwd) {
  if (chdir(cwd) < 0) {
    fprintf(stderr, "rustc: cannot change to %s: %s\n", cwd, strerror(errno));
    _exit(1);
  }
  int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, 0) < 0) _exit(1);
  closefrom(3);
}

static int serve(int argc, char **argv, char **envp) {
  char *request = malloc(MAX_REQUEST);
  if (!request) return 1;
  for (;;) {
    unsigned char header[4];
    int got = read_fully(REQUEST_FD, header, 4);
    if (got == 0) return 0; /* end of file: the runner is done with this compiler */
    size_t size = (size_t)header[0] << 24 | (size_t)header[1] << 16 | (size_t)header[2] << 8 | header[3];
    if (got < 0 || size > MAX_REQUEST || read_fully(REQUEST_FD, request, size) != 1) return 1;
    const char *cwd = prepare(request, size);
    if (!cwd) {
      answer("fallback=1");
      continue;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
      answer("fallback=1");
      continue;
    }
    if (child == 0) {
      become_compile(cwd);
      free(request);
      exit(rustc_main(argc, argv, envp));
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
      if (errno != EINTR) return 1;
    }
    /* A compile killed by a signal (rustc crashing) reports as a shell would: 128 + the signal. */
    char field[32];
    snprintf(field, sizeof field, "exit=%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    answer(field);
  }
}

/* The server is rustc (not the shell of a wrapper that LD_PRELOAD also reaches) whose last argument is @ARGFILE. */
static int is_server(int argc, char **argv) {
  const char *path = getenv(ARGFILE_VARIABLE);
  char exe[4096];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (!path || length <= 0 || argc < 2 || argv[argc - 1][0] != '@' || strcmp(argv[argc - 1] + 1, path) != 0) return 0;
  exe[length] = '\0';
  const char *slash = strrchr(exe, '/');
  return strncmp(slash ? slash + 1 : exe, "rustc", 5) == 0;
}

int __libc_start_main(main_function main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end) {
  libc_start_main_function next = (libc_start_main_function)dlsym(RTLD_NEXT, "__libc_start_main");
  if (is_server(argc, argv)) {
    rustc_main = main;
    argfile = strdup(getenv(ARGFILE_VARIABLE));
    unsetenv(ARGFILE_VARIABLE);
    unsetenv("LD_PRELOAD");
    main = serve;
  }
  return next(main, argc, argv, init, fini, rtld_fini, stack_end);
}
