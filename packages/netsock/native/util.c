/*
 * What the addon's files share: errors thrown as the JS side expects them, argument checks, jobs
 * on libuv's thread pool settled as promises of bytes, buffers that grow, and the one send and
 * the one receive of every netlink datagram (only the kernel's answers are handed up).
 */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

napi_value throw_errno(napi_env env, int err, const char *what) {
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

/* Throws a TypeError "<who>: <what>"; returns 0, for the caller to return. */
int type_error(napi_env env, const char *who, const char *what) {
  char message[128];
  snprintf(message, sizeof message, "%s: %s", who, what);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

/*
 * The call's first `count` arguments into argv; 0 (a TypeError naming the function thrown) when
 * fewer were passed.
 */
int get_args(napi_env env, napi_callback_info info, const char *who, size_t count,
                    napi_value *argv) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= count) return 1;
  char expected[32];
  snprintf(expected, sizeof expected, "expected %zu argument%s", count, count == 1 ? "" : "s");
  return type_error(env, who, expected);
}

napi_value int64_value(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

int get_fd(napi_env env, napi_value value, int *fd) {
  if (napi_get_value_int32(env, value, fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, NULL, "the descriptor must be a non-negative integer");
    return 0;
  }
  return 1;
}

int get_bytes(napi_env env, napi_value value, void **data, size_t *length) {
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
ssize_t send_to_kernel(int fd, const void *data, size_t length) {
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
ssize_t recv_from_kernel(int fd, void *data, size_t length) {
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
int get_fd_and_bytes(napi_env env, napi_value *argv, int *fd, void **data, size_t *length) {
  return get_fd(env, argv[0], fd) && get_bytes(env, argv[1], data, length);
}

/*
 * Makes *data (of *capacity bytes) hold `need` bytes, doubling from `initial`, up to `max`: 0, or
 * the errno (E2BIG past `max`, ENOMEM).
 */
int grow_bytes(uint8_t **data, size_t *capacity, size_t need, size_t initial, size_t max) {
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

/* Rejects `deferred` with the Error throw_errno would throw. */
void reject_errno(napi_env env, napi_deferred deferred, int err, const char *step) {
  throw_errno(env, err, step);
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  napi_reject_deferred(env, deferred, error);
}

/*
 * The end of a job on libuv's thread pool, on the JS thread: `deferred` resolved with a copy of
 * data[0, used) as a new ArrayBuffer, or rejected with the job's errno (`err`, at `step`).
 */
void settle_with_bytes(napi_env env, napi_deferred deferred, napi_status status,
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
napi_value queue_job(napi_env env, const char *name, napi_async_execute_callback execute,
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

/* A netlink socket's port id (getsockname), which the kernel writes as nlmsg_pid in its
   replies; thrown as an errno error when it cannot be read. */
napi_value port_id_value(napi_env env, int fd) {
  struct sockaddr_nl self;
  socklen_t self_length = sizeof self;
  memset(&self, 0, sizeof self);
  if (getsockname(fd, (struct sockaddr *)&self, &self_length) != 0)
    return throw_errno(env, errno, "getsockname");
  napi_value result;
  napi_create_uint32(env, self.nl_pid, &result);
  return result;
}
