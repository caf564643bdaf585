/* cb-runner's parts share these declarations; what the runner is and its wire format: cb-runner.c. */
#ifndef CB_RUNNER_H
#define CB_RUNNER_H

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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (64u << 20)
#define MAX_FIELDS 4096
#define CHUNK 65536

extern const char *workspace_root;

/* Set from the command line; 0 or NULL: not set. */
struct options {
  const char *oom_file;
  long long rlimit_data, rlimit_nproc, rlimit_fsize;
  /* Started by `docker exec` beside a keeper that is PID 1 (the fallback: see keeper.c), not as PID 1 itself. */
  int exec_mode;
};
extern struct options options;

/* clone3.c: clone3 answers ENOSYS for the program, so glibc starts threads with clone on every backend. */
void refuse_clone3(void);
extern int sigchld_fd;

/* frames (cb-runner.c) */
struct inbuf { unsigned char *data; size_t len, cap; int eof; };
extern struct inbuf input;
struct frame { char type; unsigned char *payload; uint32_t len; };
void die(const char *what) __attribute__((noreturn));
void write_all(int fd, const void *data, size_t len);
void send_frame(char type, const void *data, size_t len);
void result_field(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void send_result(void);
void send_error(const char *code, int err);
int fill_input(void);
int take_frame(struct frame *f);
int next_frame(struct frame *f);

/* request fields (cb-runner.c) */
struct request { char *keys[MAX_FIELDS]; char *values[MAX_FIELDS]; int count; };
const char *field(const struct request *rq, const char *key);
long long field_num(const struct request *rq, const char *key, long long fallback);
char **field_list(const struct request *rq, const char *key);

/* files under the workspace root (files.c) */
int open_parent(char *path, int make_parents, char **leaf, const char **error);
int open_file(char *path, int flags, int make_parents, const char **error);
int write_fully(int fd, const unsigned char *data, size_t len);
const char *delete_path(char *path, int *was_directory);
const char *write_file_at(const char *path, const unsigned char *data, size_t len, int append, int *err);

/* running programs (run.c) */
long long now_us(void);
long long oom_kills(void);
void set_nonblock(int fd);
int make_dirs(const char *path);
void drain_sigchld(void);
struct usage { long long cpu_us, maxrss_kb; };
void add_usage(struct usage *u, const struct rusage *ru);
struct stream_state { int fd; long long total; char frame_type; };
int forward_output(struct stream_state *s, long long limit);
/* What a new process gets: fds[0..3] become its 0, 1, 2 and 3 (fds[3] -1: no fd 3). */
struct spawn {
  char **argv, **envp, **dirs;
  const char *cwd;
  int fds[4];
  int report_fd;        /* where the child reports what failed before exec (see exec_child) */
  rlim_t cpu_soft, cpu_hard;
  const char *oom_score_adj;
};
pid_t spawn_process(const struct spawn *s);
void kill_run(void);
void end_run(struct usage *u);
/* What a run's result says of how its main process (or the relayed compile) ended. */
struct outcome {
  int status; /* as wait() gives it */
  long long wall_us, cpu_us, maxrss_kb, oom_before;
  struct stream_state out, err;
  int timed_out, output_exceeded, killed, warm;
};
void report_outcome(const struct outcome *o);

/* other processes, as /proc shows them (proc.c) */
int proc_cpu(pid_t pid, long long *cpu_us);
long long proc_peak_kb(pid_t pid);
void proc_reset_peak(pid_t pid);
void kill_others(void);
int others_left(void);

/* warm parts: a prestarted launcher, a resident compiler (warm.c) */
int warm_live(void);
int warm_exempt(pid_t pid);
int warm_reaped(pid_t pid, int status, const struct rusage *ru);
void warm_collect(void);
void warm_discard_launcher(void);
void warm_restart(void);
void warm_start_due(void);
void warm_start_for(const char *kind);
int warm_restart_wait_ms(void);
struct launched { pid_t pid; int in_fd, out_fd, err_fd, report_fd; long long started_us, cpu_before_us; };
int warm_take_launcher(char **argv, char **envp, char **dirs, const char *cwd, long long timeout_ms, struct launched *run);
int warm_relay_compile(char **argv, char **envp, char **dirs, const char *cwd, long long *timeout_ms, long long output_limit);

/* the fallback's PID 1 (keeper.c) */
void keep(void) __attribute__((noreturn));

/* operations */
void op_run(const struct request *rq);    /* run.c */
void op_warm(const struct request *rq);   /* warm.c */
void op_write(const struct request *rq);  /* files.c */
void op_read(const struct request *rq);
void op_mkdir(const struct request *rq);
void op_copy(const struct request *rq);
void op_delete(const struct request *rq);
void op_list(const struct request *rq);
void op_untar(const struct request *rq);    /* untar.c */
void op_checksum(const struct request *rq);

#endif
