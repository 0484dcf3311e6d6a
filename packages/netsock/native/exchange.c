/*
 * Netlink datagrams to and from the kernel: send and recv, one at a time on the caller's thread,
 * and exchangeAsync, a whole exchange on libuv's thread pool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

napi_value js_send(napi_env env, napi_callback_info info) {
  return fd_bytes_call(env, info, "send", send_bytes, "sendto");
}

napi_value js_recv(napi_env env, napi_callback_info info) {
  return fd_bytes_call(env, info, "recv", recv_from_kernel, "recvfrom");
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

napi_value js_exchange_async(napi_env env, napi_callback_info info) {
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
