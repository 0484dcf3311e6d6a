// A chain of processes: `a b c` prints "<pid> a", forks, and the child execs `b c`, which prints
// "<pid> b", forks, and its child execs `c`, which prints "<pid> c" and waits for stdin to close.
// Each parent waits for its child, then exits: closing stdin ends the chain, deepest first, every
// process reaped by its parent. A child also dies with its parent (PR_SET_PDEATHSIG).
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  printf("%d %s\n", (int)getpid(), argv[0]);
  fflush(stdout);
  if (argc > 1) {
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      execv(argv[1], argv + 1);
      _exit(127);
    }
    waitpid(child, NULL, 0);
    return 0;
  }
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
  }
  return 0;
}
