/*
 * The whole native part of @procmon/netsock: a NETLINK_SOCK_DIAG socket, opened in the caller's
 * network namespace or in another one, and raw send/recv of bytes (one datagram at a time, or a
 * whole exchange on libuv's thread pool). Every netlink message is built and parsed in TypeScript
 * (src/netlink/); this file reads only the message header, to know where a reply ends.
 *
 *   open(nsPath?: string): number          a NETLINK_SOCK_DIAG socket (close-on-exec), connected
 *                                          to the kernel so no other sender reaches it
 *   send(fd: number, bytes: Uint8Array): number
 *   recv(fd: number, buffer: Uint8Array): number   bytes of one datagram (its full length,
 *                                          even when it was longer than the buffer: MSG_TRUNC);
 *                                          datagrams not sent by the kernel are dropped
 *   exchangeAsync(fd, request: Uint8Array, seq: number, portId: number, datagramBytes: number):
 *     Promise<ArrayBuffer>                 one whole exchange (send, then receive to the end of
 *                                          the reply) on libuv's thread pool: the datagrams,
 *                                          undecoded (see js_exchange_async)
 *   portId(fd: number): number             the socket's netlink port id (getsockname), which the
 *                                          kernel writes as nlmsg_pid in its replies
 *   close(fd: number): undefined
 *   readlinks(dirPath: string, buffer: Uint8Array): number
 *                                          every link of a folder (a /proc/<pid>/fd), read with
 *                                          getdents64 + readlinkat: records of u32 name (the
 *                                          entry's name as a number), u32 length, the target's
 *                                          bytes, padded to 4; -1 when the buffer is too small.
 *                                          Entries gone meanwhile (ENOENT) are left out.
 *   listStart(dirPath: string): handle | undefined
 *   listJoin(handle, buffer: Uint8Array): number
 *                                          the same listing on a native thread of its own (so the
 *                                          caller can dump socket tables meanwhile); listJoin
 *                                          waits for it and copies the records into buffer,
 *                                          returning their byte count (bigger than the buffer:
 *                                          nothing copied, call again with one that large).
 *                                          undefined: no thread could be started.
 *                                          The thread has a 256 KiB stack; the handle is
 *                                          type-tagged, and listJoin refuses any other value.
 *   listAsync(dirPath: string): Promise<ArrayBuffer>
 *                                          the same listing on libuv's thread pool
 *
 * Errors are thrown as Error objects with `code` ('EPERM', ...) and `errno` (a positive number).
 *
 * open(nsPath) runs setns(CLONE_NEWNET) on a short-lived pthread, never on the caller's thread:
 * the socket created there stays bound to that namespace after the thread exits, and the
 * Node thread's own namespace never changes. setns needs CAP_SYS_ADMIN (EPERM otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG 4
#endif

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  const char *name = NULL;
  switch (err) {
    case EPERM: name = "EPERM"; break;
    case EACCES: name = "EACCES"; break;
    case ENOENT: name = "ENOENT"; break;
    case EBADF: name = "EBADF"; break;
    case EINVAL: name = "EINVAL"; break;
    case ENOMEM: name = "ENOMEM"; break;
    case ENOBUFS: name = "ENOBUFS"; break;
    case EMFILE: name = "EMFILE"; break;
    case ENFILE: name = "ENFILE"; break;
    case EAGAIN: name = "EAGAIN"; break;
    case EPROTONOSUPPORT: name = "EPROTONOSUPPORT"; break;
    case EAFNOSUPPORT: name = "EAFNOSUPPORT"; break;
    case ENOTSOCK: name = "ENOTSOCK"; break;
    case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
    default: name = "EUNKNOWN"; break;
  }
  napi_value code, msg, error, errnum;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_throw(env, error);
  return NULL;
}

/* The socket is connected to the kernel (port id 0): the kernel then refuses datagrams from
   any other sender (ECONNREFUSED), so nobody who can reach this namespace's netlink ports can
   slip a forged reply in. connect() also binds the socket to a port id. */
