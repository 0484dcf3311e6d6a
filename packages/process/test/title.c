// Rewrites its own title, as nginx or setproctitle(3) do: comm with prctl(PR_SET_NAME, argv[1]),
// the argument area with argv[2]. The area is cleared, the title written at its start, and its
// last byte made non-NUL: the kernel then reads cmdline as the title up to its NUL. argv[3] and
// after are padding that makes the area large enough. Prints "ready", waits for stdin to close.
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  char comm[16];
  char title[256];
  snprintf(comm, sizeof comm, "%s", argv[1]);
  snprintf(title, sizeof title, "%s", argv[2]);
  char *start = argv[0];
  char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
  size_t length = strlen(title);
  if (length + 2 > (size_t)(end - start)) return 3;
  if (prctl(PR_SET_NAME, comm, 0, 0, 0) != 0) return 4;
  memset(start, 0, (size_t)(end - start));
  memcpy(start, title, length);
  end[-1] = '.';
  printf("ready\n");
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  return 0;
}
