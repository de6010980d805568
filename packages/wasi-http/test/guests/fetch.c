// A wasi:http handler that sends a request out with wasi:http/client and
// answers with what came back (C against the raw ABI: componentize-qjs cannot
// import an async func). The incoming request says what to send:
// - `x-fetch-url: http://HOST:PORT/PATH?QUERY` (or https://), required;
// - `x-fetch-method: POST` (default GET); for a method other than GET and HEAD
//   the incoming body and trailers are streamed out as the outgoing ones;
// - `x-fetch-timeout-ms: N` sets the connect, first-byte and between-bytes
//   timeouts of the request-options;
// - the incoming `x-*` headers (but `x-fetch-*`) and `content-type` go out too.
// The upstream response is returned as it is (status, headers, body, trailers
// stream through). If send fails: 502, `x-fetch-error: <error-code case>` and
// that name as the body.
#include "http.h"

#define CLIENT "wasi:http/client@0.3.0"
IMPORT(CLIENT, "[async-lower]send") u32 client_send(u32 request, void *ret);

static const char *const METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

/** The first value of header `name` (allocated with the list; release `*block`), or 0. */
static u8 *header(u32 fields, const char *name, u32 *len, void **block) {
  u32 ret[2];
  fields_get(fields, name, slen(name), ret);
  u32 *values = (u32 *)ret[0];
  *block = values;
  if (ret[1] == 0) return 0;
  *len = values[1];
  return (u8 *)values[0];
}

static void release_list(u32 *values, u32 n) {
  for (u32 i = 0; i < n; i++) release((void *)values[2 * i]);
  release(values);
}

static void sent(struct task *t) {
  u8 *r = (u8 *)t->ret;
  if (r[0] == 0) {
    return_response(*(u32 *)(r + 8));
    return;
  }
  u32 code = r[8];
  const char *name = code < ERROR_CODE_COUNT ? ERROR_CODES[code] : "unknown";
  // a payload's strings (DNS-error's rcode, internal-error's text, ...) are left to the allocator's mercy
  task_respond_text(t, 502, name, "x-fetch-error", name);
}

EXPORT("[async-lift]" HANDLER "#handle") u32 handle(u32 request) {
  struct task *t = task_new();
  u32 in = request_get_headers(request);
  void *b1, *b2, *b3;
  u32 url_len = 0, method_len = 0, timeout_len = 0;
  u8 *url = header(in, "x-fetch-url", &url_len, &b1);
  u8 *method = header(in, "x-fetch-method", &method_len, &b2);
  u8 *timeout = header(in, "x-fetch-timeout-ms", &timeout_len, &b3);


  // the outgoing headers: x-* but x-fetch-*, and content-type
  u32 out = fields_new();
  u32 all[2];
  fields_copy_all(in, all);
  u32 *entries = (u32 *)all[0];  // (name ptr, name len, value ptr, value len) each
  for (u32 i = 0; i < all[1]; i++) {
    u8 *n = (u8 *)entries[4 * i];
    u32 nl = entries[4 * i + 1];
    if ((starts(n, nl, "x-") && !starts(n, nl, "x-fetch-")) || ieq(n, nl, "content-type")) {
      u32 ret[6];
      fields_append(out, (const char *)n, nl, (const void *)entries[4 * i + 2], entries[4 * i + 3], ret);
    }
    release(n);
    release((void *)entries[4 * i + 2]);
  }
  release(entries);
  // a child of the request: dropped before the request is consumed or dropped
  fields_drop(in);

  u32 scheme = 0, skip = 0;
  if (url && starts(url, url_len, "http://")) skip = 7;
  else if (url && starts(url, url_len, "https://")) scheme = 1, skip = 8;
  if (!skip) {
    request_drop(request);
    fields_drop(out);
    release_list(b1, url ? 1 : 0);
    release_list(b2, method ? 1 : 0);
    release_list(b3, timeout ? 1 : 0);
    task_respond_text(t, 400, "x-fetch-url must be an http:// or https:// URL\n", 0, 0);
    return task_step(t);
  }
  u32 at = skip;
  while (at < url_len && url[at] != '/' && url[at] != '?') at++;

  u32 tag = 0;
  if (method) {
    tag = 9;
    for (u32 i = 0; i < 9; i++)
      if (method_len == slen(METHODS[i]) && starts(method, method_len, METHODS[i])) tag = i;
  }
  u32 body = 0, trailers;
  if (tag == 0 || tag == 1) {
    request_drop(request);
    u64 f = trailers_new();
    trailers = (u32)f;
    if (trailers_write((u32)(f >> 32), OK_NONE) == BLOCKED) {
      // taken at once by the host or never: a test guest may leave it
      t->trailers = (u32)(f >> 32);
      waitable_join(t->trailers, t->set);
    } else {
      trailers_drop_writable((u32)(f >> 32));
    }
  } else {
    u64 res = res_new();
    u32 ret[2];
    request_consume_body(request, (u32)res, ret);
    body = ret[0];
    trailers = ret[1];
    task_write_res(t, (u32)(res >> 32));
  }

  u32 options = 0;
  if (timeout) {
    u64 ns = parse_u64(timeout, timeout_len) * 1000000ull;
    options = options_new();
    u32 ret[6];
    options_set_connect(options, 1, ns, ret);
    options_set_first_byte(options, 1, ns, ret);
    options_set_between(options, 1, ns, ret);
  }

  u32 ret[2];
  request_new(out, body != 0, body, trailers, options != 0, options, ret);
  u32 req = ret[0];
  request_sent_drop(ret[1]);
  request_set_method(req, tag, method, tag == 9 ? method_len : 0);
  request_set_scheme(req, 1, scheme, 0, 0);
  request_set_authority(req, 1, url + skip, at - skip);
  if (at < url_len) request_set_path(req, 1, url + at, url_len - at);
  else request_set_path(req, 1, "/", 1);

  // the header lists' values, now copied by the host
  release_list(b1, url ? 1 : 0);
  release_list(b2, method ? 1 : 0);
  release_list(b3, timeout ? 1 : 0);

  task_await(t, client_send(req, t->ret), sent);
  return task_step(t);
}

HANDLER_CALLBACK
