// What every raw-canonical-ABI C test guest needs (no libc, no bindings generator): fixed-width
// types, import/export attributes, a bump-allocating cabi_realloc, the memcpy/memset the compiler
// may emit calls to, and byte-string helpers. Include it first; build with build.mjs beside it.

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

extern u8 __heap_base;

// the compiler may still turn loops into calls to these
void *memcpy(void *d, const void *s, unsigned long n) { u8 *a = d; const u8 *b = s; while (n--) *a++ = *b++; return d; }
void *memset(void *d, int c, unsigned long n) { u8 *a = d; while (n--) *a++ = (u8)c; return d; }

// ---- a bump allocator is all cabi_realloc needs in most test guests (define CABI_OWN_ALLOCATOR
// before including this to bring your own, as a long-running handler must) ----
#ifndef CABI_OWN_ALLOCATOR
static u32 heap_top;
EXPORT("cabi_realloc") void *cabi_realloc(void *old, u32 old_size, u32 align, u32 new_size) {
  if (heap_top == 0) heap_top = (u32)&__heap_base;
  heap_top = (heap_top + align - 1) & ~(align - 1);
  u32 need = heap_top + new_size;
  u32 have = __builtin_wasm_memory_size(0) * 65536;
  if (need > have) __builtin_wasm_memory_grow(0, (need - have + 65535) / 65536);
  u8 *p = (u8 *)heap_top;
  heap_top = need;
  for (u32 i = 0; i < old_size && i < new_size; i++) p[i] = ((u8 *)old)[i];
  return p;
}
/** Frees everything cabi_realloc handed out (a guest whose export runs more than once). */
static inline void heap_reset(void) { heap_top = 0; }
#endif

static inline u32 slen(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
/** Whether the `an` bytes at `a` spell the C string `b`. */
static inline int seq(const void *a, u32 an, const char *b) {
  if (an != slen(b)) return 0;
  for (u32 i = 0; i < an; i++) if (((const u8 *)a)[i] != (u8)b[i]) return 0;
  return 1;
}
/** The decimal number the `n` bytes at `s` start with (it stops at the first non-digit). */
static inline u64 parse_u64(const void *s, u32 n) {
  u64 v = 0;
  for (u32 i = 0; i < n; i++) {
    u8 c = ((const u8 *)s)[i];
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return v;
}
