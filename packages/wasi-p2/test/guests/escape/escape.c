// A WASI 0.2 guest, written against the raw canonical ABI (no libc, no
// bindings generator), that tries every way out of its preopen `/sandbox`
// (issue 10) and prints one line per attempt: "what: result", the result
// being "ok", "ok <text>" (what it read) or the error-code case name.
//
// Layout of a result<T, error-code> in the return area: the case byte at 0,
// then T or the error-code byte at T's alignment (4, or 8 for a stat record).

#include "cabi.h"

#define FS "wasi:filesystem/types@0.2.3"
#define STREAMS "wasi:io/streams@0.2.3"

IMPORT("wasi:filesystem/preopens@0.2.3", "get-directories") void get_directories(u32 *ret);
IMPORT(FS, "[method]descriptor.open-at") void open_at(u32 d, u32 pf, const char *p, u32 n, u32 of, u32 fl, void *ret);
IMPORT(FS, "[method]descriptor.stat-at") void stat_at(u32 d, u32 pf, const char *p, u32 n, void *ret);
IMPORT(FS, "[method]descriptor.get-type") void get_type(u32 d, void *ret);
IMPORT(FS, "[method]descriptor.create-directory-at") void mkdir_at(u32 d, const char *p, u32 n, void *ret);
IMPORT(FS, "[method]descriptor.rename-at") void rename_at(u32 d, const char *p, u32 n, u32 d2, const char *q, u32 m, void *ret);
IMPORT(FS, "[method]descriptor.symlink-at") void symlink_at(u32 d, const char *t, u32 tn, const char *p, u32 n, void *ret);
IMPORT(FS, "[method]descriptor.link-at") void link_at(u32 d, u32 pf, const char *p, u32 n, u32 d2, const char *q, u32 m, void *ret);
IMPORT(FS, "[method]descriptor.readlink-at") void readlink_at(u32 d, const char *p, u32 n, void *ret);
IMPORT(FS, "[method]descriptor.read-via-stream") void read_via_stream(u32 d, u64 offset, void *ret);
IMPORT(FS, "[method]descriptor.write-via-stream") void write_via_stream(u32 d, u64 offset, void *ret);
IMPORT(FS, "[method]descriptor.read-directory") void read_directory(u32 d, void *ret);
IMPORT(FS, "[method]directory-entry-stream.read-directory-entry") void read_directory_entry(u32 s, void *ret);
IMPORT(FS, "filesystem-error-code") void filesystem_error_code(u32 err, void *ret);
IMPORT(FS, "[resource-drop]descriptor") void drop_descriptor(u32 d);
IMPORT(FS, "[resource-drop]directory-entry-stream") void drop_dir_stream(u32 s);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void blocking_read(u32 s, u64 len, void *ret);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush") void blocking_write(u32 s, const void *p, u32 n, void *ret);
IMPORT(STREAMS, "[resource-drop]input-stream") void drop_input(u32 s);
IMPORT(STREAMS, "[resource-drop]output-stream") void drop_output(u32 s);
IMPORT("wasi:io/error@0.2.3", "[resource-drop]error") void drop_error(u32 e);
IMPORT("wasi:cli/stdout@0.2.3", "get-stdout") u32 get_stdout(void);

enum { FOLLOW = 1, NOFOLLOW = 0 };                               // path-flags
enum { CREATE = 1, DIRECTORY = 2, EXCLUSIVE = 4, TRUNCATE = 8 }; // open-flags
enum { READ = 1, WRITE = 2, MUTATE = 32 };                       // descriptor-flags
enum { OK = -1, INVALID = 12, IO = 13 };                        // results: ok, or an error-code

static const char *const codes[] = {
  "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
  "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
  "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry",
  "no-lock", "insufficient-memory", "insufficient-space", "not-directory", "not-empty",
  "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
  "read-only", "invalid-seek", "text-file-busy", "cross-device",
};

#define S(s) s, slen(s)

static _Alignas(8) u8 ret[128];
static u32 ret_u32(u32 at) { return *(u32 *)(ret + at); }

