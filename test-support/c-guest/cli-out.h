// stdout and stderr for raw-ABI C guests of wasi:cli@0.3.0: write-via-stream with blocking
// stream writes (each write returns once the host took the bytes). Include after cabi.h; the
// guest's world imports wasi:cli/stdout (and wasi:cli/stderr if it writes there).
#ifndef CLI_OUT_H
#define CLI_OUT_H

#ifndef COPY_DROPPED
#define COPY_DROPPED 1
#endif

IMPORT("wasi:cli/stdout@0.3.0", "write-via-stream") u32 stdout_write_via_stream(u32 r);
IMPORT("wasi:cli/stderr@0.3.0", "write-via-stream") u32 stderr_write_via_stream(u32 r);
IMPORT("wasi:cli/stdout@0.3.0", "[stream-new-0]write-via-stream") u64 out_stream_new(void);
IMPORT("wasi:cli/stdout@0.3.0", "[stream-write-0]write-via-stream") u32 out_stream_write(u32 w, const void *p, u32 n);
IMPORT("wasi:cli/stdout@0.3.0", "[stream-drop-writable-0]write-via-stream") void out_stream_drop(u32 w);
IMPORT("wasi:cli/stdout@0.3.0", "[future-read-1]write-via-stream") u32 out_future_read(u32 f, void *p);
IMPORT("wasi:cli/stdout@0.3.0", "[future-drop-readable-1]write-via-stream") void out_future_drop(u32 f);

/** An output stream: its writable end, the future of how the write ended, and whether the host dropped it. */
struct out { u32 w; u32 fut; int closed; };
static struct out out, err;

static inline struct out open_out(int to_err) {
  u64 h = out_stream_new();
  struct out o = {(u32)(h >> 32), 0, 0};
  o.fut = to_err ? stderr_write_via_stream((u32)h) : stdout_write_via_stream((u32)h);
  return o;
}
static inline void put(struct out *o, const void *p, u32 n) {
  const u8 *b = p;
  while (n > 0 && !o->closed) {
    u32 r = out_stream_write(o->w, b, n);
    b += r >> 4;
    n -= r >> 4;
    if ((r & 0xf) == COPY_DROPPED) o->closed = 1;
  }
}
static inline void puts_(struct out *o, const char *s) { put(o, s, slen(s)); }
static inline void put_u64(struct out *o, u64 v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  do { b[--i] = '0' + v % 10; v /= 10; } while (v);
  puts_(o, b + i);
}
/** Ends the stream and waits for the host to have written everything. */
static inline void close_out(struct out *o) {
  out_stream_drop(o->w);
  u8 res[2];
  out_future_read(o->fut, res);
  out_future_drop(o->fut);
}

#endif
