/*
 * The native read core of @procmon/procfs: the ops of src/ops.ts (read, readlink, readdir,
 * links, stat, sockets) carried out by reads.c, one at a time or many per call. Nothing is parsed here:
 * every value is bytes or names, and src/native-backend.ts shapes it as nodeBackend does.
 *
 *   perform(kind: number, path: string | Uint8Array, maxBytes: number): Result
 *   batch(ops: (number | string | Uint8Array)[]): Result[]
 *                    ops flattened as kind, path, maxBytes, kind, path, maxBytes, ...; each op
 *                    has its own result: one failing op never fails the others
 *   batchAsync(ops): Promise<Result[]>
 *                    the same batch as ONE work item on libuv's thread pool
 *
 * A Result is the op's value, or a negative number: -(syscall * 65536 + errno), with the
 * syscall numbered as reads.h numbers it. Values: read, readlink: a new ArrayBuffer (never
 * shared with another result); readdir: the names; links: [names, targets, vanished], each
 * target a latin1 string (one character per byte) or the readlink errno as a positive number;
 * stat: a BigInt64Array of dev, ino, nlink, mode, uid, size, mtime ns, ctime ns; sockets (a
 * process folder): [pairs, stat, uid, flags], its socket descriptors as (fd, inode) pairs in a
 * Float64Array, its stat file's bytes read after the listing through the same folder handle,
 * the folder's owner, and SOCKETS_VANISHED | SOCKETS_DENIED (see reads.h).
 *
 * Sync calls read into one buffer per Node environment (a worker has its own), reused from
 * call to call; async ops read into buffers of their own, freed once their values are made.
 */
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "reads.h"

#define CHECK(call)                           \
  do {                                        \
    if ((call) != napi_ok) return NULL;       \
  } while (0)

/* Paths shorter than this are copied onto the stack for a sync call. */
#define STACK_PATH_BYTES 512

typedef struct {
  proc_bytes scratch;
} instance;