// ---- output: one line per attempt on stdout ----
static u32 out;
static void put(const char *p, u32 n) {
  blocking_write(out, p, n, ret);
  if (ret[0] != 0) __builtin_trap();
}
static void puts_(const char *s) { put(s, slen(s)); }
static void line(const char *what, int code, const char *text, u32 n) {
  puts_(what);
  puts_(": ");
  if (code == OK) { puts_("ok"); if (n) { puts_(" "); put(text, n); } }
  else puts_(codes[code]);
  puts_("\n");
}
static void report(const char *what, int code) { line(what, code, 0, 0); }

// The outcome of a call that returned result<_, error-code> (code at 1) or result<T, error-code> (code at 4).
static int res1(void) { return ret[0] == 0 ? OK : ret[1]; }
static int res4(void) { return ret[0] == 0 ? OK : ret[4]; }

// ---- the attempts ----
static u32 dir; // the preopen
static u32 opened; // the descriptor the last successful open returned

static int open_(u32 d, u32 pf, const char *path, u32 of, u32 fl) {
  open_at(d, pf, S(path), of, fl, ret);
  int c = res4();
  if (c == OK) opened = ret_u32(4);
  return c;
}

// Opens `path` under `d` and reads the whole file through read-via-stream.
static void try_read(const char *what, u32 d, const char *path) {
  int c = open_(d, FOLLOW, path, 0, READ);
  if (c != OK) { report(what, c); return; }
  u32 file = opened;
  read_via_stream(file, 0, ret);
  if ((c = res4()) != OK) { report(what, c); drop_descriptor(file); return; }
  u32 in = ret_u32(4);
  static char text[256];
  u32 n = 0;
  for (;;) {
    blocking_read(in, sizeof text - n, ret);
    if (ret[0] != 0) { // stream-error: closed at the end, else last-operation-failed(error)
      if (ret[4] == 0) {
        u32 err = ret_u32(8);
        filesystem_error_code(err, ret);
        c = ret[0] ? ret[1] : IO; // its error-code, else io
        drop_error(err);
      }
      break;
    }
    u32 got = ret_u32(8);
    for (u32 i = 0; i < got && n < sizeof text; i++) text[n++] = ((char *)ret_u32(4))[i];
    if (n == sizeof text) break;
  }
  drop_input(in);
  drop_descriptor(file);
  line(what, c, text, n);
}

// Creates (or truncates) `path` under `d` and writes `text` through write-via-stream.
static void try_write(const char *what, u32 d, const char *path, const char *text) {
  int c = open_(d, FOLLOW, path, CREATE | TRUNCATE, WRITE);
  if (c != OK) { report(what, c); return; }
  u32 file = opened;
  write_via_stream(file, 0, ret);
  if ((c = res4()) == OK) {
    u32 o = ret_u32(4);
    blocking_write(o, S(text), ret);
    if (ret[0] != 0) c = IO;
    drop_output(o);
  }
  drop_descriptor(file);
  report(what, c);
}

static int mkdir_(const char *path) { mkdir_at(dir, S(path), ret); return res1(); }
static int rename_(const char *from, const char *to) { rename_at(dir, S(from), dir, S(to), ret); return res1(); }
static int symlink_(const char *target, const char *path) { symlink_at(dir, S(target), S(path), ret); return res1(); }
static int link_(const char *from, const char *to) { link_at(dir, FOLLOW, S(from), dir, S(to), ret); return res1(); }

static void try_open(const char *what, u32 d, u32 pf, const char *path, u32 of) {
  int c = open_(d, pf, path, of, READ);
  if (c == OK) drop_descriptor(opened);
  report(what, c);
}

static void try_stat(const char *what, u32 d, u32 pf, const char *path) {
  stat_at(d, pf, S(path), ret);
  report(what, ret[0] == 0 ? OK : ret[8]);
}

static void try_readlink(const char *what, const char *path) {
  readlink_at(dir, S(path), ret);
  if (ret[0] == 0) line(what, OK, (const char *)ret_u32(4), ret_u32(8));
  else report(what, ret[4]);
}