static int open_here(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (connect(fd, (struct sockaddr *)&kernel, sizeof kernel) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

struct ns_job {
  const char *path;
  int fd;
  int err;
  const char *step;
};

static void *open_in_namespace(void *arg) {
  struct ns_job *job = arg;
  int ns = open(job->path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    job->err = errno;
    job->step = "open the namespace";
    return NULL;
  }
  /* setns(CLONE_NEWNET) changes this thread's network namespace only, and the thread ends
     right after creating the socket. */
  if (setns(ns, CLONE_NEWNET) != 0) {
    job->err = errno;
    job->step = "setns";
    close(ns);
    return NULL;
  }
  close(ns);
  job->fd = open_here();
  if (job->fd < 0) {
    job->err = errno;
    job->step = "socket";
  }
  return NULL;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype type = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &type);
  int fd;
  if (type == napi_string) {
    char path[4096];
    size_t length = 0;
    if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
        length >= sizeof path - 1) {
      napi_throw_type_error(env, NULL, "open: the namespace path is too long");
      return NULL;
    }
    struct ns_job job = {path, -1, 0, NULL};
    pthread_t thread;
    int err = pthread_create(&thread, NULL, open_in_namespace, &job);
    if (err != 0) return throw_errno(env, err, "pthread_create");
    pthread_join(thread, NULL);
    if (job.fd < 0) return throw_errno(env, job.err, job.step);
    fd = job.fd;
  } else if (type == napi_undefined || type == napi_null) {
    fd = open_here();
    if (fd < 0) return throw_errno(env, errno, "socket");
  } else {
    napi_throw_type_error(env, NULL, "open: the namespace must be a path or undefined");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/* Throws a TypeError "<who>: <what>"; returns 0, for the caller to return. */
static int type_error(napi_env env, const char *who, const char *what) {
  char message[128];
  snprintf(message, sizeof message, "%s: %s", who, what);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

/*
 * The call's first `count` arguments into argv; 0 (a TypeError naming the function thrown) when
 * fewer were passed.
 */
static int get_args(napi_env env, napi_callback_info info, const char *who, size_t count,
                    napi_value *argv) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= count) return 1;
  char expected[32];
  snprintf(expected, sizeof expected, "expected %zu argument%s", count, count == 1 ? "" : "s");
  return type_error(env, who, expected);
}

static napi_value int64_value(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static int get_fd(napi_env env, napi_value value, int *fd) {
  if (napi_get_value_int32(env, value, fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, NULL, "the descriptor must be a non-negative integer");
    return 0;
  }
  return 1;
}

static int get_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "expected a Uint8Array");
    return 0;
  }
  return 1;
}