static void instance_free(napi_env env, void *data, void *hint) {
  instance *self = data;
  free(self->scratch.data);
  free(self);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/*
 * The op's kind, path and cap from JavaScript. The path is copied into `stack` when it fits,
 * else into memory the op owns (`*on_heap` set). 0 when a value is not of its type (thrown).
 */
static int op_from_js(napi_env env, napi_value kind, napi_value path, napi_value max_bytes,
                      proc_op *op, char *stack, size_t stack_size, int *on_heap) {
  memset(op, 0, sizeof *op);
  *on_heap = 0;
  int32_t kind_number;
  double cap = 0;
  if (napi_get_value_int32(env, kind, &kind_number) != napi_ok) {
    throw_type(env, "an op kind must be a number");
    return 0;
  }
  op->kind = kind_number;
  if (kind_number == KIND_READ && napi_get_value_double(env, max_bytes, &cap) != napi_ok) {
    throw_type(env, "maxBytes must be a number");
    return 0;
  }
  op->max_bytes = cap > 0 ? (size_t)cap : 0;
  napi_valuetype type;
  if (napi_typeof(env, path, &type) != napi_ok) return 0;
  size_t length;
  if (type == napi_string) {
    if (napi_get_value_string_utf8(env, path, NULL, 0, &length) != napi_ok) return 0;
    char *into = length < stack_size ? stack : malloc(length + 1);
    if (into == NULL) return 0;
    *on_heap = into != stack;
    napi_get_value_string_utf8(env, path, into, length + 1, &length);
    op->path = into;
    op->path_length = length;
    return 1;
  }
  bool is_typed = false;
  napi_is_typedarray(env, path, &is_typed);
  if (!is_typed) {
    throw_type(env, "a path must be a string or a Uint8Array");
    return 0;
  }
  void *data;
  napi_typedarray_type typed;
  if (napi_get_typedarray_info(env, path, &typed, &length, &data, NULL, NULL) != napi_ok) return 0;
  if (typed != napi_uint8_array) {
    throw_type(env, "a path must be a string or a Uint8Array");
    return 0;
  }
  char *into = length < stack_size ? stack : malloc(length + 1);
  if (into == NULL) return 0;
  *on_heap = into != stack;
  memcpy(into, data, length);
  into[length] = '\0';
  op->path = into;
  op->path_length = length;
  return 1;
}

static napi_value bytes_value(napi_env env, const char *bytes, size_t length) {
  void *data;
  napi_value buffer;
  CHECK(napi_create_arraybuffer(env, length, &data, &buffer));
  if (length > 0) memcpy(data, bytes, length);
  return buffer;
}

static napi_value names_value(napi_env env, const proc_op *op) {
  napi_value names;
  CHECK(napi_create_array_with_length(env, op->count, &names));
  const char *name = op->bytes.data;
  for (size_t i = 0; i < op->count; i++) {
    size_t length = strlen(name);
    napi_value text;
    CHECK(napi_create_string_utf8(env, name, length, &text));
    CHECK(napi_set_element(env, names, (uint32_t)i, text));
    name += length + 1;
  }
  return names;
}

static napi_value links_value(napi_env env, const proc_op *op) {
  napi_value names, targets, vanished, result;
  CHECK(napi_create_array_with_length(env, op->count, &names));
  CHECK(napi_create_array_with_length(env, op->count, &targets));
  const char *at = op->bytes.data;
  for (size_t i = 0; i < op->count; i++) {
    size_t name_length = strlen(at);
    napi_value name, target;
    CHECK(napi_create_string_utf8(env, at, name_length, &name));
    at += name_length + 1;
    size_t target_length = strlen(at);
    if (op->link_errors[i] != 0) CHECK(napi_create_int32(env, op->link_errors[i], &target));
    else CHECK(napi_create_string_latin1(env, at, target_length, &target));
    at += target_length + 1;
    CHECK(napi_set_element(env, names, (uint32_t)i, name));
    CHECK(napi_set_element(env, targets, (uint32_t)i, target));
  }
  CHECK(napi_get_boolean(env, op->vanished, &vanished));
  CHECK(napi_create_array_with_length(env, 3, &result));
  CHECK(napi_set_element(env, result, 0, names));
  CHECK(napi_set_element(env, result, 1, targets));
  CHECK(napi_set_element(env, result, 2, vanished));
  return result;
}

static napi_value stat_value(napi_env env, const struct stat *st) {
  int64_t *fields;
  napi_value buffer, array;
  CHECK(napi_create_arraybuffer(env, 8 * sizeof(int64_t), (void **)&fields, &buffer));
  fields[0] = (int64_t)st->st_dev;
  fields[1] = (int64_t)st->st_ino;
  fields[2] = (int64_t)st->st_nlink;
  fields[3] = (int64_t)st->st_mode;
  fields[4] = (int64_t)st->st_uid;
  fields[5] = (int64_t)st->st_size;
  fields[6] = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  fields[7] = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
  CHECK(napi_create_typedarray(env, napi_bigint64_array, 8, buffer, 0, &array));
  return array;
}

/* sockets: [pairs, stat, uid, flags]: (fd, inode) pairs as a Float64Array, the stat bytes. */
static napi_value sockets_value(napi_env env, const proc_op *op) {
  napi_value pairs_buffer, pairs, stat, uid, flags, result;
  void *data;
  CHECK(napi_create_arraybuffer(env, op->split, &data, &pairs_buffer));
  if (op->split > 0) memcpy(data, op->bytes.data, op->split);
  CHECK(napi_create_typedarray(env, napi_float64_array, op->split / sizeof(double), pairs_buffer,
                               0, &pairs));
  stat = bytes_value(env, op->bytes.data + op->split, op->bytes.length - op->split);
  if (stat == NULL) return NULL;
  CHECK(napi_create_uint32(env, op->stat.st_uid, &uid));
  CHECK(napi_create_int32(env, op->vanished, &flags));
  CHECK(napi_create_array_with_length(env, 4, &result));
  CHECK(napi_set_element(env, result, 0, pairs));
  CHECK(napi_set_element(env, result, 1, stat));
  CHECK(napi_set_element(env, result, 2, uid));
  CHECK(napi_set_element(env, result, 3, flags));
  return result;
}

/* The JavaScript result of a carried-out op (see the top of this file). */
static napi_value result_of(napi_env env, const proc_op *op) {
  napi_value value;
  if (op->error != 0) {
    CHECK(napi_create_int32(env, -(op->syscall * 65536 + op->error), &value));
    return value;
  }
  switch (op->kind) {
    case KIND_READ:
    case KIND_READLINK: return bytes_value(env, op->bytes.data, op->bytes.length);
    case KIND_READDIR: return names_value(env, op);
    case KIND_LINKS: return links_value(env, op);
    case KIND_SOCKETS: return sockets_value(env, op);
    default: return stat_value(env, &op->stat);
  }
}

static instance *instance_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* One op on Node's thread, into the environment's scratch buffer. */
static napi_value run_sync(napi_env env, napi_value kind, napi_value path, napi_value max_bytes) {
  char stack[STACK_PATH_BYTES];
  int on_heap;
  proc_op op;
  if (!op_from_js(env, kind, path, max_bytes, &op, stack, sizeof stack, &on_heap)) return NULL;
  instance *self = instance_of(env);
  proc_op_run(&op, &self->scratch);
  napi_value result = result_of(env, &op);
  if (!on_heap) op.path = NULL;
  proc_op_release(&op);
  proc_scratch_trim(&self->scratch);
  return result;
}

static napi_value perform(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_type(env, "perform(kind, path, maxBytes)");
  return run_sync(env, argv[0], argv[1], argv[2]);
}

/* The flattened ops array and its op count; 0 when it is not one (thrown). */
static int ops_array(napi_env env, napi_callback_info info, napi_value *ops, uint32_t *count) {
  size_t argc = 1;
  bool is_array = false;
  if (napi_get_cb_info(env, info, &argc, ops, NULL, NULL) != napi_ok) return 0;
  uint32_t length = 0;
  if (argc >= 1) napi_is_array(env, *ops, &is_array);
  if (is_array) napi_get_array_length(env, *ops, &length);
  if (!is_array || length % 3 != 0) {
    throw_type(env, "a batch must be an array of kind, path, maxBytes triples");
    return 0;
  }
  *count = length / 3;
  return 1;
}

static napi_value batch(napi_env env, napi_callback_info info) {
  napi_value ops, results;
  uint32_t count;
  if (!ops_array(env, info, &ops, &count)) return NULL;
  CHECK(napi_create_array_with_length(env, count, &results));
  for (uint32_t i = 0; i < count; i++) {
    napi_value kind, path, max_bytes;
    CHECK(napi_get_element(env, ops, i * 3, &kind));
    CHECK(napi_get_element(env, ops, i * 3 + 1, &path));
    CHECK(napi_get_element(env, ops, i * 3 + 2, &max_bytes));
    napi_value result = run_sync(env, kind, path, max_bytes);
    if (result == NULL) return NULL;
    CHECK(napi_set_element(env, results, i, result));
  }
  return results;
}

/* An async batch: its ops, carried out on the thread pool, their values made on Node's thread. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  uint32_t count;
  proc_op ops[];
} async_batch;

static void async_batch_free(napi_env env, async_batch *job) {
  for (uint32_t i = 0; i < job->count; i++) proc_op_release(&job->ops[i]);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job);
}

static void async_execute(napi_env env, void *data) {
  async_batch *job = data;
  for (uint32_t i = 0; i < job->count; i++) proc_op_run(&job->ops[i], NULL);
}

static void async_complete(napi_env env, napi_status status, void *data) {
  async_batch *job = data;
  napi_value results = NULL;
  if (status == napi_ok && napi_create_array_with_length(env, job->count, &results) == napi_ok) {
    for (uint32_t i = 0; i < job->count && results != NULL; i++) {
      napi_value result = result_of(env, &job->ops[i]);
      if (result == NULL || napi_set_element(env, results, i, result) != napi_ok) results = NULL;
    }
  }
  if (results != NULL) {
    napi_resolve_deferred(env, job->deferred, results);
  } else {
    napi_value message, error;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &error);
    else {
      napi_create_string_utf8(env, "the batch's results could not be made", NAPI_AUTO_LENGTH,
                              &message);
      napi_create_error(env, NULL, message, &error);
    }
    napi_reject_deferred(env, job->deferred, error);
  }
  async_batch_free(env, job);
}

static napi_value batch_async(napi_env env, napi_callback_info info) {
  napi_value ops, promise, name;
  uint32_t count;
  if (!ops_array(env, info, &ops, &count)) return NULL;
  async_batch *job = calloc(1, sizeof *job + count * sizeof(proc_op));
  if (job == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory for a batch");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value kind, path, max_bytes;
    int on_heap;
    if (napi_get_element(env, ops, i * 3, &kind) != napi_ok ||
        napi_get_element(env, ops, i * 3 + 1, &path) != napi_ok ||
        napi_get_element(env, ops, i * 3 + 2, &max_bytes) != napi_ok ||
        !op_from_js(env, kind, path, max_bytes, &job->ops[i], NULL, 0, &on_heap)) {
      job->count = i; /* the ops made so far own their paths */
      async_batch_free(env, job);
      return NULL;
    }
    job->count = i + 1;
  }
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "procfs.batch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, async_execute, async_complete, job, &job->work) !=
          napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    async_batch_free(env, job);
    napi_throw_error(env, NULL, "the batch could not be queued");
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT() {
  instance *self = calloc(1, sizeof *self);
  if (self == NULL || napi_set_instance_data(env, self, instance_free, NULL) != napi_ok) {
    free(self);
    napi_throw_error(env, NULL, "the procfs addon could not keep its state");
    return NULL;
  }
  napi_property_descriptor functions[] = {
      {"perform", NULL, perform, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batch", NULL, batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchAsync", NULL, batch_async, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof functions / sizeof *functions, functions));
  return exports;
}
