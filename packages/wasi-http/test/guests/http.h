// wasi:http@0.3.0 against the raw canonical ABI, for the C handler guests (no
// libc, no bindings generator): fixed-width types, a small freeing allocator
// behind cabi_realloc (a handler runs for many requests, concurrently, so the
// bump allocator of test-support's cabi.h would grow without bound), the
// imports of wasi:http/types, the stream/future/task built-ins, and helpers to
// build and return a response. Every handler is lifted async with a callback:
// `handle` starts a request's work and returns EXIT or WAIT on the task's
// waitable set; the callback takes the events that follow. The task's state
// lives behind context slot 0.

#pragma clang diagnostic ignored "-Wunused-function"

#define CABI_OWN_ALLOCATOR
#include "cabi.h"

// ---- memory: size classes of 16 B .. 1 MiB with free lists; larger is never freed ----
static u32 heap_top;
static void *free_lists[17];

static void *sbrk_(u32 n) {
  if (heap_top == 0) heap_top = ((u32)&__heap_base + 15) & ~15u;
  u32 need = heap_top + n;
  u32 have = __builtin_wasm_memory_size(0) * 65536;
  if (need > have && __builtin_wasm_memory_grow(0, (need - have + 65535) / 65536) == (unsigned long)-1)
    __builtin_trap();
  void *p = (void *)heap_top;
  heap_top = need;
  return p;
}

/** 8-aligned (every wasi:http type is at most 8-aligned); an 8-byte header keeps the size class. */
static void *alloc(u32 n) {
  u32 need = n + 8;
  u32 cls = 0;
  while (cls < 17 && (16u << cls) < need) cls++;
  void *block;
  if (cls < 17 && free_lists[cls]) {
    block = free_lists[cls];
    free_lists[cls] = *(void **)block;
  } else {
    block = sbrk_(cls < 17 ? 16u << cls : (need + 15) & ~15u);
  }
  *(u32 *)block = cls;
  return (u8 *)block + 8;
}

static void release(void *p) {
  // 0, or what a zero-length lowering was given (cabi_realloc's 8, or anything a host picks)
  if ((u32)p < (u32)&__heap_base + 8) return;
  u8 *block = (u8 *)p - 8;
  u32 cls = *(u32 *)block;
  if (cls >= 17) return;
  *(void **)block = free_lists[cls];
  free_lists[cls] = block;
}

EXPORT("cabi_realloc") void *cabi_realloc(void *old, u32 old_size, u32 align, u32 new_size) {
  (void)align;
  if (new_size == 0) return (void *)8;
  void *p = alloc(new_size);
  if (old && old_size) {
    memcpy(p, old, old_size < new_size ? old_size : new_size);
    release(old);
  }
  return p;
}

/** Whether the `an` bytes at `a` start with the C string `b`. */
static int starts(const void *a, u32 an, const char *b) {
  u32 bn = slen(b);
  if (an < bn) return 0;
  for (u32 i = 0; i < bn; i++) if (((const u8 *)a)[i] != (u8)b[i]) return 0;
  return 1;
}
static int ieq(const void *a, u32 an, const char *b) {
  if (an != slen(b)) return 0;
  for (u32 i = 0; i < an; i++) {
    u8 c = ((const u8 *)a)[i];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (c != (u8)b[i]) return 0;
  }
  return 1;
}

// ---- canon built-ins ----
IMPORT("$root", "[waitable-set-new]") u32 waitable_set_new(void);
IMPORT("$root", "[waitable-join]") void waitable_join(u32 w, u32 set);
IMPORT("$root", "[waitable-set-drop]") void waitable_set_drop(u32 set);
IMPORT("$root", "[subtask-drop]") void subtask_drop(u32 s);
IMPORT("$root", "[context-get-0]") u32 context_get(void);
IMPORT("$root", "[context-set-0]") void context_set(u32 v);

#define BLOCKED 0xffffffffu
#define COPY_COMPLETED 0
#define COPY_DROPPED 1
#define EVENT_SUBTASK 1
#define EVENT_STREAM_READ 2
#define EVENT_STREAM_WRITE 3
#define EVENT_FUTURE_READ 4
#define EVENT_FUTURE_WRITE 5
#define EVENT_CANCELLED 6
#define CALLBACK_EXIT 0
#define CALLBACK_WAIT(set) (2 | ((set) << 4))
#define SUBTASK_RETURNED 2