/* One request to the kernel (port id 0), retried on EINTR: the byte count, or -1 with errno. */
static ssize_t send_to_kernel(int fd, const void *data, size_t length) {
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, data, length, 0, (struct sockaddr *)&kernel, sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

/*
 * One datagram of the kernel's into data: its full length (MSG_TRUNC: more than `length` when it
 * was cut), or -1 with errno. Only the kernel (port id 0) answers: a datagram of any other sender
 * is dropped, never handed up. The one receive of both the sync and the async exchange.
 */
static ssize_t recv_from_kernel(int fd, void *data, size_t length) {
  for (;;) {
    struct sockaddr_nl from;
    socklen_t from_length = sizeof from;
    memset(&from, 0, sizeof from);
    ssize_t got = recvfrom(fd, data, length, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (from_length >= sizeof from && from.nl_family == AF_NETLINK && from.nl_pid == 0) return got;
  }
}

/* The (fd, bytes) arguments of send and recv, and the same of exchangeAsync (from argv). */
static int get_fd_and_bytes(napi_env env, napi_value *argv, int *fd, void **data, size_t *length) {
  return get_fd(env, argv[0], fd) && get_bytes(env, argv[1], data, length);
}

/* send and recv: one call of `io` on (fd, bytes), its byte count, or the errno thrown at `step`. */
static napi_value fd_bytes_call(napi_env env, napi_callback_info info, const char *who,
                                ssize_t (*io)(int, void *, size_t), const char *step) {
  napi_value argv[2];
  int fd;
  void *data;
  size_t length;
  if (!get_args(env, info, who, 2, argv) || !get_fd_and_bytes(env, argv, &fd, &data, &length))
    return NULL;
  ssize_t done = io(fd, data, length);
  if (done < 0) return throw_errno(env, errno, step);
  return int64_value(env, done);
}

static ssize_t send_bytes(int fd, void *data, size_t length) {
  return send_to_kernel(fd, data, length);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  return fd_bytes_call(env, info, "send", send_bytes, "sendto");
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  return fd_bytes_call(env, info, "recv", recv_from_kernel, "recvfrom");
}

static napi_value js_port_id(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "portId", 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  struct sockaddr_nl self;
  socklen_t self_length = sizeof self;
  memset(&self, 0, sizeof self);
  if (getsockname(fd, (struct sockaddr *)&self, &self_length) != 0)
    return throw_errno(env, errno, "getsockname");
  napi_value result;
  napi_create_uint32(env, self.nl_pid, &result);
  return result;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "close", 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  if (close(fd) != 0) return throw_errno(env, errno, "close");
  return NULL;
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* Records are never allowed past this (the same cap the JS side used to grow its buffer to). */
#define LISTING_MAX (64u * 1024 * 1024)

/*
 * One listing of a folder's links. It is filled by list_links, which makes no N-API call and so
 * may run on any thread; `data` is malloc'ed and owned by the listing (freed by listing_free),
 * never by JS: JS gets a copy.
 */
struct listing {
  char path[4096];
  uint8_t *data;
  size_t used;
  size_t capacity;
  int err;          /* 0, or the errno of the step that failed */
  const char *step;
};

static int listing_fail(struct listing *l, int err, const char *step) {
  l->err = err;
  l->step = step;
  return -1;
}

/*
 * One spare buffer, kept between listings: a fresh malloc of this size is an mmap, and its free a
 * munmap, whose TLB flush interrupts the other thread of this process (the JS thread, busy with
 * its dumps). Taken and given back with atomic exchanges: any thread may list.
 */
struct spare_buffer {
  uint8_t *data;
  size_t capacity;
};
static struct spare_buffer *spare;

static void listing_take_spare(struct listing *l) {
  struct spare_buffer * s = __atomic_exchange_n(&spare, NULL, __ATOMIC_ACQ_REL);
  if (s == NULL) return;
  l->data = s->data;
  l->capacity = s->capacity;
  free(s);
}

static void listing_free(struct listing *l) {
  struct spare_buffer * s = NULL;
  if (l->data != NULL && l->capacity <= 4 * 1024 * 1024 && (s = malloc(sizeof *s)) != NULL) {
    s->data = l->data;
    s->capacity = l->capacity;
    s = __atomic_exchange_n(&spare, s, __ATOMIC_ACQ_REL);
    if (s != NULL) free(s->data);
  } else {
    free(l->data);
  }
  free(s);
  l->data = NULL;
  l->used = l->capacity = 0;
}

/*
 * Makes *data (of *capacity bytes) hold `need` bytes, doubling from `initial`, up to `max`: 0, or
 * the errno (E2BIG past `max`, ENOMEM).
 */
static int grow_bytes(uint8_t **data, size_t *capacity, size_t need, size_t initial, size_t max) {
  if (need <= *capacity) return 0;
  size_t size = *capacity ? *capacity : initial;
  while (size < need) size *= 2;
  if (size > max) return E2BIG;
  uint8_t *grown = realloc(*data, size);
  if (grown == NULL) return ENOMEM;
  *data = grown;
  *capacity = size;
  return 0;
}

/* Room for one more record with a target of up to `target` bytes (doubling, up to LISTING_MAX). */
static int listing_reserve(struct listing *l, size_t target) {
  size_t need = l->used + 8 + target + 4;
  int err = grow_bytes(&l->data, &l->capacity, need, 256 * 1024, LISTING_MAX);
  if (err != 0) return listing_fail(l, err, err == E2BIG ? "too many links" : "realloc");
  return 0;
}

/*
 * getdents64 + readlinkat over l->path into l->data: records of u32 name (the entry's name as a
 * number), u32 length, the target's bytes, padded to 4. Entries gone meanwhile (ENOENT) are left
 * out. Returns 0, or -1 with l->err and l->step set.
 */
static int list_links(struct listing *l) {
  if (l->data == NULL) listing_take_spare(l);
  int dir = open(l->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return listing_fail(l, errno, "open the folder");
  char entries[32768];
  size_t target = 256; /* most targets are short; a longer one grows this and is read again */
  for (;;) {
    long count = syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (count < 0) {
      listing_fail(l, errno, "getdents64");
      break;
    }
    if (count == 0) break;
    for (long at = 0; at < count && l->err == 0;) {
      struct linux_dirent64 *entry = (struct linux_dirent64 *)(entries + at);
      if (entry->d_name[0] == '.' || listing_reserve(l, target) != 0) {
        at += entry->d_reclen;
        continue;
      }
      uint8_t *out = l->data + l->used;
      ssize_t length = readlinkat(dir, entry->d_name, (char *)out + 8, target);
      if (length < 0 && errno != ENOENT) listing_fail(l, errno, "readlinkat");
      if (length >= 0 && (size_t)length == target) { /* maybe cut: read it again with more room */
        target = target < 4096 ? 4096 : target * 2;
        continue;
      }
      at += entry->d_reclen;
      if (length < 0) continue; /* closed since the listing, or failed (l->err ends the loop) */
      uint32_t name = (uint32_t)strtoul(entry->d_name, NULL, 10);
      uint32_t size = (uint32_t)length;
      memcpy(out, &name, 4);
      memcpy(out + 4, &size, 4);
      l->used += (8 + (size_t)length + 3) & ~(size_t)3;
    }
    if (l->err != 0) break;
  }
  close(dir);
  return l->err == 0 ? 0 : -1;
}

/* The folder argument into l->path; 0 (a TypeError thrown) when it is not a usable path. */
static int get_folder(napi_env env, napi_value value, struct listing *l, const char *who) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, l->path, sizeof l->path, &length) != napi_ok ||
      length >= sizeof l->path - 1)
    return type_error(env, who, "expected a folder path");
  return 1;
}

/* readlinks(folder, buffer): the listing on this thread, copied into buffer (-1: too small). */
static napi_value js_readlinks(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, "readlinks", 2, argv)) return NULL;
  struct listing l;
  memset(&l, 0, sizeof l);
  uint8_t *out;
  size_t capacity;
  if (!get_folder(env, argv[0], &l, "readlinks")) return NULL;
  if (!get_bytes(env, argv[1], (void **)&out, &capacity)) return NULL;
  if (list_links(&l) != 0) {
    listing_free(&l);
    return throw_errno(env, l.err, l.step);
  }
  int64_t used = l.used <= capacity ? (int64_t)l.used : -1;
  if (used > 0) memcpy(out, l.data, l.used);
  listing_free(&l);
  return int64_value(env, used);
}

