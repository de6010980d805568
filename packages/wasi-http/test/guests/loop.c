// A wasi:http handler that never returns on `/loop` (a loop with no calls in
// it: only a deadline stops it); any other path gets 200 "ok".
#include "http.h"

static volatile u32 spins;

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  u32 len;
  u8 *path = request_path(request, &len);
  int loop = starts(path, len, "/loop");
  release(path);
  request_drop(request);
  if (loop)
    for (;;) spins++;
  return respond_text(200, "ok");
}

HANDLER_CALLBACK
