/*
 * The reader thread of a multicast subscription (see multicast.c): it drains the socket as fast
 * as datagrams come, keeps only the kernel's multicasts on our groups, and appends them to the
 * pending buffer under its lock, never waiting for JS. JS is woken only when the buffer goes from
 * empty to non-empty; take_pending hands everything over at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "multicast.h"
#include "util.h"

#define DATAGRAM_BYTES (64u * 1024)

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

/* The reader's hand-over: a record added. Whether the buffer was empty before: JS is woken then
   (by the caller, after its drain: see read_loop). */
static int add(struct subscription *sub, uint32_t kind, const void *bytes, size_t length) {
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
  return was_empty;
}

static void wake_js(struct subscription *sub) {
  napi_call_threadsafe_function(sub->tsfn, NULL, napi_tsfn_nonblocking);
}

/* A record added and JS woken at once (a failure: the reader stops after it). */
static void deliver_now(struct subscription *sub, uint32_t kind, const void *bytes, size_t length) {
  if (add(sub, kind, bytes, length)) wake_js(sub);
}

/* While the kernel sends faster than the drain ends, JS is still woken every this many records. */
#define WAKE_EVERY 256

/*
 * Waits `delay_us` on the wake eventfd alone, so that datagrams gather in the socket and one
 * drain (and one JS call) takes them all; 1 when woken to stop.
 */
static int gather(struct subscription *sub, uint32_t delay_us) {
  struct pollfd wake = {sub->wake_fd, POLLIN, 0};
  struct timespec wait = {delay_us / 1000000, (long)(delay_us % 1000000) * 1000};
  int ready;
  do {
    ready = ppoll(&wake, 1, &wait, NULL);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

void *read_loop(void *arg) {
  struct subscription *sub = arg;
  uint8_t *datagram = malloc(DATAGRAM_BYTES);
  if (datagram == NULL) {
    int err = ENOMEM;
    deliver_now(sub, RECORD_FAILED, &err, 4);
    return NULL;
  }
  struct pollfd fds[2] = {{sub->fd, POLLIN, 0}, {sub->wake_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      deliver_now(sub, RECORD_FAILED, &err, 4);
      break;
    }
    if (fds[1].revents != 0) break;
    if (sub->batch_delay_us > 0 && gather(sub, sub->batch_delay_us)) break;
    int failed = 0;
    int wake = 0;
    unsigned since_wake = 0;
    for (;;) {
      if (wake && ++since_wake >= WAKE_EVERY) {
        wake_js(sub);
        wake = 0;
        since_wake = 0;
      }
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
          wake |= add(sub, RECORD_OVERRUN, NULL, 0);
          continue;
        }
        int err = errno;
        wake |= add(sub, RECORD_FAILED, &err, 4);
        failed = 1;
        break;
      }
      if (msg.msg_namelen < sizeof from || from.nl_family != AF_NETLINK || from.nl_pid != 0 ||
          (from.nl_groups & sub->groups_mask) == 0)
        continue; /* not the kernel, or not a multicast of ours: never handed up */
      if (msg.msg_flags & MSG_TRUNC) {
        wake |= add(sub, RECORD_DROPPED, NULL, 0);
        continue;
      }
      wake |= add(sub, RECORD_DATAGRAM, datagram, (size_t)got);
    }
    if (wake) wake_js(sub);
    if (failed) break;
  }
  free(datagram);
  return NULL;
}

size_t take_pending(struct subscription *sub, uint8_t **batch) {
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
  *batch = NULL;
  if (used == 0 && dropped == 0) {
    free(taken);
    return 0;
  }
  size_t total = used + (dropped > 0 ? 8 : 0) + (overrun_after_drop ? 8 : 0);
  uint8_t *grown = realloc(taken, total);
  if (grown == NULL) {
    free(taken);
    return 0;
  }
  if (dropped > 0) {
    uint32_t record[2] = {RECORD_DROPPED, dropped};
    memcpy(grown + used, record, 8);
  }
  if (overrun_after_drop) {
    uint32_t record[2] = {RECORD_OVERRUN, 0};
    memcpy(grown + total - 8, record, 8);
  }
  *batch = grown;
  return total;
}