// Lists a directory: "ok name name ...".
static void try_list(const char *what, u32 d) {
  read_directory(d, ret);
  int c = res4();
  if (c != OK) { report(what, c); return; }
  u32 s = ret_u32(4);
  static char names[256];
  u32 n = 0;
  for (;;) {
    read_directory_entry(s, ret);
    if ((c = res4()) != OK || ret[4] == 0) break; // an error, or none left
    const char *name = (const char *)ret_u32(12);
    u32 len = ret_u32(16);
    for (u32 i = 0; i < len && n < sizeof names - 1; i++) names[n++] = name[i];
    if (n < sizeof names - 1) names[n++] = ' ';
  }
  drop_dir_stream(s);
  line(what, c, names, n ? n - 1 : 0);
}

static int run_escapes(void) {
  out = get_stdout();
  u32 list[2];
  get_directories(list);
  u32 *pre = (u32 *)list[0];
  if (list[1] != 1 || !seq((const char *)pre[1], pre[2], "/sandbox")) { puts_("expected one preopen /sandbox\n"); return 1; }
  dir = pre[0];
  get_type(dir, ret);
  report("preopen is a directory", ret[0] == 0 && ret[1] == 3 /* directory */ ? OK : INVALID);

  // The sandbox works: a file written and read back through the streams.
  try_write("write note", dir, "note.txt", "inside the sandbox");
  try_read("read note", dir, "note.txt");

  // `..` out of the preopen, directly, after a real directory, and as stat-at's whole path.
  try_read("read ../secret", dir, "../secret");
  report("mkdir dir", mkdir_("dir"));
  try_read("read dir/../../secret", dir, "dir/../../secret");
  try_stat("stat ..", dir, FOLLOW, "..");
  report("rename dir to ../dir", rename_("dir", "../dir"));

  // Absolute paths, and symlinks to absolute targets.
  try_read("read /etc/hostname", dir, "/etc/hostname");
  try_stat("stat /", dir, FOLLOW, "/");
  report("symlink abs -> /etc", symlink_("/etc", "abs"));
  try_read("read hostlink/hostname", dir, "hostlink/hostname"); // planted by the host: -> <outside>/etc

  // A symlink the guest makes pointing out of the preopen.
  report("symlink out -> ../../../../etc", symlink_("../../../../etc", "out"));
  try_readlink("readlink out", "out");
  try_read("read out/hostname", dir, "out/hostname");
  try_stat("stat out", dir, FOLLOW, "out");
  try_open("open out as directory", dir, FOLLOW, "out", DIRECTORY);
  try_open("open out without following", dir, NOFOLLOW, "out", 0);
  try_write("create out/pwned", dir, "out/pwned", "escaped");
  report("link out/hostname to hardlink", link_("out/hostname", "hardlink"));
  report("symlink s -> ../secret", symlink_("../secret", "s"));
  try_read("read s", dir, "s");

  // preview2-shim's escape: a held directory descriptor whose directory is renamed and whose
  // old name becomes a symlink out. The descriptor must still mean the directory it opened.
  report("mkdir sub", mkdir_("sub"));
  try_write("write sub/inner", dir, "sub/inner", "inner file");
  int c = open_(dir, FOLLOW, "sub", DIRECTORY, READ);
  report("open sub", c);
  if (c != OK) return 1;
  u32 sub = opened;
  c = open_(dir, FOLLOW, "sub", DIRECTORY, READ | MUTATE);
  report("open sub for changes", c);
  u32 subw = c == OK ? opened : 0;
  report("rename sub to sub-moved", rename_("sub", "sub-moved"));
  report("symlink sub -> ../../../../etc", symlink_("../../../../etc", "sub"));
  try_read("held sub: read hostname", sub, "hostname");
  try_read("held sub: read inner", sub, "inner");
  try_list("held sub: list", sub);
  try_write("held sub: create pwned", sub, "pwned", "written through the held descriptor");
  try_read("held sub: read ../secret", sub, "../secret");
  drop_descriptor(sub);
  if (subw) {
    try_write("held sub for changes: create made", subw, "made", "written through the held descriptor");
    try_read("read sub-moved/made", dir, "sub-moved/made");
    drop_descriptor(subw);
  }
  try_list("list sandbox", dir);
  return 0;
}

EXPORT("wasi:cli/run@0.2.3#run") u32 run(void) {
  heap_reset();
  return run_escapes();
}
