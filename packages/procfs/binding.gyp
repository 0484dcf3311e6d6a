{
  "targets": [
    {
      "target_name": "procfs",
      "sources": ["native/procfs.c", "native/reads.c", "native/sockets.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror=implicit-function-declaration"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
