// Memory and table limits (issue 9, as Wasmtime's ResourceLimiter): every
// memory and table a core module defines gets a maximum no larger than the
// limit, so `memory.grow` / `table.grow` past it fail (-1) as on an engine out
// of memory, and a module whose minimum is already larger fails to compile
// with an error naming the limit. Only defined memories and tables: a
// component's imported ones are defined by another of its modules.

import { fail, In, Out } from './bytes.ts';
import { copyExpr, type Remap } from './code.ts';

/** No index moves: limits add no imports. */
const UNCHANGED: Remap = { funcImports: 0, funcShift: 0, globalImports: 0, globalShift: 0, memImports: 0, memShift: 0 };

export interface ResourceLimits {
  /** Most 64 KiB pages one memory may have. */
  maxMemoryPages?: number;
  /** Most elements one table may have. */
  maxTableElements?: number;
}

/** Rewrites the memory and table sections of a core module; `bytes` itself when there is nothing to limit. */
export function limitResources(bytes: Uint8Array, limits: ResourceLimits): Uint8Array {
  const mem = limits.maxMemoryPages;
  const tab = limits.maxTableElements;
  if (mem === undefined && tab === undefined) return bytes;
  if (bytes.length < 8) fail('not a core module', 0);
  const out = new Out();
  out.bytes(bytes.subarray(0, 8));
  const inp = new In(bytes, 8, bytes.length);
  while (inp.pos < inp.end) {
    const id = inp.byte();
    const size = inp.u32();
    const start = inp.pos;
    const end = start + size;
    if (end > bytes.length) fail('section runs past the end', start);
    const body = new In(bytes, start, end);
    let rewritten: Out | undefined;
    if (id === 5 && mem !== undefined) {
      rewritten = new Out();
      const n = body.u32();
      rewritten.u32(n);
      for (let i = 0; i < n; i++) clampLimits(body, rewritten, mem, 'memory pages', 'maxMemoryPages');
    } else if (id === 4 && tab !== undefined) {
      rewritten = new Out();
      const n = body.u32();
      rewritten.u32(n);
      for (let i = 0; i < n; i++) {
        if (bytes[body.pos] === 0x40) {
          // 0x40 0x00 tabletype expr: the table's initial element
          rewritten.byte(body.byte());
          rewritten.byte(body.byte());
          copyRefType(body, rewritten);
          clampLimits(body, rewritten, tab, 'table elements', 'maxTableElements');
          copyExpr(body, rewritten, UNCHANGED); // the table's initial value
        } else {
          copyRefType(body, rewritten);
          clampLimits(body, rewritten, tab, 'table elements', 'maxTableElements');
        }
      }
    }
    out.byte(id);
    if (rewritten === undefined) {
      out.u32(size);
      out.bytes(bytes.subarray(start, end));
    } else {
      if (body.pos !== end) fail(`section ${id} has trailing bytes`, body.pos);
      out.u32(rewritten.len);
      out.bytes(rewritten.buf.subarray(0, rewritten.len));
    }
    inp.pos = end;
  }
  return out.result();
}

/** limits: flags (bit 0 max, bit 1 shared, bit 2 64-bit, bit 3 page size), min, max?, page size? */
function clampLimits(inp: In, out: Out, limit: number, what: string, option: string): void {
  const at = inp.pos;
  const flags = inp.byte();
  if (flags > 0x0f) fail(`unknown limits flags 0x${flags.toString(16)}`, at);
  const wide = (flags & 0x04) !== 0;
  const min = wide ? u64(inp) : inp.u32();
  const max = (flags & 0x01) !== 0 ? (wide ? u64(inp) : inp.u32()) : undefined;
  if (min > limit) fail(`the module needs ${min} ${what}, more than the limit of ${limit} (option ${option})`, at);
  out.byte(flags | 0x01);
  out.u32(min); // both fit in a u32 now (the limit does), and LEB128 is the same for u64
  out.u32(max === undefined ? limit : Math.min(max, limit));
  if ((flags & 0x08) !== 0) out.u32(inp.u32());
}

/** A u64 LEB128 as a number (memory64 sizes; exact below 2^53). */
function u64(inp: In): number {
  let result = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    const b = inp.byte();
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
  }
  return fail('LEB128 too long', inp.pos);
}

function copyRefType(inp: In, out: Out): void {
  const start = inp.pos;
  inp.valtype();
  out.bytes(inp.b.subarray(start, inp.pos));
}
