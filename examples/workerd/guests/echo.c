// A wasi:http echo in C against the raw ABI (packages/wasi-http/test/guests/http.h): 200 with
// `content-type: application/octet-stream` and `x-echo-method: <the request's method tag>`, and
// the request's body copied back through this guest's linear memory, 16 KiB at a time: each
// chunk read from the request's stream<u8> is written to the response's before the next read
// (backpressure both ways). Then the response's trailers (none) and the request's `res` (ok).
#include "../../../packages/wasi-http/test/guests/http.h"

// request.consume-body's stream<u8> (1) and trailers future (2); (0) is its `res` future
IMPORT(TYPES, "[async-lower][stream-read-1]" REQUEST_BODY) u32 req_body_read(u32 r, void *p, u32 n);
IMPORT(TYPES, "[stream-drop-readable-1]" REQUEST_BODY) void req_body_drop(u32 r);
IMPORT(TYPES, "[future-drop-readable-2]" REQUEST_BODY) void req_trailers_drop(u32 r);

#define CHUNK 16384

struct echo {
  u32 set;
  u32 in, out, trailers, res;  // 0 once done with
  u32 reading, writing, ended; // a read or write in flight; the request's body has ended
  u32 len, off;                // the chunk in buf: its length, how much of it is written
  u8 *buf;
};

static void finish_body(struct echo *e) {
  if (e->in) {
    req_body_drop(e->in);
    e->in = 0;
  }
  if (e->out) {
    body_drop_writable(e->out);
    e->out = 0;
  }
  if (e->trailers) {
    if (trailers_write(e->trailers, OK_NONE) == BLOCKED) waitable_join(e->trailers, e->set);
    else {
      trailers_drop_writable(e->trailers);
      e->trailers = 0;
    }
  }
  if (e->res) {
    if (res_write(e->res, OK_NONE) == BLOCKED) waitable_join(e->res, e->set);
    else {
      res_drop_writable(e->res);
      e->res = 0;
    }
  }
}

/** Copies what it can without blocking; WAIT while anything is in flight, else EXIT. */
static u32 step(struct echo *e) {
  while (e->out && !e->reading && !e->writing) {
    if (e->off < e->len) {
      u32 w = body_write(e->out, e->buf + e->off, e->len - e->off);
      if (w == BLOCKED) {
        e->writing = 1;
        waitable_join(e->out, e->set);
        break;
      }
      e->off += w >> 4;
      if ((w & 15) == COPY_DROPPED) e->ended = 1, e->off = e->len; // the client went away
      continue;
    }
    if (e->ended) {
      finish_body(e);
      break;
    }
    e->len = e->off = 0;
    u32 r = req_body_read(e->in, e->buf, CHUNK);
    if (r == BLOCKED) {
      e->reading = 1;
      waitable_join(e->in, e->set);
      break;
    }
    e->len = r >> 4;
    if ((r & 15) == COPY_DROPPED) e->ended = 1;
  }
  if (e->out || e->trailers || e->res) return CALLBACK_WAIT(e->set);
  waitable_set_drop(e->set);
  release(e->buf);
  release(e);
  context_set(0);
  return CALLBACK_EXIT;
}

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  struct echo *e = alloc(sizeof *e);
  memset(e, 0, sizeof *e);
  e->buf = alloc(CHUNK);
  e->set = waitable_set_new();
  context_set((u32)e);
  // the method's case number, as text: GET is 0 (other(string) is 9)
  u32 m[3];
  request_get_method(request, m);
  char method[4] = {'0' + (char)((m[0] & 0xff) % 10), 0, 0, 0};
  u64 res = res_new();
  u32 body[2];
  request_consume_body(request, (u32)res, body);
  e->in = body[0];
  req_trailers_drop(body[1]);
  e->res = (u32)(res >> 32);
  u64 s = body_new();
  u64 f = trailers_new();
  e->out = (u32)(s >> 32);
  e->trailers = (u32)(f >> 32);
  u32 h = headers_with("content-type", "application/octet-stream");
  u32 ret[6];
  fields_append(h, "x-echo-method", 13, method, 1, ret);
  u32 r[2];
  response_new(h, 1, (u32)s, (u32)f, r);
  sent_drop(r[1]);
  return_response(r[0]);
  return step(e);
}

EXPORT("[callback][async-lift]" HANDLER "#handle") u32 handle_callback(u32 event, u32 handle, u32 code) {
  struct echo *e = (struct echo *)context_get();
  if (event == EVENT_STREAM_READ && handle == e->in) {
    waitable_join(e->in, 0);
    e->reading = 0;
    e->len = code >> 4;
    e->off = 0;
    if ((code & 15) == COPY_DROPPED) e->ended = 1;
  } else if (event == EVENT_STREAM_WRITE && handle == e->out) {
    waitable_join(e->out, 0);
    e->writing = 0;
    e->off += code >> 4;
    if ((code & 15) == COPY_DROPPED) e->ended = 1, e->off = e->len;
  } else if (event == EVENT_FUTURE_WRITE && handle == e->trailers) {
    waitable_join(e->trailers, 0);
    trailers_drop_writable(e->trailers);
    e->trailers = 0;
  } else if (event == EVENT_FUTURE_WRITE && handle == e->res) {
    waitable_join(e->res, 0);
    res_drop_writable(e->res);
    e->res = 0;
  }
  return step(e);
}
