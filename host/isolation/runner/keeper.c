/*
 * cb-runner --keeper: PID 1 of a container whose runner could not be PID 1 (the fallback; the host then starts
 * the runner with `docker exec`). It only keeps the container alive and reaps what is reparented to it, and it
 * ends when the runner tells it to (SIGTERM, sent when the host goes away), so the container is removed.
 */
#include "cb-runner.h"

static void on_terminate(int sig) {
  (void)sig;
  _exit(0);
}

/* A handler, not SIG_IGN: PID 1 of a namespace is sent only the signals it handles, and pause() must wake. */
static void on_child(int sig) { (void)sig; }

void keep(void) {
  signal(SIGTERM, on_terminate);
  signal(SIGCHLD, on_child);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    pause();
  }
}
