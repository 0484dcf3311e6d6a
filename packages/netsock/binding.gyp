{
  "targets": [
    {
      "target_name": "netsock",
      "sources": ["native/netsock.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