// ---- wasi:http/types ----
#define TYPES "wasi:http/types@0.3.0"
#define RESPONSE_NEW "[static]response.new"
#define REQUEST_NEW "[static]request.new"
#define REQUEST_BODY "[static]request.consume-body"

IMPORT(TYPES, "[constructor]fields") u32 fields_new(void);
IMPORT(TYPES, "[method]fields.append") void fields_append(u32 f, const char *n, u32 nl, const void *v, u32 vl, void *ret);
IMPORT(TYPES, "[method]fields.get") void fields_get(u32 f, const char *n, u32 nl, void *ret);
IMPORT(TYPES, "[method]fields.copy-all") void fields_copy_all(u32 f, void *ret);
IMPORT(TYPES, "[method]fields.clone") u32 fields_clone(u32 f);
IMPORT(TYPES, "[resource-drop]fields") void fields_drop(u32 f);

IMPORT(TYPES, REQUEST_NEW) void request_new(u32 headers, u32 has_body, u32 body, u32 trailers, u32 has_options,
                                            u32 options, void *ret);
IMPORT(TYPES, "[method]request.get-method") void request_get_method(u32 r, void *ret);
IMPORT(TYPES, "[method]request.set-method") u32 request_set_method(u32 r, u32 tag, const void *p, u32 n);
IMPORT(TYPES, "[method]request.get-path-with-query") void request_get_path(u32 r, void *ret);
IMPORT(TYPES, "[method]request.set-path-with-query") u32 request_set_path(u32 r, u32 is_some, const void *p, u32 n);
IMPORT(TYPES, "[method]request.set-scheme") u32 request_set_scheme(u32 r, u32 is_some, u32 tag, const void *p, u32 n);
IMPORT(TYPES, "[method]request.set-authority") u32 request_set_authority(u32 r, u32 is_some, const void *p, u32 n);
IMPORT(TYPES, "[method]request.get-headers") u32 request_get_headers(u32 r);
IMPORT(TYPES, REQUEST_BODY) void request_consume_body(u32 r, u32 res, void *ret);
IMPORT(TYPES, "[resource-drop]request") void request_drop(u32 r);

IMPORT(TYPES, "[constructor]request-options") u32 options_new(void);
IMPORT(TYPES, "[method]request-options.set-connect-timeout") void options_set_connect(u32 o, u32 is_some, u64 ns, void *ret);
IMPORT(TYPES, "[method]request-options.set-first-byte-timeout") void options_set_first_byte(u32 o, u32 is_some, u64 ns,
                                                                                           void *ret);
IMPORT(TYPES, "[method]request-options.set-between-bytes-timeout") void options_set_between(u32 o, u32 is_some, u64 ns,
                                                                                           void *ret);

IMPORT(TYPES, RESPONSE_NEW) void response_new(u32 headers, u32 has_body, u32 body, u32 trailers, void *ret);
IMPORT(TYPES, "[method]response.set-status-code") u32 response_set_status(u32 r, u32 status);
IMPORT(TYPES, "[resource-drop]response") void response_drop(u32 r);
IMPORT(TYPES, "[method]response.get-status-code") u32 response_get_status(u32 r);
IMPORT(TYPES, "[method]response.get-headers") u32 response_get_headers(u32 r);
IMPORT(TYPES, "[static]response.consume-body") void response_consume_body(u32 r, u32 res, void *ret);