/*
 * listStart(folder) / listJoin(handle, buffer): the same listing on a thread of its own, so the
 * caller can ask the kernel for its socket tables meanwhile (on a 2-core machine the two
 * overlap; listing /proc/<pid>/fd costs a few microseconds a descriptor in the kernel, and
 * nothing in it needs JS). The thread touches only its struct listing; JS touches it only after
 * pthread_join. The handle is an external whose finalizer joins and frees whatever JS left
 * behind, so the thread is always joined and the buffer always freed.
 */
struct pending {
  struct listing *listing; /* the thread's until joined; freed (NULL) once JS has its result */
  pthread_t thread;
  int joined;
};

/* Tags the handles listStart makes, so listJoin never takes another addon's external for one. */
static const napi_type_tag PENDING_TAG = {0x6e6574736f636b21ULL, 0x6c6973745374617aULL};

/* The listing thread's stack: list_links needs its 32 KiB getdents64 buffer and a few frames
   (libc's included) on top; a default stack would be 8 MiB, mapped until the thread is joined. */
#define LIST_THREAD_STACK (256u * 1024)

static void *list_thread(void *arg) {
  list_links(arg);
  return NULL;
}

static void pending_join(struct pending *p) {
  if (!p->joined) pthread_join(p->thread, NULL);
  p->joined = 1;
}

static void pending_release(struct pending *p) {
  if (p->listing == NULL) return;
  listing_free(p->listing);
  free(p->listing);
  p->listing = NULL;
}

/* Runs when the handle is collected, which may be long after listJoin (finalizers wait for the
   event loop): by then only this small struct is left, unless listJoin was never called. */
static void pending_finalize(napi_env env, void *data, void *hint) {
  struct pending *p = data;
  pending_join(p);
  pending_release(p);
  free(p);
}

