/* cb-runner: other processes as /proc shows them: a warm part's CPU time and peak memory, and the processes of a
 * run, killed one by one while the warm parts live (kill(-1) would take those too). */
#include "cb-runner.h"

/* /proc/<pid>/stat after the command's closing parenthesis: state, parent, and the CPU time of the process and
 * of the children it waited for, in clock ticks: utime + stime (own), cutime + cstime (children). Returns 0, or
 * -1 when it is gone. */
static int read_stat(pid_t pid, char *state, pid_t *ppid, long long *own_ticks, long long *children_ticks) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  char st = 0;
  int parent = 0;
  long long f[13] = {0}; /* fields 5..17 of proc_pid_stat(5): pgrp … cstime */
  if (sscanf(p + 1, " %c %d %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &st, &parent, &f[0], &f[1],
             &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12]) < 15)
    return -1;
  if (state) *state = st;
  if (ppid) *ppid = parent;
  if (own_ticks) *own_ticks = f[9] + f[10];
  if (children_ticks) *children_ticks = f[11] + f[12];
  return 0;
}

/* A process's CPU time with that of the children it waited for, in microseconds. Returns 0, or -1 when gone.
 * Its own time comes from its CPU clock, exact where stat's clock ticks are 10 ms: a Python that warmed up for
 * 17 ms would otherwise pass 7 ms of it on to the program. */
int proc_cpu(pid_t pid, long long *cpu_us) {
  long long own, children;
  if (read_stat(pid, NULL, NULL, &own, &children) != 0) return -1;
  long hz = sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;
  clockid_t clock;
  struct timespec ts;
  if (clock_getcpuclockid(pid, &clock) == 0 && clock_gettime(clock, &ts) == 0)
    *cpu_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  else *cpu_us = own * 1000000 / hz;
  *cpu_us += children * 1000000 / hz;
  return 0;
}

/* The most resident memory a process has held (VmHWM), in KiB, since it started or since proc_reset_peak. gVisor
 * keeps no peak: there, what it holds now (VmRSS). 0: unknown. */
long long proc_peak_kb(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  long long peak = 0, now = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "VmHWM: %lld", &peak) == 1) break;
    sscanf(line, "VmRSS: %lld", &now);
  }
  fclose(f);
  return peak ? peak : now;
}

/* Starts a new peak (clear_refs 5). Where the kernel does not allow it (gVisor), the peak stays the lifetime's. */
void proc_reset_peak(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (write(fd, "5", 1) < 0) { /* not supported: the peak is the lifetime's */ }
  close(fd);
}

/* Calls `visit` for every process of the sandbox but the runner, the keeper (PID 1 beside an exec'd runner) and
 * the live warm parts; stops early when it returns nonzero, and returns that. */
static int each_other(int (*visit)(pid_t pid)) {
  DIR *proc = opendir("/proc");
  if (!proc) return 0;
  pid_t self = getpid();
  int stop = 0;
  struct dirent *entry;
  while (!stop && (entry = readdir(proc))) {
    char *end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end || pid <= 1 || pid == self || warm_exempt((pid_t)pid)) continue;
    stop = visit((pid_t)pid);
  }
  closedir(proc);
  return stop;
}

static int kill_one(pid_t pid) {
  kill(pid, SIGKILL);
  return 0;
}

void kill_others(void) { each_other(kill_one); }

/* Alive, or a zombie the runner will reap. A zombie whose parent lives on (a warm part's) is nobody's to wait for. */
static int still_there(pid_t pid) {
  char state;
  pid_t parent;
  if (read_stat(pid, &state, &parent, NULL, NULL) != 0) return 0;
  return state != 'Z' && state != 'X' ? 1 : parent == getpid();
}

/* Whether any process of a run is still there, besides the runner, the keeper and the live warm parts. */
int others_left(void) { return each_other(still_there); }
