/*
 * Every link of a folder (a /proc/<pid>/fd) in one pass of getdents64 + readlinkat: readlinks on
 * the caller's thread, listStart/listJoin on a thread of its own, listAsync on libuv's pool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

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
napi_value js_readlinks(napi_env env, napi_callback_info info) {
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
napi_value js_list_start(napi_env env, napi_callback_info info) {
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
napi_value js_list_join(napi_env env, napi_callback_info info) {
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

napi_value js_list_async(napi_env env, napi_callback_info info) {
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
