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

/* the fallback's PID 1 (keeper.c) */
void keep(void) __attribute__((noreturn));

/* operations */
void op_run(const struct request *rq);    /* run.c */
void op_write(const struct request *rq);  /* files.c */
void op_read(const struct request *rq);
void op_mkdir(const struct request *rq);
void op_copy(const struct request *rq);
void op_delete(const struct request *rq);
void op_list(const struct request *rq);
void op_untar(const struct request *rq);    /* untar.c */
void op_checksum(const struct request *rq);

#endif
