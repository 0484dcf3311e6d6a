/*
 * A netlink multicast reader: a socket bound to some groups of a netlink protocol, drained by a
 * thread of its own so the kernel's datagrams are taken off the socket as fast as they come,
 * whatever JavaScript is doing. The thread never waits for JS: it appends each datagram to a
 * pending buffer (capped), and wakes JS through a threadsafe function only when that buffer goes
 * from empty to non-empty; the JS call takes everything pending at once.
 *
 *   subscribe(protocol, groupsMask, receiveBufferBytes, onBatch(batch: ArrayBuffer),
 *             queueCapBytes?: number): handle       (the pending buffer's cap, 64 MiB unless set)
 *   multicastSend(handle, bytes: Uint8Array): number      sendto the kernel (port id 0)
 *   multicastPortId(handle): number                        the socket's port id (getsockname)
 *   unsubscribe(handle): undefined                          idempotent
 *   refSubscription(handle, ref: boolean): undefined        keeps the event loop alive or not
 *
 * A batch is records `[u32 kind][u32 length][bytes, padded to 4]`, in arrival order:
 *   0 a datagram (length = its bytes), 1 an overrun (recvmsg gave ENOBUFS: the kernel dropped
 *   some; length 0), 2 datagrams dropped here (the pending buffer was full, or a datagram did not
 *   fit the receive buffer; length = how many, no bytes), 3 the socket failed (length 4, the
 *   errno; the reader has stopped).
 *
 * Only the kernel's multicasts are kept: sender port id 0 and a group of ours in nl_groups (the
 * kernel writes the group's mask there; a unicast datagram has 0). Anyone in the network namespace
 * can send a unicast datagram to our port id: it is dropped here, unseen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_PENDING_CAP (64u * 1024 * 1024)
#define DATAGRAM_BYTES (64u * 1024)
#define RECORD_DATAGRAM 0u
#define RECORD_OVERRUN 1u
#define RECORD_DROPPED 2u
#define RECORD_FAILED 3u

static const napi_type_tag SUBSCRIPTION_TAG = {0x6e6574736f636b21ULL, 0x6d756c7469636173ULL};

struct subscription {
  int fd;
  int wake_fd;
  uint32_t groups_mask;
  pthread_t thread;
  int thread_started;
  napi_threadsafe_function tsfn;
  napi_env env;
  pthread_mutex_t lock;
  /* Under lock: the records not yet handed to JS, and datagrams dropped since the last hand-over
     (reported after everything pending: once dropping starts, every datagram is dropped until JS
     takes the buffer, so the order holds). */
  uint8_t *pending;
  size_t used;
  size_t capacity;
  uint32_t dropped;
  size_t pending_cap;
  /* The last record pending is an overrun: another one says nothing new, and would let the
     buffer grow past its cap while JS is away. */
  int overrun_last;
  /* An overrun while datagrams were being dropped: reported after the dropped count. */
  int overrun_after_drop;
  /* Main thread only. */
  int stopped;
  int hook_registered;
  /* Freed when both the External and the threadsafe function are finalized. */
  int holders;
};

static void release_holder(struct subscription *sub) {
  if (--sub->holders > 0) return;
  pthread_mutex_destroy(&sub->lock);
  free(sub->pending);
  free(sub);
}

static size_t padded(size_t length) { return (length + 3u) & ~(size_t)3u; }

/* Under lock: one record appended; 0, or ENOMEM. Loss records may pass the cap by their 8 or 12
   bytes: the cap is for datagrams. */
static int append_record(struct subscription *sub, uint32_t kind, uint32_t length,
                         const void *bytes, size_t byte_count) {
  size_t need = sub->used + 8 + padded(byte_count);
  if (grow_bytes(&sub->pending, &sub->capacity, need, 4096, 2 * sub->pending_cap + 64) != 0)
    return ENOMEM;
  uint8_t *at = sub->pending + sub->used;
  memcpy(at, &kind, 4);
  memcpy(at + 4, &length, 4);
  if (byte_count > 0) memcpy(at + 8, bytes, byte_count);
  memset(at + 8 + byte_count, 0, padded(byte_count) - byte_count);
  sub->used = need;
  return 0;
}

