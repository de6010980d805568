// A plaintext HTTP/1.1 GET over wasi:sockets@0.3, written against the raw canonical ABI (no
// libc, no bindings generator): `http-get HOST PORT [PATH]` resolves HOST with ip-name-lookup,
// connects a tcp-socket to the first address (IPv4 first), sends the request through `send`'s
// stream<u8>, copies what `receive` yields to stdout until the server closes, and exits 0.
// A failure prints `http-get: STEP: ERROR-CODE` to stderr and exits 1.
//
// The async functions (resolve-addresses, connect) and the socket streams are lowered async
// and waited for on a waitable set, as generated bindings do; stdout uses blocking writes.
// The guest knows nothing of TLS: the host decides what a connect reaches.

#include "cabi.h"
#include "cli-out.h"
#include "tcp.h"
#include "waiting.h"

#define LOOKUP "wasi:sockets/ip-name-lookup@0.3.0"

// ---- canon built-ins ----
IMPORT("$root", "[subtask-drop]") void subtask_drop(u32 s);
IMPORT("[export]wasi:cli/run@0.3.0", "[task-return]run") void task_return(u32 is_err);

// ---- wasi:cli ----
IMPORT("wasi:cli/environment@0.3.0", "get-arguments") void get_arguments(u32 *ret);

// ---- wasi:sockets ----
// result<list<ip-address>, error-code> at ret
IMPORT(LOOKUP, "[async-lower]resolve-addresses") u32 resolve_addresses(const void *name, u32 n, void *ret);
// (self, ip-socket-address) at params: more than 4 flat values, so passed in memory
IMPORT(TYPES, "[async-lower][method]tcp-socket.connect") u32 tcp_connect(const void *params, void *ret);

#define SUBTASK_RETURNED 2

static const char *const LOOKUP_ERRORS[] = {
    "access-denied", "invalid-argument", "name-unresolvable", "temporary-resolver-failure",
    "permanent-resolver-failure", "other",
};

/** `http-get: STEP: NAME` on stderr; returns 1 (the run's err). */
static u32 fail(const char *step, const char *name) {
  puts_(&err, "http-get: ");
  puts_(&err, step);
  puts_(&err, ": ");
  puts_(&err, name);
  puts_(&err, "\n");
  return 1;
}
static const char *socket_error(const u8 *code) { return *code < 15 ? SOCKET_ERRORS[*code] : "(bad error-code)"; }

// ---- waiting ----

/** An async-lowered call's status: returns once the call has returned (its results written). */
static void await_call(u32 status) {
  if ((status & 15) == SUBTASK_RETURNED) return;
  u32 subtask = status >> 4;
  while (wait_for(subtask, EVENT_SUBTASK) != SUBTASK_RETURNED) {}
  subtask_drop(subtask);
}

static u8 buf[16384];

