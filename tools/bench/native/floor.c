// The C floor of issue #12: the same system calls a /proc reader makes (open + read to EOF +
// close, readlink, readdir), with nothing else, so the bench can say how close procmon gets to
// what the kernel costs. Compiled by src/native-floor.mjs with `cc -O2`; never committed built.
//
// Usage: floor MODE PID MIN_MS BATCH [MIN_SAMPLES]
//   read:NAME  /proc/PID/NAME read to EOF into a reused buffer
//   details    the reads of details(): stat (identity), cmdline, environ, readlink cwd and exe
//   scan       readdir /proc, then per pid: stat, cmdline, comm, readlink exe
//   fds        readdir /proc/PID/fd, then readlinkat of every entry
// A sample is the mean of BATCH ops; samples are taken (after one untimed batch) until MIN_MS
// milliseconds and MIN_SAMPLES samples (12 unless given) are reached. Prints one JSON line:
//   {"median": ns per op (median sample), "mean": ns, "samples": n, "check": what one op saw}
// where check is the bytes read (read, details), the processes seen (scan) or the descriptors
// listed (fds), so the bench can verify the floor did the same work as the rows beside it.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buffer[1 << 16];
static char target[4096];

// open + read to EOF + close, relative to dir (AT_FDCWD for an absolute path); bytes or -1.
static long read_file(int dir, const char *path) {
  int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long total = 0;
  for (;;) {
    size_t room = sizeof buffer - (size_t)(total % (long)sizeof buffer);
    ssize_t n = read(fd, buffer + (sizeof buffer - room), room);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    total += n;
  }
  close(fd);
  return total;
}

static long read_link(int dir, const char *path) {
  return (long)readlinkat(dir, path, target, sizeof target);
}

static int pid;
static char paths[5][64];

static long op_read(void) { return read_file(AT_FDCWD, paths[0]); }

static long op_details(void) {
  long n = 0, r;
  // stat, cmdline, environ; then the cwd and exe links.
  for (int i = 0; i < 3; i++) {
    if ((r = read_file(AT_FDCWD, paths[i])) < 0) return -1;
    n += r;
  }
  for (int i = 3; i < 5; i++) {
    if ((r = read_link(AT_FDCWD, paths[i])) < 0) return -1;
    n += r;
  }
  return n;
}

static long op_scan(void) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return -1;
  int dir = dirfd(proc);
  long seen = 0;
  char path[300];  // a d_name holds up to 255 bytes
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "%s/stat", entry->d_name);
    if (read_file(dir, path) < 0) continue;  // exited meanwhile
    snprintf(path, sizeof path, "%s/cmdline", entry->d_name);
    if (read_file(dir, path) < 0) continue;
    snprintf(path, sizeof path, "%s/comm", entry->d_name);
    if (read_file(dir, path) < 0) continue;
    snprintf(path, sizeof path, "%s/exe", entry->d_name);
    read_link(dir, path);  // a kernel thread has no exe
    seen++;
  }
  closedir(proc);
  return seen;
}

static long op_fds(void) {
  DIR *fds = opendir(paths[0]);
  if (fds == NULL) return -1;
  int dir = dirfd(fds);
  long listed = 0;
  struct dirent *entry;
  while ((entry = readdir(fds)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    if (read_link(dir, entry->d_name) >= 0) listed++;
  }
  closedir(fds);
  return listed;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: floor read:NAME|details|scan|fds PID MIN_MS BATCH [MIN_SAMPLES]\n");
    return 2;
  }
  const char *mode = argv[1];
  pid = atoi(argv[2]);
  double min_ns = atof(argv[3]) * 1e6;
  long batch = atol(argv[4]);
  size_t min_samples = argc == 6 ? (size_t)atol(argv[5]) : 12;
  if (pid <= 0 || batch <= 0 || min_samples == 0) {
    fprintf(stderr, "floor: PID, BATCH and MIN_SAMPLES must be positive\n");
    return 2;
  }
  long (*op)(void);
  if (strncmp(mode, "read:", 5) == 0) {
    snprintf(paths[0], sizeof paths[0], "/proc/%d/%s", pid, mode + 5);
    op = op_read;
  } else if (strcmp(mode, "details") == 0) {
    const char *names[5] = {"stat", "cmdline", "environ", "cwd", "exe"};
    for (int i = 0; i < 5; i++) snprintf(paths[i], sizeof paths[i], "/proc/%d/%s", pid, names[i]);
    op = op_details;
  } else if (strcmp(mode, "scan") == 0) {
    op = op_scan;
  } else if (strcmp(mode, "fds") == 0) {
    snprintf(paths[0], sizeof paths[0], "/proc/%d/fd", pid);
    op = op_fds;
  } else {
    fprintf(stderr, "floor: unknown mode %s\n", mode);
    return 2;
  }
  long check = 0;
  for (long i = 0; i < batch; i++) check = op();
  if (check < 0) {
    fprintf(stderr, "floor: %s of pid %d failed\n", mode, pid);
    return 1;
  }
  size_t capacity = 1024, count = 0;
  double *samples = malloc(capacity * sizeof *samples);
  double spent = 0;
  while (count < min_samples || spent < min_ns) {
    double t0 = now_ns();
    for (long i = 0; i < batch; i++) check = op();
    double t1 = now_ns();
    if (count == capacity) samples = realloc(samples, (capacity *= 2) * sizeof *samples);
    if (samples == NULL) return 1;
    samples[count++] = (t1 - t0) / (double)batch;
    spent += t1 - t0;
  }
  double sum = 0;
  for (size_t i = 0; i < count; i++) sum += samples[i];
  qsort(samples, count, sizeof *samples, by_value);
  printf("{\"median\": %.1f, \"mean\": %.1f, \"samples\": %zu, \"check\": %ld}\n", samples[count / 2],
         sum / (double)count, count, check);
  free(samples);
  return 0;
}
