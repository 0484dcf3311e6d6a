/*
 * The primitive reads (see reads.h). Every open is O_CLOEXEC, every descriptor is closed on
 * every path, every call that can be interrupted is retried on EINTR. No stat before a read:
 * procfs reports size 0 for nearly every file, so a read goes to EOF into a growing buffer.
 */
#define _GNU_SOURCE
#include "reads.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A buffer starts this small and doubles: most /proc files are under 2 KiB (stat, statm, status),
 * and an async batch gives each op a buffer of its own: 16 KiB each made a walk of every process
 * touch megabytes of fresh pages (about twice the time of the same batch read sync).
 */
#define FIRST_CAPACITY 2048
/* A scratch buffer that grew past this for one large file is given back after it. */
#define SCRATCH_KEEP_BYTES (1024 * 1024)

void proc_fail(proc_op *op, int error, int syscall) {
  op->error = error;
  op->syscall = syscall;
}

/* Room for `wanted` bytes in all; 0 when memory ran out. */
int proc_reserve(proc_bytes *bytes, size_t wanted) {
  if (wanted <= bytes->capacity) return 1;
  size_t capacity = bytes->capacity > 0 ? bytes->capacity : FIRST_CAPACITY;
  while (capacity < wanted) capacity *= 2;
  char *data = realloc(bytes->data, capacity);
  if (data == NULL) return 0;
  bytes->data = data;
  bytes->capacity = capacity;
  return 1;
}

static int append(proc_bytes *bytes, const char *text, size_t length) {
  if (!proc_reserve(bytes, bytes->length + length + 1)) return 0;
  memcpy(bytes->data + bytes->length, text, length);
  bytes->data[bytes->length + length] = '\0';
  bytes->length += length + 1;
  return 1;
}

