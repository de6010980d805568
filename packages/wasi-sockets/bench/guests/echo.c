// A TCP echo server over wasi:sockets@0.3, against the raw canonical ABI (no libc, no bindings
// generator), for the throughput bench: `echo [PORT]` binds 127.0.0.1:PORT (default 0: the
// system picks), listens, prints the bound `127.0.0.1:PORT` line on stdout, accepts one
// connection and copies what it receives back to it, up to 64 KiB a read (two buffers: the
// next read overlaps the last write), until the peer
// stops sending; then it ends its side and exits 0. A failure prints `echo: STEP: ERROR-CODE`
// on stderr and exits 1. Socket streams are lowered async and waited for on a waitable set.

#include "cabi.h"
#include "cli-out.h"
#include "tcp.h"
#include "waiting.h"


#define LISTEN "[method]tcp-socket.listen"

// ---- canon built-ins ----
IMPORT("[export]wasi:cli/run@0.3.0", "[task-return]run") void task_return(u32 is_err);

// ---- wasi:cli ----
IMPORT("wasi:cli/environment@0.3.0", "get-arguments") void get_arguments(u32 *ret);

// ---- wasi:sockets ----
// (self, ip-socket-address) flattened: the case, then 11 joined slots (v4: port, 4 address bytes)
IMPORT(TYPES, "[method]tcp-socket.bind")
void tcp_bind(u32 self, u32 tag, u32 port, u32 a, u32 b, u32 c, u32 d, u32 x6, u32 x7, u32 x8, u32 x9, u32 x10,
              u32 x11, void *ret);
IMPORT(TYPES, LISTEN) void tcp_listen(u32 self, void *ret);
IMPORT(TYPES, "[method]tcp-socket.get-local-address") void tcp_local_address(u32 self, void *ret);
IMPORT(TYPES, "[async-lower][stream-read-0]" LISTEN) u32 accept_read(u32 r, u32 *p, u32 n);
IMPORT(TYPES, "[stream-drop-readable-0]" LISTEN) void accept_drop(u32 r);

#define CHUNK 65536


static u32 fail(const char *step, const u8 *code) {
  puts_(&err, "echo: ");
  puts_(&err, step);
  puts_(&err, ": ");
  puts_(&err, *code < 15 ? SOCKET_ERRORS[*code] : "(bad error-code)");
  puts_(&err, "\n");
  return 1;
}

// ---- waiting ----

static u8 bufs[2][CHUNK];

/** Waits for `event` on `h`, already in the waitable set; returns the event's code. */
static u32 wait_joined(u32 h, u32 event) {
  u32 ev[2];
  for (;;) {
    u32 code = waitable_set_wait(wset, ev);
    if (code == event && ev[0] == h) return ev[1];
  }
}

/**
 * Copies the connection's input back to it until the input ends. Two buffers: while one
 * chunk is being written, the next is being read.
 */