static u32 get(const u8 *host, u32 host_n, u16 port, const u8 *path, u32 path_n) {
  // resolve-addresses: result<list<ip-address>, error-code>; an ip-address is 18 bytes
  // (case byte, then the tuple at offset 2)
  u32 r[5];
  await_call(resolve_addresses(host, host_n, r));
  if ((r[0] & 0xff) != 0) {
    u8 code = ((u8 *)r)[4];
    return fail("resolve-addresses", code < 6 ? LOOKUP_ERRORS[code] : "(bad error-code)");
  }
  const u8 *addrs = (const u8 *)r[1];
  u32 count = r[2];
  if (count == 0) return fail("resolve-addresses", "no addresses");
  const u8 *pick = addrs;
  for (u32 i = 0; i < count; i++)
    if (addrs[18 * i] == 0) { pick = addrs + 18 * i; break; }
  u32 family = pick[0];

  u32 c[5];
  tcp_create(family, c);
  if ((c[0] & 0xff) != 0) return fail("create", socket_error((u8 *)c + 4));
  u32 sock = c[1];

  // connect's parameters in memory: the socket, then ip-socket-address (case byte at 4,
  // payload at 8: port, then the address: v4 bytes at 10; v6 flow-info 12, address 16, scope 32)
  u32 params[10];
  memset(params, 0, sizeof params);
  u8 *p = (u8 *)params;
  params[0] = sock;
  p[4] = (u8)family;
  *(unsigned short *)(p + 8) = port;
  if (family == 0) for (u32 i = 0; i < 4; i++) p[10 + i] = pick[2 + i];
  else memcpy(p + 16, pick + 2, 16);
  u32 cr[5];
  await_call(tcp_connect(params, cr));
  if ((cr[0] & 0xff) != 0) {
    tcp_drop(sock);
    return fail("connect", socket_error((u8 *)cr + 4));
  }

  // the request: written into send's stream, which is then dropped (the end of what we send)
  u32 n = 0;
  const char *parts[] = {"GET ", 0, " HTTP/1.1\r\nHost: ", 0, "\r\nConnection: close\r\nUser-Agent: weft-http-get\r\n\r\n"};
  for (u32 i = 0; i < 5; i++) {
    const u8 *s = parts[i] ? (const u8 *)parts[i] : i == 1 ? path : host;
    u32 len = parts[i] ? slen(parts[i]) : i == 1 ? path_n : host_n;
    if (n + len > sizeof buf) return fail("request", "too long");
    memcpy(buf + n, s, len);
    n += len;
  }
  u64 s = send_stream_new();
  u32 w = (u32)(s >> 32);
  u32 sent = tcp_send(sock, (u32)s);
  for (u32 done = 0; done < n;) {
    u32 res = send_stream_write(w, buf + done, n - done);
    if (res == BLOCKED) res = wait_for(w, EVENT_STREAM_WRITE);
    done += res >> 4;
    if ((res & 15) == COPY_DROPPED) break;
  }
  send_stream_drop(w);
  u32 sr[5];
  u32 st = send_future_read(sent, sr);
  if (st == BLOCKED) wait_for(sent, EVENT_FUTURE_READ);
  send_future_drop(sent);
  if ((sr[0] & 0xff) != 0) {
    tcp_drop(sock);
    return fail("send", socket_error((u8 *)sr + 4));
  }

  // the response: everything until the server closes
  u32 rr[2];
  tcp_receive(sock, rr);
  for (;;) {
    u32 res = recv_stream_read(rr[0], buf, sizeof buf);
    if (res == BLOCKED) res = wait_for(rr[0], EVENT_STREAM_READ);
    put(&out, buf, res >> 4);
    if ((res & 15) == COPY_DROPPED) break;
  }
  recv_stream_drop(rr[0]);
  u32 fr[5];
  if (recv_future_read(rr[1], fr) == BLOCKED) wait_for(rr[1], EVENT_FUTURE_READ);
  recv_future_drop(rr[1]);
  tcp_drop(sock);
  if ((fr[0] & 0xff) != 0) return fail("receive", socket_error((u8 *)fr + 4));
  return 0;
}

static u32 run_get(void) {
  u32 argv[2];
  get_arguments(argv);
  u32 *args = (u32 *)argv[0];
  if (argv[1] < 3) return fail("usage", "http-get HOST PORT [PATH]");
  u64 port = parse_u64((const void *)args[4], args[5]);
  if (port == 0 || port > 65535) return fail("usage", "PORT must be 1 to 65535");
  const u8 *path = argv[1] > 3 ? (const u8 *)args[6] : (const u8 *)"/";
  u32 path_n = argv[1] > 3 ? args[7] : 1;
  return get((const u8 *)args[2], args[3], (u16)port, path, path_n);
}

// wasi:cli/run is an async func: lifted with a callback; this body blocks on its waitable set
// where it needs to, so it finishes in one go.
EXPORT("[async-lift]wasi:cli/run@0.3.0#run") u32 run(void) {
  heap_reset();
  wset = waitable_set_new();
  out = open_out(0);
  err = open_out(1);
  u32 ret = run_get();
  close_out(&err);
  close_out(&out);
  waitable_set_drop(wset);
  task_return(ret);
  return 0;  // EXIT
}
EXPORT("[callback][async-lift]wasi:cli/run@0.3.0#run") u32 run_callback(u32 ev, u32 a, u32 b) { return 0; }
