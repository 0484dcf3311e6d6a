// The main thread calls pthread_exit while a worker runs: the leader's stat says Z, its exe,
// cwd and fd/ are gone, yet the process is alive. Opens argv[1] and a socket first, then says
// "ready".
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void *worker(void *arg) {
  (void)arg;
  for (;;) sleep(1);
  return 0;
}

int main(int argc, char **argv) {
  pthread_t thread;
  if (argc < 2 || open(argv[1], O_RDONLY) < 0) return 2;
  if (socket(AF_INET, SOCK_STREAM, 0) < 0) return 3;
  if (pthread_create(&thread, 0, worker, 0) != 0) return 4;
  printf("ready\n");
  fflush(stdout);
  pthread_exit(0);
}