/* The reader's hand-over: a record added, and JS woken when the buffer was empty before. */
static void deliver(struct subscription *sub, uint32_t kind, const void *bytes, size_t length) {
  pthread_mutex_lock(&sub->lock);
  int was_empty = sub->used == 0 && sub->dropped == 0;
  if (kind == RECORD_DATAGRAM) {
    if (sub->dropped > 0 || sub->used + 8 + padded(length) > sub->pending_cap ||
        append_record(sub, kind, (uint32_t)length, bytes, length) != 0)
      sub->dropped++;
    else
      sub->overrun_last = 0;
  } else if (kind == RECORD_DROPPED) {
    sub->dropped++;
  } else if (kind == RECORD_OVERRUN && sub->dropped > 0) {
    sub->overrun_after_drop = 1;
  } else if (kind == RECORD_OVERRUN && sub->overrun_last) {
    /* the same news as the record before it */
  } else {
    /* An overrun or a failure: its errno (if any) as the bytes. */
    if (append_record(sub, kind, (uint32_t)length, bytes, length) != 0) sub->dropped++;
    else sub->overrun_last = kind == RECORD_OVERRUN;
  }
  pthread_mutex_unlock(&sub->lock);
  if (was_empty) napi_call_threadsafe_function(sub->tsfn, NULL, napi_tsfn_nonblocking);
}

static void *read_loop(void *arg) {
  struct subscription *sub = arg;
  uint8_t *datagram = malloc(DATAGRAM_BYTES);
  if (datagram == NULL) {
    int err = ENOMEM;
    deliver(sub, RECORD_FAILED, &err, 4);
    return NULL;
  }
  struct pollfd fds[2] = {{sub->fd, POLLIN, 0}, {sub->wake_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      deliver(sub, RECORD_FAILED, &err, 4);
      break;
    }
    if (fds[1].revents != 0) break;
    int failed = 0;
    for (;;) {
      struct sockaddr_nl from;
      memset(&from, 0, sizeof from);
      struct iovec io = {datagram, DATAGRAM_BYTES};
      struct msghdr msg;
      memset(&msg, 0, sizeof msg);
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &io;
      msg.msg_iovlen = 1;
      ssize_t got = recvmsg(sub->fd, &msg, MSG_DONTWAIT);
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == ENOBUFS) {
          deliver(sub, RECORD_OVERRUN, NULL, 0);
          continue;
        }
        int err = errno;
        deliver(sub, RECORD_FAILED, &err, 4);
        failed = 1;
        break;
      }
      if (msg.msg_namelen < sizeof from || from.nl_family != AF_NETLINK || from.nl_pid != 0 ||
          (from.nl_groups & sub->groups_mask) == 0)
        continue; /* not the kernel, or not a multicast of ours: never handed up */
      if (msg.msg_flags & MSG_TRUNC) {
        deliver(sub, RECORD_DROPPED, NULL, 0);
        continue;
      }
      deliver(sub, RECORD_DATAGRAM, datagram, (size_t)got);
    }
    if (failed) break;
  }
  free(datagram);
  return NULL;
}

/* On the JS thread: everything pending, swapped out under the lock, as one ArrayBuffer. */
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  struct subscription *sub = context;
  if (env == NULL || callback == NULL || sub->stopped) return;
  pthread_mutex_lock(&sub->lock);
  uint8_t *taken = sub->pending;
  size_t used = sub->used;
  uint32_t dropped = sub->dropped;
  int overrun_after_drop = sub->overrun_after_drop;
  sub->pending = NULL;
  sub->used = 0;
  sub->capacity = 0;
  sub->dropped = 0;
  sub->overrun_last = 0;
  sub->overrun_after_drop = 0;
  pthread_mutex_unlock(&sub->lock);
  if (used == 0 && dropped == 0) {
    free(taken);
    return;
  }
  size_t total = used + (dropped > 0 ? 8 : 0) + (overrun_after_drop ? 8 : 0);
  void *bytes = NULL;
  napi_value batch, global;
  if (napi_create_arraybuffer(env, total, &bytes, &batch) != napi_ok) {
    free(taken);
    return;
  }
  if (used > 0) memcpy(bytes, taken, used);
  free(taken);
  if (dropped > 0) {
    uint32_t record[2] = {RECORD_DROPPED, dropped};
    memcpy((uint8_t *)bytes + used, record, 8);
  }
  if (overrun_after_drop) {
    uint32_t record[2] = {RECORD_OVERRUN, 0};
    memcpy((uint8_t *)bytes + total - 8, record, 8);
  }
  napi_get_global(env, &global);
  napi_call_function(env, global, callback, 1, &batch, NULL);
}

