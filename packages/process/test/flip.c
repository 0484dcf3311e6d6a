// Replaces its program again and again, keeping its pid: `flip OTHER MODE` execs OTHER with the
// arguments `OTHER SELF MODE` and the environment `PROGRAM=<OTHER's name>`, so that each image
// says which program it is in its path, its arguments and its environment alike.
// MODE `loop`: after about 200 microseconds, for ever. MODE `stdin`: once per line read on stdin
// (it prints "ready" first, and once more after each exec).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  const char *other = argv[1];
  const char *name = strrchr(other, '/');
  name = name ? name + 1 : other;
  char program[256];
  snprintf(program, sizeof program, "PROGRAM=%s", name);
  char *args[] = {argv[1], argv[0], argv[2], NULL};
  char *env[] = {program, NULL};
  if (strcmp(argv[2], "loop") == 0) {
    usleep(200);
  } else {
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) return 0;
  }
  execve(other, args, env);
  return 127;
}
