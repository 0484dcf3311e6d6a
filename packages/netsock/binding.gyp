{
  "targets": [
    {
      "target_name": "netsock",
      "sources": ["native/netsock.c", "native/util.c", "native/exchange.c", "native/multicast.c", "native/multicast-reader.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