/* A handle, or undefined when no thread can be started (the caller lists on its own thread). */
static napi_value js_list_start(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "listStart", 1, argv)) return NULL;
  struct pending *p = calloc(1, sizeof *p);
  struct listing *l = calloc(1, sizeof *l);
  if (p == NULL || l == NULL) {
    free(p);
    free(l);
    return NULL;
  }
  if (!get_folder(env, argv[0], l, "listStart")) {
    free(p);
    free(l);
    return NULL;
  }
  pthread_attr_t attr;
  int started = pthread_attr_init(&attr) == 0;
  if (started) {
    size_t stack = LIST_THREAD_STACK < PTHREAD_STACK_MIN ? PTHREAD_STACK_MIN : LIST_THREAD_STACK;
    started = pthread_attr_setstacksize(&attr, stack) == 0 &&
              pthread_create(&p->thread, &attr, list_thread, l) == 0;
    pthread_attr_destroy(&attr);
  }
  if (!started) {
    free(p);
    free(l);
    return NULL;
  }
  p->listing = l;
  napi_value handle;
  if (napi_create_external(env, p, pending_finalize, NULL, &handle) != napi_ok) {
    pending_finalize(env, p, NULL);
    return NULL;
  }
  /* Untagged, listJoin would refuse it: join the thread now and give no handle. */
  if (napi_type_tag_object(env, handle, &PENDING_TAG) != napi_ok) {
    pending_join(p);
    pending_release(p);
    p->joined = 1;
    /* p itself is freed by the finalizer of the external. */
    return NULL;
  }
  return handle;
}

/*
 * Waits for the thread, then copies the records into buffer and frees them: returns their byte
 * count. When they do not fit, copies nothing and returns the count all the same: call again
 * with a buffer that large. Throws the listing's error. Called again after that: 0.
 */
static napi_value js_list_join(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, "listJoin", 2, argv)) return NULL;
  struct pending *p = NULL;
  uint8_t *out;
  size_t capacity;
  bool ours = false;
  if (napi_check_object_type_tag(env, argv[0], &PENDING_TAG, &ours) != napi_ok ||
      !ours || napi_get_value_external(env, argv[0], (void **)&p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "listJoin: expected a handle of listStart");
    return NULL;
  }
  if (!get_bytes(env, argv[1], (void **)&out, &capacity)) return NULL;
  pending_join(p);
  struct listing *l = p->listing;
  size_t used = l != NULL ? l->used : 0;
  if (l != NULL && l->err != 0) {
    int err = l->err;
    const char *step = l->step;
    pending_release(p);
    return throw_errno(env, err, step);
  }
  if (used <= capacity) {
    if (used > 0) memcpy(out, l->data, used);
    pending_release(p);
  }
  return int64_value(env, (int64_t)used);
}

/* Rejects `deferred` with the Error throw_errno would throw. */
static void reject_errno(napi_env env, napi_deferred deferred, int err, const char *step) {
  throw_errno(env, err, step);
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  napi_reject_deferred(env, deferred, error);
}

/*
 * The end of a job on libuv's thread pool, on the JS thread: `deferred` resolved with a copy of
 * data[0, used) as a new ArrayBuffer, or rejected with the job's errno (`err`, at `step`).
 */
static void settle_with_bytes(napi_env env, napi_deferred deferred, napi_status status,
                              const uint8_t *data, size_t used, int err, const char *step) {
  napi_value result = NULL;
  void *bytes = NULL;
  if (status == napi_ok && err == 0 &&
      napi_create_arraybuffer(env, used, &bytes, &result) == napi_ok) {
    if (used > 0) memcpy(bytes, data, used);
    napi_resolve_deferred(env, deferred, result);
  } else {
    if (err == 0) reject_errno(env, deferred, ENOMEM, "napi_create_arraybuffer");
    else reject_errno(env, deferred, err, step);
  }
}

/*
 * A promise for a job queued on libuv's thread pool (`execute` makes no N-API call; `complete`
 * settles the promise and frees the job). NULL with an error thrown when no promise could be
 * made; *queued is 0 when the job was never queued (the promise is then rejected here, and the
 * caller frees the job, which nothing else holds).
 */
