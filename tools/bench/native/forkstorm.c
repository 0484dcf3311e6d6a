// A fork storm for the process events bench and tests (issue #14): N workers, each in a loop of
// fork → the child exits at once (or execs a program) → waitpid, so the kernel reports a fork and
// an exit (and an exec) per child. Compiled by src/forkstorm.mjs with `cc -O2`; never committed
// built.
//
// Usage: forkstorm [--workers N] [--seconds S | --count N] [--pids] [--exec [PROGRAM ARGS...]]
//   --workers N  worker processes forking at once (default: one per online CPU)
//   --seconds S  run for S seconds (default 3 when no --count is given)
//   --count N    make exactly N forks in all, shared among the workers
//   --pids       print each child's pid on its own line as it is forked (with one worker, the
//                order of the forks; a test matches events to them)
//   --exec       each child execs PROGRAM ARGS (/bin/true when none follow) instead of _exit(0);
//                everything after --exec belongs to the program
// Last line on stdout, JSON: {"workers": n, "forks": children forked, "failed": forks or execs
// that failed, "seconds": wall time of the storm, "workerPids": [...]}. The workers' own forks
// from this process are not counted in "forks" (a reader of events sees workers + forks forks).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 256

struct tally {
  long forks;
  long failed;
};

static char *default_program[] = {"/bin/true", NULL};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(const char *problem) {
  fprintf(stderr,
          "forkstorm: %s\nusage: forkstorm [--workers N] [--seconds S | --count N] [--pids] "
          "[--exec [PROGRAM ARGS...]]\n",
          problem);
  exit(2);
}

static long positive(const char *flag, const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text ? text : "", &end, 10);
  if (!text || *end || errno || value <= 0) {
    char message[128];
    snprintf(message, sizeof message, "%s needs a positive whole number, got '%s'", flag,
             text ? text : "");
    usage(message);
  }
  return value;
}

// One worker's loop: forks until `quota` children (when >= 0) or `deadline` (when quota < 0).
static void storm(struct tally *tally, long quota, double deadline, int print_pids,
                  char **program) {
  for (long made = 0; quota < 0 || made < quota; made++) {
    if (quota < 0 && (made & 15) == 0 && now_seconds() >= deadline) break;
    pid_t child = fork();
    if (child < 0) {
      tally->failed++;
      if (errno == EAGAIN || errno == ENOMEM) usleep(1000);  // at a limit: let children go
      continue;
    }
    if (child == 0) {
      if (program) {
        execv(program[0], program);
        _exit(127);
      }
      _exit(0);
    }
    if (print_pids) printf("%d\n", (int)child);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    tally->forks++;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) tally->failed++;
  }
  if (print_pids) fflush(stdout);
}

int main(int argc, char **argv) {
  long workers = sysconf(_SC_NPROCESSORS_ONLN);
  double seconds = -1;
  long count = -1;
  int print_pids = 0;
  char **program = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--workers") == 0) {
      workers = positive("--workers", argv[++i]);
    } else if (strcmp(argv[i], "--seconds") == 0) {
      const char *text = argv[++i];
      char *end;
      seconds = strtod(text ? text : "", &end);
      if (!text || *end || !(seconds > 0)) usage("--seconds needs a positive number");
    } else if (strcmp(argv[i], "--count") == 0) {
      count = positive("--count", argv[++i]);
    } else if (strcmp(argv[i], "--pids") == 0) {
      print_pids = 1;
    } else if (strcmp(argv[i], "--exec") == 0) {
      program = i + 1 < argc ? argv + i + 1 : default_program;
      break;
    } else {
      char message[128];
      snprintf(message, sizeof message, "unknown argument '%s'", argv[i]);
      usage(message);
    }
  }
  if (workers < 1) workers = 1;
  if (workers > MAX_WORKERS) usage("--workers is at most 256");
  if (seconds > 0 && count > 0) usage("give --seconds or --count, not both");
  if (seconds < 0 && count < 0) seconds = 3;
  if (count > 0 && workers > count) workers = count;

  // The workers' tallies live in shared memory, so the parent can add them up after waitpid.
  struct tally *tallies = mmap(NULL, sizeof(struct tally) * (size_t)workers,
                               PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (tallies == MAP_FAILED) {
    perror("forkstorm: mmap");
    return 1;
  }
  memset(tallies, 0, sizeof(struct tally) * (size_t)workers);
  setvbuf(stdout, NULL, _IOLBF, 0);  // --pids: each pid reaches the reader as it is forked

  pid_t pids[MAX_WORKERS];
  double start = now_seconds();
  double deadline = seconds > 0 ? start + seconds : 0;
  for (long w = 0; w < workers; w++) {
    long quota = count > 0 ? count / workers + (w < count % workers ? 1 : 0) : -1;
    pids[w] = fork();
    if (pids[w] < 0) {
      perror("forkstorm: fork of a worker");
      return 1;
    }
    if (pids[w] == 0) {
      storm(&tallies[w], quota, deadline, print_pids, program);
      _exit(0);
    }
  }
  long forks = 0, failed = 0;
  for (long w = 0; w < workers; w++) {
    int status;
    while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR) {
    }
    forks += tallies[w].forks;
    failed += tallies[w].failed;
  }
  double elapsed = now_seconds() - start;
  printf("{\"workers\": %ld, \"forks\": %ld, \"failed\": %ld, \"seconds\": %.6f, \"workerPids\": [",
         workers, forks, failed, elapsed);
  for (long w = 0; w < workers; w++) printf(w ? ", %d" : "%d", (int)pids[w]);
  printf("]}\n");
  return 0;
}
