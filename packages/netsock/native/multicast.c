/*
 * A netlink multicast reader: a socket bound to some groups of a netlink protocol, drained by a
 * thread of its own so the kernel's datagrams are taken off the socket as fast as they come,
 * whatever JavaScript is doing. The thread never waits for JS: it appends each datagram to a
 * pending buffer (capped), and wakes JS through a threadsafe function when that buffer went
 * from empty to non-empty (at the end of a drain, or every 256 records of a long one); the JS
 * call takes everything pending at once.
 *
 *   subscribe(protocol, groupsMask, receiveBufferBytes, onBatch(batch: ArrayBuffer),
 *             queueCapBytes?: number,       the pending buffer's cap, 64 MiB unless set
 *             batchDelayMicros?: number): handle   how long datagrams gather after the first
 *                                          before one drain and one JS call take them (0)
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
 *
 * This file is the N-API side (the handle, its lifetime, the threadsafe function);
 * multicast-reader.c is the thread and its pending buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "multicast.h"
#include "util.h"

#define DEFAULT_PENDING_CAP (64u * 1024 * 1024)

static const napi_type_tag SUBSCRIPTION_TAG = {0x6e6574736f636b21ULL, 0x6d756c7469636173ULL};

static void release_holder(struct subscription *sub) {
  if (--sub->holders > 0) return;
  pthread_mutex_destroy(&sub->lock);
  free(sub->pending);
  free(sub);
}

/* On the JS thread: everything pending as one ArrayBuffer, to onBatch. */
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  struct subscription *sub = context;
  if (env == NULL || callback == NULL || sub->stopped) return;
  uint8_t *taken;
  size_t total = take_pending(sub, &taken);
  if (total == 0) return;
  void *bytes = NULL;
  napi_value batch, global;
  if (napi_create_arraybuffer(env, total, &bytes, &batch) != napi_ok) {
    free(taken);
    return;
  }
  memcpy(bytes, taken, total);
  free(taken);
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
  napi_value argv[6];
  uint32_t protocol, mask, buffer_bytes, cap = DEFAULT_PENDING_CAP, delay_us = 0;
  size_t argc = 6;
  napi_valuetype cap_type = napi_undefined, delay_type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok) {
    if (argc >= 5) napi_typeof(env, argv[4], &cap_type);
    if (argc >= 6) napi_typeof(env, argv[5], &delay_type);
  }
  if (!get_args(env, info, "subscribe", 4, argv) ||
      !get_uint32_arg(env, argv[0], "subscribe", "protocol must be an integer 0..2^32-1",
                      &protocol) ||
      !get_uint32_arg(env, argv[1], "subscribe", "groupsMask must be an integer 0..2^32-1",
                      &mask) ||
      !get_uint32_arg(env, argv[2], "subscribe",
                      "receiveBufferBytes must be an integer 0..2^32-1", &buffer_bytes) ||
      (cap_type != napi_undefined &&
       !get_uint32_arg(env, argv[4], "subscribe", "queueCapBytes must be an integer 0..2^32-1",
                       &cap)) ||
      (delay_type != napi_undefined &&
       !get_uint32_arg(env, argv[5], "subscribe",
                       "batchDelayMicros must be an integer 0..1000000", &delay_us)))
    return NULL;
  if (delay_us > 1000000)
    return (type_error(env, "subscribe", "batchDelayMicros must be an integer 0..1000000"), NULL);
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
  sub->batch_delay_us = delay_us;
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
  return port_id_value(env, sub->fd);
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