static void tsfn_finalized(napi_env env, void *data, void *hint) { release_holder(hint); }

/* Stops the reader and closes everything; main thread only, idempotent. */
static void stop(struct subscription *sub) {
  if (sub->stopped) return;
  sub->stopped = 1;
  if (sub->thread_started) {
    uint64_t one = 1;
    ssize_t written;
    do {
      written = write(sub->wake_fd, &one, sizeof one);
    } while (written < 0 && errno == EINTR);
    pthread_join(sub->thread, NULL);
    sub->thread_started = 0;
  }
  if (sub->fd >= 0) close(sub->fd);
  if (sub->wake_fd >= 0) close(sub->wake_fd);
  sub->fd = sub->wake_fd = -1;
  if (sub->tsfn != NULL) napi_release_threadsafe_function(sub->tsfn, napi_tsfn_abort);
  sub->tsfn = NULL;
}

/* The environment is going away (a worker ends, the process exits): no thread outlives it. */
static void env_cleanup(void *arg) {
  struct subscription *sub = arg;
  sub->hook_registered = 0;
  stop(sub);
}

static void unhook_and_stop(struct subscription *sub) {
  if (sub->hook_registered) {
    napi_remove_env_cleanup_hook(sub->env, env_cleanup, sub);
    sub->hook_registered = 0;
  }
  stop(sub);
}

static void external_finalized(napi_env env, void *data, void *hint) {
  struct subscription *sub = data;
  unhook_and_stop(sub); /* dropped without unsubscribe: the thread and socket go with it */
  release_holder(sub);
}

static int get_subscription(napi_env env, napi_value value, const char *who,
                            struct subscription **sub) {
  bool tagged = false;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &SUBSCRIPTION_TAG, &tagged) != napi_ok || !tagged)
    return type_error(env, who, "handle must be a subscription of subscribe()");
  return napi_get_value_external(env, value, (void **)sub) == napi_ok;
}

static int get_uint32_arg(napi_env env, napi_value value, const char *who, const char *what,
                          uint32_t *out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number ||
      napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0) ||
      number > 4294967295.0 || number != (double)(uint32_t)number)
    return type_error(env, who, what);
  *out = (uint32_t)number;
  return 1;
}

/* The socket, bound to the groups, its receive buffer set; -1 with errno and *step. */
static int open_socket(uint32_t protocol, uint32_t mask, uint32_t buffer_bytes, const char **step) {
  *step = "socket";
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, (int)protocol);
  if (fd < 0) return -1;
  if (buffer_bytes > 0) {
    int size = buffer_bytes > INT32_MAX ? INT32_MAX : (int)buffer_bytes;
    /* SO_RCVBUFFORCE passes net.core.rmem_max; it needs CAP_NET_ADMIN. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0) {
      *step = "setsockopt SO_RCVBUF";
      goto fail;
    }
  }
  struct sockaddr_nl self;
  memset(&self, 0, sizeof self);
  self.nl_family = AF_NETLINK;
  self.nl_groups = mask;
  if (bind(fd, (struct sockaddr *)&self, sizeof self) != 0) {
    *step = "bind";
    goto fail;
  }
  return fd;
fail: {
  int err = errno;
  close(fd);
  errno = err;
  return -1;
}
}

static napi_value js_subscribe(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  uint32_t protocol, mask, buffer_bytes, cap = DEFAULT_PENDING_CAP;
  size_t argc = 5;
  napi_valuetype cap_type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 5)
    napi_typeof(env, argv[4], &cap_type);
  if (!get_args(env, info, "subscribe", 4, argv) ||
      !get_uint32_arg(env, argv[0], "subscribe", "protocol must be an integer 0..2^32-1",
                      &protocol) ||
      !get_uint32_arg(env, argv[1], "subscribe", "groupsMask must be an integer 0..2^32-1",
                      &mask) ||
      !get_uint32_arg(env, argv[2], "subscribe",
                      "receiveBufferBytes must be an integer 0..2^32-1", &buffer_bytes) ||
      (cap_type != napi_undefined &&
       !get_uint32_arg(env, argv[4], "subscribe", "queueCapBytes must be an integer 0..2^32-1",
                       &cap)))
    return NULL;
  napi_valuetype type;
  napi_typeof(env, argv[3], &type);
  if (type != napi_function) return (type_error(env, "subscribe", "onBatch must be a function"), NULL);
  if (mask == 0) return (type_error(env, "subscribe", "groupsMask must name a group"), NULL);

  const char *step;
  int fd = open_socket(protocol, mask, buffer_bytes, &step);
  if (fd < 0) return throw_errno(env, errno, step);
  int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "eventfd");
  }
  struct subscription *sub = calloc(1, sizeof *sub);
  if (sub == NULL) {
    close(fd);
    close(wake_fd);
    return throw_errno(env, ENOMEM, "subscribe");
  }
  sub->fd = fd;
  sub->wake_fd = wake_fd;
  sub->groups_mask = mask;
  sub->pending_cap = cap;
  sub->env = env;
  sub->holders = 1; /* the threadsafe function; the External adds one */
  pthread_mutex_init(&sub->lock, NULL);

  napi_value name;
  napi_create_string_utf8(env, "netsock multicast", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, NULL, tsfn_finalized, sub,
                                      call_js, &sub->tsfn) != napi_ok) {
    close(fd);
    close(wake_fd);
    pthread_mutex_destroy(&sub->lock);
    free(sub);
    return throw_errno(env, ENOMEM, "napi_create_threadsafe_function");
  }
  napi_value handle;
  if (napi_create_external(env, sub, external_finalized, NULL, &handle) != napi_ok ||
      napi_type_tag_object(env, handle, &SUBSCRIPTION_TAG) != napi_ok) {
    stop(sub); /* the tsfn's finalizer frees sub */
    return throw_errno(env, ENOMEM, "napi_create_external");
  }
  sub->holders++;
  /* Registered after the threadsafe function: hooks run last-added first, so this one stops the
     thread and releases the function before Node tears the function down. */
  if (napi_add_env_cleanup_hook(env, env_cleanup, sub) == napi_ok) sub->hook_registered = 1;

  /* The reader takes no signal: they stay with Node's threads. */
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int err = pthread_create(&sub->thread, NULL, read_loop, sub);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (err != 0) {
    unhook_and_stop(sub);
    return throw_errno(env, err, "pthread_create");
  }
  sub->thread_started = 1;
  return handle;
}

