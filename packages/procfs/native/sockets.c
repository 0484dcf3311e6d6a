/*
 * A process's socket descriptors and its stat, read through ONE handle on its /proc folder.
 *
 * A handle on /proc/<pid> stays bound to that process: once it exits, every file opened
 * through the handle fails (ENOENT, ESRCH), even after its pid was given to another process. So
 * the stat read through the handle after the fd/ listing is surely of the process that was
 * listed: its start time proves who held the sockets with one stat read, where reads by path
 * need one before the listing and one after (and the JavaScript fallback still does that).
 *
 * Only `socket:[N]` links are kept, as (fd, inode) pairs: a walk of every process for socket
 * holders then makes no string for the thousands of other descriptors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reads.h"

/* A stat file is one line of about 300 bytes; a fixture tree's may be anything. */
#define STAT_MAX_BYTES (64 * 1024)

static int open_at(int folder, const char *name, int flags) {
  int fd;
  do fd = openat(folder, name, flags | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

/* `socket:[N]` as N; 0 for any other target (no socket has inode 0). */
static double socket_inode(const char *target, size_t length) {
  static const char prefix[] = "socket:[";
  const size_t prefix_length = sizeof prefix - 1;
  if (length < prefix_length + 2 || memcmp(target, prefix, prefix_length) != 0 ||
      target[length - 1] != ']') {
    return 0;
  }
  double inode = 0;
  for (size_t i = prefix_length; i < length - 1; i++) {
    if (target[i] < '0' || target[i] > '9') return 0;
    inode = inode * 10 + (target[i] - '0');
  }
  /* Past 2^53 a double is not exact: no such inode is reported rather than a wrong one. */
  return inode <= 9007199254740991.0 ? inode : 0;
}

/*
 * An fd name as a number: digits without a leading zero (or "0"), at most INT_MAX (fds are ints);
 * -1 for anything else ("." and "..", or a fixture tree's names that name no descriptor).
 */
static double fd_number(const char *name) {
  double number = 0;
  if (name[0] == '\0' || (name[0] == '0' && name[1] != '\0')) return -1;
  for (const char *at = name; *at != '\0'; at++) {
    if (*at < '0' || *at > '9') return -1;
    number = number * 10 + (*at - '0');
    if (number > INT_MAX) return -1;
  }
  return number;
}

static int append_pair(proc_bytes *bytes, double fd, double inode) {
  if (!proc_reserve(bytes, bytes->length + 2 * sizeof(double))) return 0;
  memcpy(bytes->data + bytes->length, &fd, sizeof fd);
  memcpy(bytes->data + bytes->length + sizeof fd, &inode, sizeof inode);
  bytes->length += 2 * sizeof(double);
  return 1;
}

/* Every socket link of `listing` (an open fd/ folder) as a pair; 0 with the op failed. */
static int read_socket_links(proc_op *op, DIR *listing) {
  int folder = dirfd(listing);
  char target[PATH_MAX];
  for (;;) {
    errno = 0;
    struct dirent *entry = readdir(listing);
    if (entry == NULL) {
      if (errno == 0) return 1;
      proc_fail(op, errno, SYSCALL_SCANDIR);
      return 0;
    }
    double fd = fd_number(entry->d_name);
    if (fd < 0) continue; /* not a descriptor */
    ssize_t length;
    do length = readlinkat(folder, entry->d_name, target, sizeof target);
    while (length < 0 && errno == EINTR);
    if (length < 0) {
      if (errno == ENOENT || errno == ESRCH) op->vanished |= SOCKETS_VANISHED;
      else op->vanished |= SOCKETS_DENIED;
      continue;
    }
    double inode = socket_inode(target, (size_t)length);
    if (inode == 0) continue;
    if (!append_pair(&op->bytes, fd, inode)) {
      proc_fail(op, ENOMEM, SYSCALL_READLINK);
      return 0;
    }
    op->count++;
  }
}

void proc_read_sockets(proc_op *op) {
  op->bytes.length = 0;
  op->split = 0;
  int process = open_at(AT_FDCWD, op->path, O_RDONLY | O_DIRECTORY);
  if (process < 0) return proc_fail(op, errno, SYSCALL_OPEN);
  if (fstat(process, &op->stat) < 0) {
    proc_fail(op, errno, SYSCALL_STAT);
    close(process);
    return;
  }
  int fds = open_at(process, "fd", O_RDONLY | O_DIRECTORY);
  if (fds < 0) {
    proc_fail(op, errno, SYSCALL_SCANDIR);
    close(process);
    return;
  }
  DIR *listing = fdopendir(fds);
  if (listing == NULL) {
    proc_fail(op, errno, SYSCALL_SCANDIR);
    close(fds);
    close(process);
    return;
  }
  int listed = read_socket_links(op, listing);
  closedir(listing);
  if (!listed) {
    close(process);
    return;
  }
  /* After the listing, through the same handle: fails if the listed process is gone. */
  op->split = op->bytes.length;
  int stat = open_at(process, "stat", O_RDONLY | O_NONBLOCK);
  close(process);
  if (stat < 0) return proc_fail(op, errno, SYSCALL_OPEN);
  int syscall = SYSCALL_NONE;
  int error = proc_read_fd_to_end(stat, &op->bytes, STAT_MAX_BYTES, &syscall);
  if (error != 0) proc_fail(op, error, syscall);
}
