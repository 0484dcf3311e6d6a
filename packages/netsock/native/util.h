/* The helpers of util.c (see there), for the addon's other files. */
#ifndef NETSOCK_UTIL_H
#define NETSOCK_UTIL_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

napi_value throw_errno(napi_env env, int err, const char *what);
int type_error(napi_env env, const char *who, const char *what);
int get_args(napi_env env, napi_callback_info info, const char *who, size_t count,
             napi_value *argv);
napi_value int64_value(napi_env env, int64_t value);
int get_fd(napi_env env, napi_value value, int *fd);
int get_bytes(napi_env env, napi_value value, void **data, size_t *length);
int get_fd_and_bytes(napi_env env, napi_value *argv, int *fd, void **data, size_t *length);
int grow_bytes(uint8_t **data, size_t *capacity, size_t need, size_t initial, size_t max);
void reject_errno(napi_env env, napi_deferred deferred, int err, const char *step);
void settle_with_bytes(napi_env env, napi_deferred deferred, napi_status status,
                       const uint8_t *data, size_t used, int err, const char *step);
napi_value queue_job(napi_env env, const char *name, napi_async_execute_callback execute,
                     napi_async_complete_callback complete, void *job, napi_async_work *work,
                     napi_deferred *deferred, int *queued);
ssize_t send_to_kernel(int fd, const void *data, size_t length);
napi_value port_id_value(napi_env env, int fd);
ssize_t recv_from_kernel(int fd, void *data, size_t length);

/* The functions of exchange.c that init (netsock.c) exports. */
napi_value js_send(napi_env env, napi_callback_info info);
napi_value js_recv(napi_env env, napi_callback_info info);
napi_value js_exchange_async(napi_env env, napi_callback_info info);

/* multicast.c's functions (subscribe, multicastSend, ...), defined on exports by init. */
void register_multicast(napi_env env, napi_value exports);

#endif
