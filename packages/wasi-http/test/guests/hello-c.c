// The minimal wasi:http handler in C against the raw ABI: 200, `content-type:
// text/plain`, "hello", without reading the request. What `pnpm bench`
// measures the server with.
#include "http.h"

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  request_drop(request);
  return respond_text(200, "hello");
}

HANDLER_CALLBACK