static napi_value js_multicast_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct subscription *sub;
  void *data;
  size_t length;
  if (!get_args(env, info, "multicastSend", 2, argv) ||
      !get_subscription(env, argv[0], "multicastSend", &sub) ||
      !get_bytes(env, argv[1], &data, &length))
    return NULL;
  if (sub->stopped) return throw_errno(env, EBADF, "multicastSend: the subscription is closed");
  ssize_t sent = send_to_kernel(sub->fd, data, length);
  if (sent < 0) return throw_errno(env, errno, "sendto");
  return int64_value(env, sent);
}

static napi_value js_multicast_port_id(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct subscription *sub;
  if (!get_args(env, info, "multicastPortId", 1, argv) ||
      !get_subscription(env, argv[0], "multicastPortId", &sub))
    return NULL;
  if (sub->stopped) return throw_errno(env, EBADF, "multicastPortId: the subscription is closed");
  struct sockaddr_nl self;
  socklen_t self_length = sizeof self;
  memset(&self, 0, sizeof self);
  if (getsockname(sub->fd, (struct sockaddr *)&self, &self_length) != 0)
    return throw_errno(env, errno, "getsockname");
  napi_value result;
  napi_create_uint32(env, self.nl_pid, &result);
  return result;
}

static napi_value js_unsubscribe(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct subscription *sub;
  if (!get_args(env, info, "unsubscribe", 1, argv) ||
      !get_subscription(env, argv[0], "unsubscribe", &sub))
    return NULL;
  unhook_and_stop(sub);
  return NULL;
}

static napi_value js_ref_subscription(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct subscription *sub;
  bool ref;
  if (!get_args(env, info, "refSubscription", 2, argv) ||
      !get_subscription(env, argv[0], "refSubscription", &sub))
    return NULL;
  if (napi_get_value_bool(env, argv[1], &ref) != napi_ok)
    return (type_error(env, "refSubscription", "ref must be a boolean"), NULL);
  if (sub->stopped) return NULL;
  if (ref) napi_ref_threadsafe_function(env, sub->tsfn);
  else napi_unref_threadsafe_function(env, sub->tsfn);
  return NULL;
}

void register_multicast(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"subscribe", NULL, js_subscribe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"multicastSend", NULL, js_multicast_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"multicastPortId", NULL, js_multicast_port_id, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unsubscribe", NULL, js_unsubscribe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"refSubscription", NULL, js_ref_subscription, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
