// Holds still: prints "ready" once started and waits for stdin to close. Its arguments,
// environment, working directory and inherited descriptors are whatever the test gave it.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  printf("ready\n");
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  return 0;
}
