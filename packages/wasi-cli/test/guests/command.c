// A WASI 0.3 command written against the raw canonical ABI (no libc, no
// bindings generator): stdio as stream<u8> + future<result<_, error-code>>,
// wait-for, exit-with-code, args, env, randomness. The first argument after
// the program name picks what it does (see run below).

// ---- canon built-ins ----
#include "cabi.h"

IMPORT("wasi:cli/stdout@0.3.0", "[stream-new-0]write-via-stream") u64 stream_new(void);
IMPORT("wasi:cli/stdout@0.3.0", "[stream-write-0]write-via-stream") u32 stream_write(u32 w, const void *p, u32 n);
IMPORT("wasi:cli/stdout@0.3.0", "[stream-drop-writable-0]write-via-stream") void stream_drop_writable(u32 w);
IMPORT("wasi:cli/stdout@0.3.0", "[future-read-1]write-via-stream") u32 out_future_read(u32 f, void *p);
IMPORT("wasi:cli/stdout@0.3.0", "[future-drop-readable-1]write-via-stream") void out_future_drop(u32 f);
IMPORT("wasi:cli/stdin@0.3.0", "[stream-read-0]read-via-stream") u32 stdin_stream_read(u32 r, void *p, u32 n);
IMPORT("wasi:cli/stdin@0.3.0", "[stream-drop-readable-0]read-via-stream") void stdin_stream_drop(u32 r);
IMPORT("wasi:cli/stdin@0.3.0", "[future-read-1]read-via-stream") u32 in_future_read(u32 f, void *p);
IMPORT("wasi:cli/stdin@0.3.0", "[future-drop-readable-1]read-via-stream") void in_future_drop(u32 f);
IMPORT("[export]wasi:cli/run@0.3.0", "[task-return]run") void task_return(u32 is_err);

// ---- WASI imports ----
IMPORT("wasi:cli/stdout@0.3.0", "write-via-stream") u32 stdout_write_via_stream(u32 r);
IMPORT("wasi:cli/stderr@0.3.0", "write-via-stream") u32 stderr_write_via_stream(u32 r);
IMPORT("wasi:cli/stdin@0.3.0", "read-via-stream") void stdin_read_via_stream(u32 *ret);
IMPORT("wasi:cli/environment@0.3.0", "get-arguments") void get_arguments(u32 *ret);
IMPORT("wasi:cli/environment@0.3.0", "get-environment") void get_environment(u32 *ret);
IMPORT("wasi:cli/environment@0.3.0", "get-initial-cwd") void get_initial_cwd(u32 *ret);
IMPORT("wasi:cli/exit@0.3.0", "exit") void wasi_exit(u32 is_err);
IMPORT("wasi:cli/exit@0.3.0", "exit-with-code") void exit_with_code(u32 code);
IMPORT("wasi:clocks/monotonic-clock@0.3.0", "now") u64 clock_now(void);
IMPORT("wasi:clocks/monotonic-clock@0.3.0", "wait-for") void wait_for(u64 ns);
// the same functions lowered async: they return a subtask status (low 4 bits)
IMPORT("wasi:clocks/monotonic-clock@0.3.0", "[async-lower]wait-for") u32 wait_for_async(u64 ns);
IMPORT("wasi:clocks/monotonic-clock@0.3.0", "[async-lower]wait-until") u32 wait_until_async(u64 when);
IMPORT("wasi:random/random@0.3.0", "get-random-bytes") void get_random_bytes(u64 n, u32 *ret);

#define BLOCKED 0xffffffffu
#define COPY_DROPPED 1

// ---- an output: a stream we write, plus the future that says how it ended ----
struct out { u32 w; u32 fut; int closed; };

static struct out open_out(int err) {
  u64 h = stream_new();
  struct out o = { (u32)(h >> 32), 0, 0 };
  o.fut = err ? stderr_write_via_stream((u32)h) : stdout_write_via_stream((u32)h);
  return o;
}

// Blocks until the host took every byte (or dropped its end: then stop).
static void out_write(struct out *o, const void *p, u32 n) {
  const u8 *b = p;
  while (n > 0 && !o->closed) {
    u32 r = stream_write(o->w, b, n);
    u32 done = r >> 4;
    b += done;
    n -= done;
    if ((r & 0xf) == COPY_DROPPED) o->closed = 1;
  }
}
static void out_str(struct out *o, const char *s) { out_write(o, s, slen(s)); }
static void out_u64(struct out *o, u64 v) {
  char buf[24]; int i = 23; buf[i] = 0;
  do { buf[--i] = '0' + v % 10; v /= 10; } while (v);
  out_str(o, buf + i);
}

// Drops the stream and returns the transfer's result: 0 ok, else 1 + error-code.
static u32 out_close(struct out *o) {
  stream_drop_writable(o->w);
  u8 res[2] = { 0, 0 };
  out_future_read(o->fut, res);
  out_future_drop(o->fut);
  return res[0] == 0 ? 0 : 1 + res[1];
}

static u8 big[1 << 20];

