// Makes a zombie: forks a child that exits at once, and does not wait for it while stdin stays
// open. Prints the child's pid; when stdin closes, reaps the child and exits.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) _exit(0);
  printf("%d\n", (int)child);
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  waitpid(child, NULL, 0);
  return 0;
}
