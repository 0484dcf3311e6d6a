/*
 * The primitive reads of @procmon/procfs in plain C, with no N-API in sight: each op fills a
 * `proc_op` with its bytes or its errno, so the same code runs on Node's thread (sync) and on
 * libuv's thread pool (async). procfs.c turns a filled op into JavaScript values.
 */
#ifndef PROCMON_PROCFS_READS_H
#define PROCMON_PROCFS_READS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* The op kinds, numbered as src/native-backend.ts numbers them. */
enum proc_kind {
  KIND_READ = 0,
  KIND_READLINK = 1,
  KIND_READDIR = 2,
  KIND_LINKS = 3,
  KIND_STAT = 4,
  KIND_SOCKETS = 5
};

/*
 * Which call failed, as Node's fs errors name it (`syscall`). SYSCALL_CAP is no system call: the
 * file is larger than the op's maxBytes. SYSCALL_NUL: the path holds a NUL byte (Node refuses
 * such a path before any call).
 */
enum proc_syscall {
  SYSCALL_NONE = 0,
  SYSCALL_OPEN = 1,
  SYSCALL_READ = 2,
  SYSCALL_READLINK = 3,
  SYSCALL_SCANDIR = 4,
  SYSCALL_STAT = 5,
  SYSCALL_CAP = 6,
  SYSCALL_NUL = 7
};

/* A growable byte buffer. */
typedef struct {
  char *data;
  size_t length;
  size_t capacity;
} proc_bytes;

typedef struct {
  int kind;
  char *path;         /* NUL-terminated, owned by the op */
  size_t path_length; /* bytes before the terminating NUL; strlen(path) differs: a NUL inside */
  size_t max_bytes;   /* read: the cap */

  /* The outcome. error == 0: success. */
  int error;
  int syscall;
  /*
   * read, readlink: the bytes. readdir: the names, each NUL-terminated, sorted as Node sorts
   * them (strcmp). links: per entry kept, its name NUL-terminated, then its target
   * NUL-terminated (empty when `link_errors` has its errno).
   */
  proc_bytes bytes;
  int bytes_borrowed; /* bytes are the caller's scratch buffer, not the op's own */
  size_t count;      /* readdir, links: entries in `bytes` */
  int *link_errors;  /* links: per entry, 0 or the readlink errno */
  int vanished;      /* links, sockets: an entry was gone by its readlink (SOCKETS_VANISHED) */
  struct stat stat;  /* stat; sockets: the process's folder */
  /*
   * sockets: `count` pairs of doubles (fd, inode) in `bytes`, then from byte `split` the
   * process's stat file, read after the listing through the same folder handle.
   */
  size_t split;
} proc_op;

/* sockets: what `vanished` may hold. */
#define SOCKETS_VANISHED 1 /* a descriptor closed between the listing and its readlink */
#define SOCKETS_DENIED 2   /* a link could not be read (EACCES): a socket may be hidden */

/*
 * Carries out one op. `scratch`, when given, is a buffer reused across reads (sync calls on
 * Node's thread); the op's bytes then live in it until the next op. Without it, the op's bytes
 * are its own (async calls: free them with proc_op_release).
 */
void proc_op_run(proc_op *op, proc_bytes *scratch);

/* Frees what an op owns (its path, its own bytes, its link errors). */
void proc_op_release(proc_op *op);

/* For the ops in other files (sockets.c): */
void proc_fail(proc_op *op, int error, int syscall);
int proc_reserve(proc_bytes *bytes, size_t wanted);
/* `path` read to EOF through `fd` (closed here), appended to `into`, at most max_bytes. */
int proc_read_fd_to_end(int fd, proc_bytes *into, size_t max_bytes, int *syscall);
/* A process's socket descriptors and its stat through one handle on its folder (sockets.c). */
void proc_read_sockets(proc_op *op);

/* Gives back a scratch buffer that grew past what is worth keeping for the next read. */
void proc_scratch_trim(proc_bytes *scratch);

#endif