static u32 run_mode(void) {
  u32 argv[2];
  get_arguments(argv);
  u32 *args = (u32 *)argv[0];
  u32 argc = argv[1];
  const u8 *mode = argc > 1 ? (const u8 *)args[2] : (const u8 *)"hello";
  u32 mode_n = argc > 1 ? args[3] : 5;
  const u8 *arg = argc > 2 ? (const u8 *)args[4] : (const u8 *)"";
  u32 arg_n = argc > 2 ? args[5] : 0;

  struct out out = open_out(0);
  u32 ret = 0;
  if (seq(mode, mode_n, "hello")) {
    out_str(&out, "hello from C\n");
  } else if (seq(mode, mode_n, "args")) {
    for (u32 i = 0; i < argc; i++) { out_write(&out, (void *)args[2 * i], args[2 * i + 1]); out_str(&out, "\n"); }
  } else if (seq(mode, mode_n, "env")) {
    u32 e[2];
    get_environment(e);
    u32 *kv = (u32 *)e[0];
    for (u32 i = 0; i < e[1]; i++) {
      out_write(&out, (void *)kv[4 * i], kv[4 * i + 1]);
      out_str(&out, "=");
      out_write(&out, (void *)kv[4 * i + 2], kv[4 * i + 3]);
      out_str(&out, "\n");
    }
    u32 cwd[3];
    get_initial_cwd(cwd);
    out_str(&out, "cwd=");
    if (cwd[0] & 0xff) out_write(&out, (void *)cwd[1], cwd[2]); else out_str(&out, "(none)");
    out_str(&out, "\n");
  } else if (seq(mode, mode_n, "cat")) {
    // stdin -> stdout, 64 KiB at a time
    u32 in[2];
    stdin_read_via_stream(in);
    for (;;) {
      u32 r = stdin_stream_read(in[0], big, 65536);
      u32 n = r >> 4;
      if (n > 0) out_write(&out, big, n);
      if ((r & 0xf) == COPY_DROPPED) break;
    }
    stdin_stream_drop(in[0]);
    u8 res[2];
    in_future_read(in[1], res);
    in_future_drop(in[1]);
  } else if (seq(mode, mode_n, "big")) {
    // writes N bytes (default 100 MiB) of a repeating pattern, 1 MiB per write
    u64 total = arg_n ? parse_u64(arg, arg_n) : 100ull << 20;
    for (u32 i = 0; i < sizeof big; i++) big[i] = 'a' + i % 26;
    for (u32 i = 63; i < sizeof big; i += 64) big[i] = '\n';
    while (total > 0 && !out.closed) {
      u32 n = total < sizeof big ? (u32)total : sizeof big;
      out_write(&out, big, n);
      total -= n;
    }
  } else if (seq(mode, mode_n, "lines")) {
    // line after line until stdout is closed (| head -1) or N lines were written
    u64 n = arg_n ? parse_u64(arg, arg_n) : ~0ull;
    for (u64 i = 0; i < n && !out.closed; i++) { out_str(&out, "line "); out_u64(&out, i); out_str(&out, "\n"); }
  } else if (seq(mode, mode_n, "exit")) {
    out_str(&out, "exiting\n");
    out_close(&out);
    exit_with_code((u32)parse_u64(arg, arg_n));
    return 0;
  } else if (seq(mode, mode_n, "exit-err")) {
    out_close(&out);
    wasi_exit(1);
    return 0;
  } else if (seq(mode, mode_n, "err")) {
    ret = 1;
  } else if (seq(mode, mode_n, "stderr")) {
    struct out err = open_out(1);
    out_str(&out, "to stdout\n");
    out_str(&err, "to stderr\n");
    out_close(&err);
  } else if (seq(mode, mode_n, "sleep")) {
    u64 ms = arg_n ? parse_u64(arg, arg_n) : 10;
    u64 t0 = clock_now();
    wait_for(ms * 1000000ull);
    u64 t1 = clock_now();
    out_str(&out, "slept ");
    out_u64(&out, (t1 - t0) / 1000000ull);
    out_str(&out, " ms\n");
  } else if (seq(mode, mode_n, "drop-stdin")) {
    // drop stdin's stream unread: the transfer's future must still settle (ok)
    u32 in[2];
    stdin_read_via_stream(in);
    stdin_stream_drop(in[0]);
    u8 res[2] = { 9, 9 };
    in_future_read(in[1], res);
    in_future_drop(in[1]);
    out_str(&out, res[0] == 0 ? "stdin future: ok\n" : "stdin future: err\n");
  } else if (seq(mode, mode_n, "wait-past")) {
    // waits that are already over complete at once: RETURNED (2), no subtask
    u64 now = clock_now();
    out_str(&out, "wait-until(past): ");
    out_u64(&out, wait_until_async(now > 0 ? now - 1 : 0));
    out_str(&out, "\nwait-until(now): ");
    out_u64(&out, wait_until_async(now));
    out_str(&out, "\nwait-for(0): ");
    out_u64(&out, wait_for_async(0));
    out_str(&out, "\n");
  } else if (seq(mode, mode_n, "random")) {
    u32 l[2];
    get_random_bytes(16, l);
    const u8 *b = (const u8 *)l[0];
    static const char hex[] = "0123456789abcdef";
    char s[33];
    for (u32 i = 0; i < 16 && i < l[1]; i++) { s[2 * i] = hex[b[i] >> 4]; s[2 * i + 1] = hex[b[i] & 15]; }
    s[32] = 0;
    out_str(&out, s);
    out_str(&out, "\n");
  } else if (seq(mode, mode_n, "trap")) {
    out_str(&out, "about to trap\n");
    __builtin_trap();
  } else {
    out_str(&out, "unknown mode\n");
    ret = 1;
  }
  out_close(&out);
  return ret;
}

// wasi:cli/run is an async func: lifted with a callback; this body blocks
// where it needs to (sync stream ops, wait-for), so it finishes in one go.
EXPORT("[async-lift]wasi:cli/run@0.3.0#run") u32 run(void) {
  heap_reset();
  task_return(run_mode());
  return 0; // EXIT
}
EXPORT("[callback][async-lift]wasi:cli/run@0.3.0#run") u32 run_callback(u32 ev, u32 a, u32 b) {
  return 0;
}
