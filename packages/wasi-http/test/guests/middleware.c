// A wasi:http middleware (C against the raw ABI): it forwards each request, as
// it is, to the wasi:http/handler it imports, and answers with the downstream
// response plus the header `x-middleware: weft-test` (same status, headers,
// body and trailers, streamed through). A downstream error-code without a
// payload is returned as it is; one with a payload as internal-error.
#include "http.h"

IMPORT(HANDLER, "[async-lower]handle") u32 downstream_handle(u32 request, void *ret);

static void returned(struct task *t) {
  u8 *r = (u8 *)t->ret;
  if (r[0] != 0) {
    u32 code = r[8];
    // cases without a payload: every one but these
    int payload = code == 1 || code == 14 || code == 17 || (code >= 21 && code <= 24) ||
                  (code >= 26 && code <= 32) || code == 38;
    if (payload) task_return(1, 38, 1, (u64)(u32) "downstream error", 16, 0, 0, 0);
    else task_return(1, code, 0, 0, 0, 0, 0, 0);
    return;
  }
  u32 down = *(u32 *)(r + 8);
  // a child of the response: dropped before the response is consumed
  u32 down_headers = response_get_headers(down);
  u32 headers = fields_clone(down_headers);
  fields_drop(down_headers);
  u32 ret[6];
  fields_append(headers, "x-middleware", 12, "weft-test", 9, ret);
  u32 status = response_get_status(down);
  u64 res = res_new();
  u32 body[2];
  response_consume_body(down, (u32)res, body);
  u32 out[2];
  response_new(headers, 1, body[0], body[1], out);
  sent_drop(out[1]);
  response_set_status(out[0], status);
  return_response(out[0]);
  task_write_res(t, (u32)(res >> 32));
}

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  struct task *t = task_new();
  task_await(t, downstream_handle(request, t->ret), returned);
  return task_step(t);
}

HANDLER_CALLBACK
