// A process whose every name is hostile: the test copies it under a hostile file name, starts it
// with hostile arguments, environment and working directory, and this sets its comm to argv[1]
// (prctl PR_SET_NAME) and listens on a unix socket at the path argv[2]. Prints "ready", waits for
// stdin to close.
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) != 0) return 3;
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(argv[2]) >= sizeof address.sun_path) return 4;
  strcpy(address.sun_path, argv[2]);
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0) return 5;
  if (listen(listener, 1) != 0) return 6;
  printf("ready\n");
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  return 0;
}