// response.new's stream<u8> (0), its trailers future (1) and its transmission future (2)
IMPORT(TYPES, "[stream-new-0]" RESPONSE_NEW) u64 body_new(void);
IMPORT(TYPES, "[async-lower][stream-write-0]" RESPONSE_NEW) u32 body_write(u32 w, const void *p, u32 n);
IMPORT(TYPES, "[stream-drop-writable-0]" RESPONSE_NEW) void body_drop_writable(u32 w);
IMPORT(TYPES, "[future-new-1]" RESPONSE_NEW) u64 trailers_new(void);
IMPORT(TYPES, "[async-lower][future-write-1]" RESPONSE_NEW) u32 trailers_write(u32 w, const void *p);
IMPORT(TYPES, "[future-drop-writable-1]" RESPONSE_NEW) void trailers_drop_writable(u32 w);
IMPORT(TYPES, "[future-drop-readable-2]" RESPONSE_NEW) void sent_drop(u32 r);
// request.consume-body's `res` future (0): how handling the request went
IMPORT(TYPES, "[future-new-0]" REQUEST_BODY) u64 res_new(void);
IMPORT(TYPES, "[async-lower][future-write-0]" REQUEST_BODY) u32 res_write(u32 w, const void *p);
IMPORT(TYPES, "[future-drop-writable-0]" REQUEST_BODY) void res_drop_writable(u32 w);
// request.new's transmission future (2)
IMPORT(TYPES, "[future-drop-readable-2]" REQUEST_NEW) void request_sent_drop(u32 r);

// ---- the export ----
#define HANDLER "wasi:http/handler@0.3.0"
// result<response, error-code>, flattened: the case, then the joined payloads
IMPORT("[export]" HANDLER, "[task-return]handle") void task_return(u32 is_err, u32 a, u32 b, u64 c, u32 d, u32 e, u32 f,
                                                                 u32 g);

static void return_response(u32 response) { task_return(0, response, 0, 0, 0, 0, 0, 0); }

/** `result<option<trailers>, error-code>` = ok(none); `result<_, error-code>` = ok: the case byte 0. */
static const u64 OK_NONE[4] __attribute__((aligned(8)));

/** A header list of one entry, or an empty one when name is 0. */
static u32 headers_with(const char *name, const char *value) {
  u32 h = fields_new();
  if (name) {
    u32 ret[6];
    fields_append(h, name, slen(name), value, slen(value), ret);
  }
  return h;
}

/** The request's path-with-query (allocated; release it), or 0 with *len 0 when it has none. */
static u8 *request_path(u32 request, u32 *len) {
  u32 ret[3];
  request_get_path(request, ret);
  *len = ret[0] & 0xff ? ret[2] : 0;
  return ret[0] & 0xff ? (u8 *)ret[1] : 0;
}

// ---- a request's task: what it waits for, until nothing is left and it exits ----
struct task {
  u32 set;
  // a text response being written: the body's and the trailers' writable ends (0 once done)
  u32 body, trailers;
  const char *text;
  u32 len, written, writing;
  // a consume-body `res` future being written ok (0 once done)
  u32 res;
  // an async import call in flight, and what to do once it returned (its results at `ret`)
  u32 subtask;
  void (*returned)(struct task *);
  u64 ret[6];
  // the guest's own
  u32 a, b;
};

static struct task *task_new(void) {
  struct task *t = alloc(sizeof *t);
  memset(t, 0, sizeof *t);
  t->set = waitable_set_new();
  context_set((u32)t);
  return t;
}

/** Writes what it can; WAIT while anything is in flight, else frees the task and EXITs. */
static u32 task_step(struct task *t) {
  while (t->body && !t->writing && t->written < t->len) {
    u32 r = body_write(t->body, t->text + t->written, t->len - t->written);
    if (r == BLOCKED) {
      t->writing = 1;
      waitable_join(t->body, t->set);
      break;
    }
    t->written += r >> 4;
    if ((r & 15) == COPY_DROPPED) t->written = t->len;
  }
  if (t->body && !t->writing && t->written >= t->len) {
    body_drop_writable(t->body);
    t->body = 0;
  }
  if (t->body || t->trailers || t->res || t->subtask) return CALLBACK_WAIT(t->set);
  waitable_set_drop(t->set);
  release(t);
  context_set(0);
  return CALLBACK_EXIT;
}

/** Writes ok to a `res` future (its writable end) and keeps the task until the host takes it. */
static void task_write_res(struct task *t, u32 res) {
  if (res_write(res, OK_NONE) == BLOCKED) {
    t->res = res;
    waitable_join(res, t->set);
  } else {
    res_drop_writable(res);
  }
}