static napi_value queue_job(napi_env env, const char *name, napi_async_execute_callback execute,
                            napi_async_complete_callback complete, void *job,
                            napi_async_work *work, napi_deferred *deferred, int *queued) {
  napi_value resource, promise;
  *queued = 0;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
  if (napi_create_promise(env, deferred, &promise) != napi_ok)
    return throw_errno(env, ENOMEM, "napi_create_promise");
  if (napi_create_async_work(env, NULL, resource, execute, complete, job, work) != napi_ok ||
      napi_queue_async_work(env, *work) != napi_ok) {
    if (*work != NULL) napi_delete_async_work(env, *work);
    reject_errno(env, *deferred, EAGAIN, "napi_queue_async_work");
    return promise;
  }
  *queued = 1;
  return promise;
}

/*
 * listAsync(folder): a promise of the records as a new ArrayBuffer, the listing done on libuv's
 * thread pool (execute makes no N-API call; complete runs on the JS thread and frees it all).
 */
struct async_listing {
  struct listing listing;
  napi_async_work work;
  napi_deferred deferred;
};

static void async_execute(napi_env env, void *data) {
  list_links(&((struct async_listing *)data)->listing);
}

static void async_complete(napi_env env, napi_status status, void *data) {
  struct async_listing *a = data;
  struct listing *l = &a->listing;
  settle_with_bytes(env, a->deferred, status, l->data, l->used, l->err, l->step);
  napi_delete_async_work(env, a->work);
  listing_free(l);
  free(a);
}

static napi_value js_list_async(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "listAsync", 1, argv)) return NULL;
  struct async_listing *a = calloc(1, sizeof *a);
  if (a == NULL) return throw_errno(env, ENOMEM, "listAsync");
  if (!get_folder(env, argv[0], &a->listing, "listAsync")) {
    free(a);
    return NULL;
  }
  int queued;
  napi_value promise = queue_job(env, "netsock.listAsync", async_execute, async_complete, a,
                                 &a->work, &a->deferred, &queued);
  if (!queued) free(a);
  return promise;
}

/*
 * exchangeAsync(fd, request, seq, portId, datagramBytes): one whole netlink exchange as one work
 * item on libuv's thread pool: the request sent, then the kernel's datagrams received (the same
 * send_to_kernel and recv_from_kernel as send and recv, so the same sender check) until the reply
 * ends. The promise gives them undecoded, as records of u32 full length (recv's, MSG_TRUNC) and
 * the datagram's bytes (at most datagramBytes of them), padded to 4: TypeScript walks them with
 * the decoder of the sync path (src/netlink/message.ts), which says what a bad reply is.
 *
 * The reply ends at the first message with our sequence number and port id that ends it:
 * NLMSG_DONE, NLMSG_ERROR, NLMSG_OVERRUN, or a data message without NLM_F_MULTI (the one answer
 * of a get). A datagram the decoder will refuse (empty, cut, a header that does not fit) ends it
 * too: receiving more would only wait for what the decoder never reads.
 */
#define EXCHANGE_MAX (256u * 1024 * 1024)

struct async_exchange {
  int fd;
  uint32_t seq;
  uint32_t port_id;
  size_t datagram_bytes;
  uint8_t *request;
  size_t request_length;
  uint8_t *data; /* the records, malloc'ed; JS gets a copy */
  size_t used;
  size_t capacity;
  int err; /* 0, or the errno of the step that failed */
  const char *step;
  napi_async_work work;
  napi_deferred deferred;
};

/* Whether the reply ends in this datagram (or the decoder will refuse it). */
static int reply_ends(const uint8_t *bytes, size_t end, uint32_t seq, uint32_t port_id) {
  size_t offset = 0;
  while (offset < end) {
    struct nlmsghdr header;
    if (end - offset < sizeof header) return 1;
    memcpy(&header, bytes + offset, sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > end - offset) return 1;
    if (header.nlmsg_seq == seq && header.nlmsg_pid == port_id) {
      if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR ||
          header.nlmsg_type == NLMSG_OVERRUN)
        return 1;
      if (header.nlmsg_type != NLMSG_NOOP && (header.nlmsg_flags & NLM_F_MULTI) == 0) return 1;
    }
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
  return 0;
}