static u32 echo(u32 sock) {
  u32 rr[2];
  tcp_receive(sock, rr);
  u32 r = rr[0];
  u64 s = send_stream_new();
  u32 w = (u32)(s >> 32);
  u32 sent = tcp_send(sock, (u32)s);
  waitable_join(r, wset);
  waitable_join(w, wset);
  u32 i = 0;
  u32 res = recv_stream_read(r, bufs[0], CHUNK);
  if (res == BLOCKED) res = wait_joined(r, EVENT_STREAM_READ);
  u32 n = res >> 4;
  int eof = (res & 15) == COPY_DROPPED, closed = 0;
  while (n > 0 && !closed) {
    u32 wres = send_stream_write(w, bufs[i], n);
    u32 rres = eof ? 0 : recv_stream_read(r, bufs[i ^ 1], CHUNK);
    int wpend = wres == BLOCKED, rpend = !eof && rres == BLOCKED;
    while (wpend || rpend) {
      u32 ev[2];
      u32 code = waitable_set_wait(wset, ev);
      if (code == EVENT_STREAM_WRITE && ev[0] == w) wres = ev[1], wpend = 0;
      else if (code == EVENT_STREAM_READ && ev[0] == r) rres = ev[1], rpend = 0;
    }
    // the rest of a short write, before its buffer is read into again
    for (u32 done = wres >> 4;; done += wres >> 4) {
      if ((wres & 15) == COPY_DROPPED) { closed = 1; break; }
      if (done >= n) break;
      wres = send_stream_write(w, bufs[i] + done, n - done);
      if (wres == BLOCKED) wres = wait_joined(w, EVENT_STREAM_WRITE);
    }
    n = eof ? 0 : rres >> 4;
    if (!eof && (rres & 15) == COPY_DROPPED) eof = 1;
    i ^= 1;
    // a read that ended the stream may still have brought bytes (written next round)
    while (n == 0 && !eof && !closed) {
      rres = recv_stream_read(r, bufs[i], CHUNK);
      if (rres == BLOCKED) rres = wait_joined(r, EVENT_STREAM_READ);
      n = rres >> 4;
      if ((rres & 15) == COPY_DROPPED) eof = 1;
    }
  }
  waitable_join(r, 0);
  waitable_join(w, 0);
  recv_stream_drop(r);
  send_stream_drop(w);
  u32 fr[5], sr[5];
  if (recv_future_read(rr[1], fr) == BLOCKED) wait_for(rr[1], EVENT_FUTURE_READ);
  recv_future_drop(rr[1]);
  if (send_future_read(sent, sr) == BLOCKED) wait_for(sent, EVENT_FUTURE_READ);
  send_future_drop(sent);
  if ((fr[0] & 0xff) != 0) return fail("receive", (u8 *)fr + 4);
  if ((sr[0] & 0xff) != 0) return fail("send", (u8 *)sr + 4);
  return 0;
}

static u32 run_echo(void) {
  u32 argv[2];
  get_arguments(argv);
  u32 *args = (u32 *)argv[0];
  u64 port = argv[1] > 1 ? parse_u64((const void *)args[2], args[3]) : 0;

  u32 r[10];
  tcp_create(0, r);
  if ((r[0] & 0xff) != 0) return fail("create", (u8 *)r + 4);
  u32 listener = r[1];
  tcp_bind(listener, 0, (u32)(port & 0xffff), 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, r);
  if ((r[0] & 0xff) != 0) return fail("bind", (u8 *)r + 4);
  tcp_listen(listener, r);
  if ((r[0] & 0xff) != 0) return fail("listen", (u8 *)r + 4);
  u32 accepts = r[1];
  // result<ip-socket-address, error-code>: the address's case at 4, its port at 8
  tcp_local_address(listener, r);
  if ((r[0] & 0xff) != 0) return fail("get-local-address", (u8 *)r + 4);
  puts_(&out, "127.0.0.1:");
  put_u64(&out, *(u16 *)((u8 *)r + 8));
  puts_(&out, "\n");

  u32 conn = 0;
  u32 res = accept_read(accepts, &conn, 1);
  if (res == BLOCKED) res = wait_for(accepts, EVENT_STREAM_READ);
  accept_drop(accepts);
  tcp_drop(listener);
  if ((res >> 4) != 1) {
    u8 code = 14;
    return fail("accept", &code);
  }
  u32 ret = echo(conn);
  tcp_drop(conn);
  return ret;
}

EXPORT("[async-lift]wasi:cli/run@0.3.0#run") u32 run(void) {
  heap_reset();
  wset = waitable_set_new();
  out = open_out(0);
  err = open_out(1);
  u32 ret = run_echo();
  close_out(&err);
  close_out(&out);
  waitable_set_drop(wset);
  task_return(ret);
  return 0;  // EXIT
}
EXPORT("[callback][async-lift]wasi:cli/run@0.3.0#run") u32 run_callback(u32 ev, u32 a, u32 b) { return 0; }