/** Calls `returned` once the subtask `status` (an async-lowered call's) has returned. */
static void task_await(struct task *t, u32 status, void (*returned)(struct task *)) {
  if ((status & 15) == SUBTASK_RETURNED) {
    returned(t);
    return;
  }
  t->subtask = status >> 4;
  t->returned = returned;
  waitable_join(t->subtask, t->set);
}

/** Returns `status` with `content-type: text/plain` (and `name: value` when name is not 0) and `text`. */
static void task_respond_text(struct task *t, u32 status, const char *text, const char *name, const char *value) {
  t->text = text;
  t->len = slen(text);
  u64 s = body_new();
  u64 f = trailers_new();
  t->body = (u32)(s >> 32);
  t->trailers = (u32)(f >> 32);
  u32 h = headers_with("content-type", "text/plain");
  if (name) {
    u32 ret[6];
    fields_append(h, name, slen(name), value, slen(value), ret);
  }
  u32 ret[2];
  response_new(h, 1, (u32)s, (u32)f, ret);
  sent_drop(ret[1]);
  response_set_status(ret[0], status);
  return_response(ret[0]);
  if (trailers_write(t->trailers, OK_NONE) == BLOCKED) waitable_join(t->trailers, t->set);
  else {
    trailers_drop_writable(t->trailers);
    t->trailers = 0;
  }
}

/** A handler that only answers with text: the whole of its `handle`. */
static u32 respond_text(u32 status, const char *text) {
  struct task *t = task_new();
  task_respond_text(t, status, text, 0, 0);
  return task_step(t);
}

/** The callback every handler guest exports. */
static u32 task_event(u32 event, u32 handle, u32 code) {
  struct task *t = (struct task *)context_get();
  if (event == EVENT_STREAM_WRITE && handle == t->body) {
    waitable_join(t->body, 0);
    t->writing = 0;
    t->written += code >> 4;
    if ((code & 15) == COPY_DROPPED) t->written = t->len;
  } else if (event == EVENT_FUTURE_WRITE && handle == t->trailers) {
    waitable_join(t->trailers, 0);
    trailers_drop_writable(t->trailers);
    t->trailers = 0;
  } else if (event == EVENT_FUTURE_WRITE && handle == t->res) {
    waitable_join(t->res, 0);
    res_drop_writable(t->res);
    t->res = 0;
  } else if (event == EVENT_SUBTASK && handle == t->subtask && code == SUBTASK_RETURNED) {
    waitable_join(t->subtask, 0);
    subtask_drop(t->subtask);
    t->subtask = 0;
    t->returned(t);
  }
  return task_step(t);
}

#define HANDLER_CALLBACK                                                                            \
  EXPORT("[callback][async-lift]" HANDLER "#handle") u32 handle_callback(u32 ev, u32 h, u32 code) { \
    return task_event(ev, h, code);                                                                 \
  }

// ---- error-code ----
static const char *const ERROR_CODES[] = {
    "DNS-timeout",
    "DNS-error",
    "destination-not-found",
    "destination-unavailable",
    "destination-IP-prohibited",
    "destination-IP-unroutable",
    "connection-refused",
    "connection-terminated",
    "connection-timeout",
    "connection-read-timeout",
    "connection-write-timeout",
    "connection-limit-reached",
    "TLS-protocol-error",
    "TLS-certificate-error",
    "TLS-alert-received",
    "HTTP-request-denied",
    "HTTP-request-length-required",
    "HTTP-request-body-size",
    "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid",
    "HTTP-request-URI-too-long",
    "HTTP-request-header-section-size",
    "HTTP-request-header-size",
    "HTTP-request-trailer-section-size",
    "HTTP-request-trailer-size",
    "HTTP-response-incomplete",
    "HTTP-response-header-section-size",
    "HTTP-response-header-size",
    "HTTP-response-body-size",
    "HTTP-response-trailer-section-size",
    "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding",
    "HTTP-response-content-coding",
    "HTTP-response-timeout",
    "HTTP-upgrade-failed",
    "HTTP-protocol-error",
    "loop-detected",
    "configuration-error",
    "internal-error",
};
#define ERROR_CODE_COUNT (sizeof ERROR_CODES / sizeof ERROR_CODES[0])