static int open_retrying(const char *path, int flags) {
  int fd;
  do fd = open(path, flags | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

/* close is not retried: Linux frees the descriptor even when close reports EINTR. */
static void close_keeping_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

/*
 * The rest of an open file appended to `into`, at most max_bytes: reading stops as soon as one
 * byte more than the cap has come (SYSCALL_CAP), so a huge file costs at most cap + 1 bytes of
 * memory. Closes `fd`. Returns 0, or the errno with `*syscall` saying which call failed.
 */
int proc_read_fd_to_end(int fd, proc_bytes *into, size_t max_bytes, int *syscall) {
  size_t start = into->length, limit = start + max_bytes + 1;
  int error = 0;
  for (;;) {
    if (into->length == into->capacity) {
      size_t wanted = into->capacity * 2;
      if (wanted < FIRST_CAPACITY) wanted = FIRST_CAPACITY;
      if (wanted > limit) wanted = limit;
      if (!proc_reserve(into, wanted)) {
        error = ENOMEM;
        *syscall = SYSCALL_READ;
        break;
      }
    }
    size_t room = (into->capacity < limit ? into->capacity : limit) - into->length;
    ssize_t count = read(fd, into->data + into->length, room);
    if (count < 0) {
      if (errno == EINTR) continue;
      error = errno;
      *syscall = SYSCALL_READ;
      break;
    }
    if (count == 0) break;
    into->length += (size_t)count;
    if (into->length - start > max_bytes) {
      error = EFBIG;
      *syscall = SYSCALL_CAP;
      break;
    }
  }
  close_keeping_errno(fd);
  return error;
}

/* The file to EOF, at most max_bytes (see proc_read_fd_to_end). */
static void read_file(proc_op *op) {
  /* O_NONBLOCK: under a root that is not /proc a file may be a FIFO, whose open would wait for
   * a writer forever; procfs's own files ignore the flag. */
  int fd = open_retrying(op->path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return proc_fail(op, errno, SYSCALL_OPEN);
  op->bytes.length = 0;
  int syscall = SYSCALL_NONE;
  int error = proc_read_fd_to_end(fd, &op->bytes, op->max_bytes, &syscall);
  if (error != 0) proc_fail(op, error, syscall);
}

/* A link's target, raw, in a PATH_MAX buffer as Node's readlink (libuv) reads it. */
static void read_link_into(const char *path, proc_bytes *into, int *error) {
  if (!proc_reserve(into, into->length + PATH_MAX + 1)) {
    *error = ENOMEM;
    return;
  }
  ssize_t length;
  do length = readlink(path, into->data + into->length, PATH_MAX);
  while (length < 0 && errno == EINTR);
  if (length < 0) {
    *error = errno;
    return;
  }
  into->data[into->length + (size_t)length] = '\0';
  into->length += (size_t)length + 1;
  *error = 0;
}

static void read_link(proc_op *op) {
  op->bytes.length = 0;
  int error;
  read_link_into(op->path, &op->bytes, &error);
  if (error != 0) return proc_fail(op, error, SYSCALL_READLINK);
  op->bytes.length -= 1; /* the value is the target without its NUL */
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A folder's entry names, without "." and "..", sorted with strcmp (libuv's scandir sorts so,
 * and Node's readdir gives that order): each NUL-terminated into `names`. Returns the open
 * folder (the caller closes it), or NULL with the op failed.
 */
static DIR *list_folder(proc_op *op, proc_bytes *names) {
  int fd = open_retrying(op->path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    proc_fail(op, errno, SYSCALL_SCANDIR);
    return NULL;
  }
  DIR *folder = fdopendir(fd);
  if (folder == NULL) {
    proc_fail(op, errno, SYSCALL_SCANDIR);
    close(fd);
    return NULL;
  }
  proc_bytes unsorted = {0};
  size_t count = 0;
  for (;;) {
    errno = 0;
    struct dirent *entry = readdir(folder);
    if (entry == NULL) {
      if (errno != 0) proc_fail(op, errno, SYSCALL_SCANDIR);
      break;
    }
    const char *name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    if (!append(&unsorted, name, strlen(name))) {
      proc_fail(op, ENOMEM, SYSCALL_SCANDIR);
      break;
    }
    count++;
  }
  const char **order = count > 0 ? malloc(count * sizeof *order) : NULL;
  if (op->error == 0 && count > 0 && order == NULL) proc_fail(op, ENOMEM, SYSCALL_SCANDIR);
  if (op->error == 0) {
    const char *at = unsorted.data;
    for (size_t i = 0; i < count; i++, at += strlen(at) + 1) order[i] = at;
    qsort(order, count, sizeof *order, by_name);
    names->length = 0;
    for (size_t i = 0; i < count && op->error == 0; i++) {
      if (!append(names, order[i], strlen(order[i]))) proc_fail(op, ENOMEM, SYSCALL_SCANDIR);
    }
  }
  free(order);
  free(unsorted.data);
  if (op->error != 0) {
    closedir(folder);
    return NULL;
  }
  op->count = count;
  return folder;
}

static void read_folder(proc_op *op) {
  DIR *folder = list_folder(op, &op->bytes);
  if (folder != NULL) closedir(folder);
}

/*
 * Each entry with its link's target; an entry gone by its readlink (ENOENT, ESRCH) left out.
 * The folder is closed before the readlinks, as Node's readdir closes it: in this process's own
 * fd/ folder, the listing's descriptor is then gone too (left out, `vanished`), never reported
 * as a descriptor pointing at the folder.
 */
static void read_links(proc_op *op) {
  proc_bytes names = {0};
  DIR *folder = list_folder(op, &names);
  if (folder == NULL) {
    free(names.data);
    return;
  }
  closedir(folder);
  size_t listed = op->count, kept = 0;
  op->count = 0;
  op->bytes.length = 0;
  op->link_errors = listed > 0 ? malloc(listed * sizeof *op->link_errors) : NULL;
  char *path = malloc(op->path_length + 2 + NAME_MAX + 1);
  if ((listed > 0 && op->link_errors == NULL) || path == NULL) proc_fail(op, ENOMEM, SYSCALL_READLINK);
  else {
    memcpy(path, op->path, op->path_length);
    path[op->path_length] = '/';
  }
  const char *name = names.data;
  for (size_t i = 0; i < listed && op->error == 0; i++, name += strlen(name) + 1) {
    size_t before = op->bytes.length, name_length = strlen(name);
    memcpy(path + op->path_length + 1, name, name_length + 1);
    if (!append(&op->bytes, name, name_length)) {
      proc_fail(op, ENOMEM, SYSCALL_READLINK);
      break;
    }
    int error;
    read_link_into(path, &op->bytes, &error);
    if (error == ENOENT || error == ESRCH) {
      op->bytes.length = before;
      op->vanished = 1;
      continue;
    }
    if (error == ENOMEM) {
      proc_fail(op, ENOMEM, SYSCALL_READLINK);
      break;
    }
    if (error != 0 && !append(&op->bytes, "", 0)) {
      proc_fail(op, ENOMEM, SYSCALL_READLINK);
      break;
    }
    op->link_errors[kept++] = error;
  }
  op->count = kept;
  free(path);
  free(names.data);
}

static void stat_path(proc_op *op) {
  int result;
  do result = stat(op->path, &op->stat);
  while (result < 0 && errno == EINTR);
  if (result < 0) proc_fail(op, errno, SYSCALL_STAT);
}

void proc_op_run(proc_op *op, proc_bytes *scratch) {
  op->error = 0;
  op->syscall = SYSCALL_NONE;
  op->count = 0;
  op->vanished = 0;
  if (scratch != NULL) {
    op->bytes = *scratch;
    op->bytes.length = 0;
    op->bytes_borrowed = 1;
  }
  if (strlen(op->path) != op->path_length) {
    proc_fail(op, EINVAL, SYSCALL_NUL);
  } else {
    switch (op->kind) {
      case KIND_READ: read_file(op); break;
      case KIND_READLINK: read_link(op); break;
      case KIND_READDIR: read_folder(op); break;
      case KIND_LINKS: read_links(op); break;
      case KIND_STAT: stat_path(op); break;
      case KIND_SOCKETS: proc_read_sockets(op); break;
      default: proc_fail(op, EINVAL, SYSCALL_NONE);
    }
  }
  /* The buffer may have moved while it grew: the scratch keeps the new one. */
  if (scratch != NULL) {
    size_t length = op->bytes.length;
    *scratch = op->bytes;
    scratch->length = length;
  }
}

void proc_op_release(proc_op *op) {
  free(op->path);
  op->path = NULL;
  if (!op->bytes_borrowed) free(op->bytes.data);
  op->bytes.data = NULL;
  op->bytes.capacity = op->bytes.length = 0;
  free(op->link_errors);
  op->link_errors = NULL;
}

void proc_scratch_trim(proc_bytes *scratch) {
  if (scratch->capacity <= SCRATCH_KEEP_BYTES) return;
  free(scratch->data);
  scratch->data = NULL;
  scratch->capacity = scratch->length = 0;
}
