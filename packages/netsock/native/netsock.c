/*
 * The whole native part of @procmon/netsock: a NETLINK_SOCK_DIAG socket, opened in the caller's
 * network namespace or in another one, and raw send/recv of bytes. Every netlink message is
 * built and parsed in TypeScript (src/netlink/); this file knows no message layout.
 *
 *   open(nsPath?: string): number          a NETLINK_SOCK_DIAG socket (close-on-exec), connected
 *                                          to the kernel so no other sender reaches it
 *   send(fd: number, bytes: Uint8Array): number
 *   recv(fd: number, buffer: Uint8Array): number   bytes of one datagram (its full length,
 *                                          even when it was longer than the buffer: MSG_TRUNC);
 *                                          datagrams not sent by the kernel are dropped
 *   portId(fd: number): number             the socket's netlink port id (getsockname), which the
 *                                          kernel writes as nlmsg_pid in its replies
 *   close(fd: number): undefined
 *   readlinks(dirPath: string, buffer: Uint8Array): number
 *                                          every link of a folder (a /proc/<pid>/fd), read with
 *                                          getdents64 + readlinkat: records of u32 name (the
 *                                          entry's name as a number), u32 length, the target's
 *                                          bytes, padded to 4; -1 when the buffer is too small.
 *                                          Entries gone meanwhile (ENOENT) are left out.
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

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd;
  void *data;
  size_t length;
  if (argc < 2 || !get_fd(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &length))
    return NULL;
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, data, length, 0, (struct sockaddr *)&kernel, sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return throw_errno(env, errno, "sendto");
  napi_value result;
  napi_create_int64(env, sent, &result);
  return result;
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd;
  void *data;
  size_t length;
  if (argc < 2 || !get_fd(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &length))
    return NULL;
  ssize_t got;
  for (;;) {
    struct sockaddr_nl from;
    socklen_t from_length = sizeof from;
    memset(&from, 0, sizeof from);
    got = recvfrom(fd, data, length, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return throw_errno(env, errno, "recvfrom");
    /* Only the kernel (port id 0) answers: anything else is dropped, never handed up. */
    if (from_length >= sizeof from && from.nl_family == AF_NETLINK && from.nl_pid == 0) break;
  }
  napi_value result;
  napi_create_int64(env, got, &result);
  return result;
}

static napi_value js_port_id(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd;
  if (argc < 1 || !get_fd(env, argv[0], &fd)) return NULL;
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
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd;
  if (argc < 1 || !get_fd(env, argv[0], &fd)) return NULL;
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

static napi_value js_readlinks(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char path[4096];
  size_t path_length = 0;
  uint8_t *out;
  size_t capacity;
  if (argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_length) != napi_ok ||
      path_length >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "readlinks: expected a folder path");
    return NULL;
  }
  if (!get_bytes(env, argv[1], (void **)&out, &capacity)) return NULL;
  int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return throw_errno(env, errno, "open the folder");
  char entries[32768];
  size_t used = 0;
  int too_small = 0;
  for (;;) {
    long count = syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (count < 0) {
      int err = errno;
      close(dir);
      return throw_errno(env, err, "getdents64");
    }
    if (count == 0) break;
    for (long at = 0; at < count;) {
      struct linux_dirent64 *entry = (struct linux_dirent64 *)(entries + at);
      at += entry->d_reclen;
      if (entry->d_name[0] == '.') continue;
      if (capacity - used < 8 + 256) {
        too_small = 1;
        break;
      }
      ssize_t length = readlinkat(dir, entry->d_name, (char *)out + used + 8, capacity - used - 8);
      if (length < 0) {
        if (errno == ENOENT) continue; /* closed since the listing */
        int err = errno;
        close(dir);
        return throw_errno(env, err, "readlinkat");
      }
      if ((size_t)length >= capacity - used - 8) {
        too_small = 1;
        break;
      }
      uint32_t name = (uint32_t)strtoul(entry->d_name, NULL, 10);
      uint32_t size = (uint32_t)length;
      memcpy(out + used, &name, 4);
      memcpy(out + used + 4, &size, 4);
      used += (8 + (size_t)length + 3) & ~(size_t)3;
    }
    if (too_small) break;
  }
  close(dir);
  napi_value result;
  napi_create_int64(env, too_small ? -1 : (int64_t)used, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"portId", NULL, js_port_id, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readlinks", NULL, js_readlinks, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
