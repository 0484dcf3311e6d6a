/* What multicast.c (the N-API side) and multicast-reader.c (the reader thread) share. */
#ifndef NETSOCK_MULTICAST_H
#define NETSOCK_MULTICAST_H

#include <node_api.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define RECORD_DATAGRAM 0u
#define RECORD_OVERRUN 1u
#define RECORD_DROPPED 2u
#define RECORD_FAILED 3u

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
  /* How long the reader lets datagrams gather after the first one before draining (0: none). */
  uint32_t batch_delay_us;
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

/* The reader thread's body: poll the socket and the wake eventfd, drain, queue, wake JS. */
void *read_loop(void *arg);

/*
 * On the JS thread: everything pending, swapped out under the lock, with the datagrams dropped
 * since (and an overrun among them) appended as records. *batch is malloc'ed (the caller frees
 * it); 0 and NULL when nothing was pending.
 */
size_t take_pending(struct subscription *sub, uint8_t **batch);

#endif
