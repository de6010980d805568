// A wasi:http handler that traps (`unreachable`) on `/trap`, before it returns
// a response; any other path gets 200 "ok".
#include "http.h"

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  u32 len;
  u8 *path = request_path(request, &len);
  int trap = starts(path, len, "/trap");
  release(path);
  request_drop(request);
  if (trap) __builtin_trap();
  return respond_text(200, "ok");
}

HANDLER_CALLBACK
