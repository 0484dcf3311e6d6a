// A worker thread that exits when a line arrives on stdin, while the process lives on: its
// task/<tid> files vanish. Prints "ready" once the worker runs, "exited" once it was joined.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg) {
  char c;
  (void)arg;
  (void)read(0, &c, 1);
  return 0;
}

int main(void) {
  pthread_t thread;
  if (pthread_create(&thread, 0, worker, 0) != 0) return 4;
  printf("ready\n");
  fflush(stdout);
  pthread_join(thread, 0);
  printf("exited\n");
  fflush(stdout);
  for (;;) sleep(1);
}