static int exchange_fail(struct async_exchange *x, int err, const char *step) {
  x->err = err;
  x->step = step;
  return -1;
}

/* Room for one more record (doubling, up to EXCHANGE_MAX). */
static int exchange_reserve(struct async_exchange *x) {
  size_t need = x->used + 4 + x->datagram_bytes + 3;
  int err = grow_bytes(&x->data, &x->capacity, need, 2 * need, EXCHANGE_MAX);
  if (err != 0) return exchange_fail(x, err, err == E2BIG ? "the reply is too large" : "realloc");
  return 0;
}

/* The exchange itself: no N-API call, so it runs on any thread. */
static void exchange_run(struct async_exchange *x) {
  if (send_to_kernel(x->fd, x->request, x->request_length) < 0) {
    exchange_fail(x, errno, "sendto");
    return;
  }
  for (;;) {
    if (exchange_reserve(x) != 0) return;
    uint8_t *record = x->data + x->used;
    ssize_t got = recv_from_kernel(x->fd, record + 4, x->datagram_bytes);
    if (got < 0) {
      exchange_fail(x, errno, "recvfrom");
      return;
    }
    uint32_t full = got > (ssize_t)UINT32_MAX ? UINT32_MAX : (uint32_t)got;
    size_t kept = (size_t)got < x->datagram_bytes ? (size_t)got : x->datagram_bytes;
    memcpy(record, &full, 4);
    x->used += (4 + kept + 3) & ~(size_t)3;
    if (got == 0 || (size_t)got > x->datagram_bytes ||
        reply_ends(record + 4, kept, x->seq, x->port_id))
      return;
  }
}

static void exchange_execute(napi_env env, void *data) {
  exchange_run(data);
}

static void exchange_free(struct async_exchange *x) {
  free(x->request);
  free(x->data);
  free(x);
}

static void exchange_complete(napi_env env, napi_status status, void *data) {
  struct async_exchange *x = data;
  settle_with_bytes(env, x->deferred, status, x->data, x->used, x->err, x->step);
  napi_delete_async_work(env, x->work);
  exchange_free(x);
}

/* An integer in [0, 2^32) into *out; 0 (a TypeError saying `what` thrown) otherwise. */
static int get_uint32(napi_env env, napi_value value, uint32_t *out, const char *what) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0) ||
      number > UINT32_MAX || number != (double)(uint32_t)number)
    return type_error(env, "exchangeAsync", what);
  *out = (uint32_t)number;
  return 1;
}

static napi_value js_exchange_async(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, "exchangeAsync", 5, argv)) return NULL;
  int fd;
  void *request;
  size_t request_length;
  uint32_t seq, port_id, datagram_bytes;
  if (!get_fd_and_bytes(env, argv, &fd, &request, &request_length) ||
      !get_uint32(env, argv[2], &seq, "the sequence number must be an integer in [0, 2^32)") ||
      !get_uint32(env, argv[3], &port_id, "the port id must be an integer in [0, 2^32)") ||
      !get_uint32(env, argv[4], &datagram_bytes, "the datagram size must be an integer"))
    return NULL;
  if (datagram_bytes < 16 || datagram_bytes > 16u * 1024 * 1024) {
    napi_throw_range_error(env, NULL, "exchangeAsync: the datagram size must be 16 B to 16 MiB");
    return NULL;
  }
  struct async_exchange *x = calloc(1, sizeof *x);
  /* The request is copied: the thread must not read memory the garbage collector owns. */
  if (x == NULL || (x->request = malloc(request_length ? request_length : 1)) == NULL) {
    free(x);
    return throw_errno(env, ENOMEM, "exchangeAsync");
  }
  memcpy(x->request, request, request_length);
  x->request_length = request_length;
  x->fd = fd;
  x->seq = seq;
  x->port_id = port_id;
  x->datagram_bytes = datagram_bytes;
  int queued;
  napi_value promise = queue_job(env, "netsock.exchangeAsync", exchange_execute,
                                 exchange_complete, x, &x->work, &x->deferred, &queued);
  if (!queued) exchange_free(x);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeAsync", NULL, js_exchange_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"portId", NULL, js_port_id, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readlinks", NULL, js_readlinks, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listStart", NULL, js_list_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listJoin", NULL, js_list_join, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listAsync", NULL, js_list_async, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
