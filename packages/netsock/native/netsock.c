/*
 * The whole native part of @procmon/netsock: a NETLINK_SOCK_DIAG socket, opened in the caller's
 * network namespace or in another one, and raw send/recv of bytes (one datagram at a time, or a
 * whole exchange on libuv's thread pool). Every netlink message is built and parsed in TypeScript
 * (src/netlink/); exchange.c reads only the message header, to know where a reply ends.
 *
 * Files: this one (opening and closing the socket, the module's functions), exchange.c (send,
 * recv, exchangeAsync), multicast.c (a reader thread on multicast groups: subscribe, ...), util.c
 * (what they share). A process's descriptors are listed by
 * @procmon/procfs (its `links` op), not here: one owner for /proc reads in native code.
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
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG 4
#endif
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

static napi_value js_port_id(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "portId", 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  return port_id_value(env, fd);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, "close", 1, argv)) return NULL;
  int fd;
  if (!get_fd(env, argv[0], &fd)) return NULL;
  if (close(fd) != 0) return throw_errno(env, errno, "close");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"exchangeAsync", NULL, js_exchange_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"portId", NULL, js_port_id, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  register_multicast(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
