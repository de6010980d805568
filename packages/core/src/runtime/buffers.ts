// definitions.py Buffer, ReadableBufferGuestImpl, WritableBufferGuestImpl,
// plus host buffers (JS arrays / Uint8Array). Values cross as arrays, except
// `u8`, which crosses as Uint8Array so byte streams copy with one `set`;
// between two guests a numeric element type is copied memory to memory.
// A guest buffer is handed the element type's codec by the built-in that
// makes it (canon/async-builtins.ts, once per stream/future read or write
// definition), so runtime/ never reaches up into abi/'s codecs.

import type { Codec } from '../abi/codecs/index.ts';
import type { LiftLowerContext } from '../abi/context.ts';
import { Trap } from '../host/errors.ts';
import type { ValType } from '../types/model.ts';

export const MAX_BUFFER_LENGTH = 2 ** 28 - 1;

/** Values moving through a copy: an array, or bytes for `stream<u8>`/`future<u8>`. */
export type Values = unknown[] | Uint8Array;

export interface Buffer {
  readonly t: ValType | undefined;
  progress: number;
  remain(): number;
  isZeroLength(): boolean;
}
export interface ReadableBuffer extends Buffer {
  read(n: number): Values;
  /** Guest memory holding raw numeric elements (for memory-to-memory copies). */
  readonly raw?: GuestRaw;
}
export interface WritableBuffer extends Buffer {
  write(vs: Values): void;
  readonly raw?: GuestRaw;
  /**
   * u8 guest buffers only: hands `produce` a view of the rest of the destination in guest
   * memory to fill in place (a file read lands there with no copy of its own), and advances
   * by the count it returns.
   */
  fill?(produce: (view: Uint8Array) => number): number;
}

export interface GuestRaw {
  cx: LiftLowerContext;
  ptr: number;
  size: number;
}

const NUMERIC = new Set(['u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64']);
export function noneOrNumberType(t: ValType | undefined): boolean {
  return t === undefined || NUMERIC.has(t.kind);
}

class BufferGuestImpl implements GuestRaw {
  readonly t: ValType | undefined;
  readonly cx: LiftLowerContext;
  readonly codec: Codec | undefined;
  readonly size: number;
  ptr: number;
  progress = 0;
  readonly length: number;
  readonly raw: GuestRaw | undefined;

  /** `codec` is `t`'s (undefined when `t` is). */
  constructor(t: ValType | undefined, codec: Codec | undefined, cx: LiftLowerContext, ptr: number, length: number) {
    if (length > MAX_BUFFER_LENGTH) throw new Trap('buffer too long');
    this.codec = codec;
    this.size = this.codec?.size ?? 0;
    if (t !== undefined && length > 0) {
      cx.needMemory();
      if ((ptr & (this.codec!.align - 1)) !== 0) throw new Trap('unaligned pointer');
      if (ptr + length * this.size > cx.buffer.byteLength) throw new Trap('pointer/length out of bounds of memory');
    }
    this.t = t;
    this.cx = cx;
    this.ptr = ptr;
    this.length = length;
    this.raw = t !== undefined && NUMERIC.has(t.kind) ? this : undefined;
  }

  remain(): number {
    return this.length - this.progress;
  }
  isZeroLength(): boolean {
    return this.length === 0;
  }
}

export class ReadableBufferGuestImpl extends BufferGuestImpl implements ReadableBuffer {
  read(n: number): Values {
    const c = this.codec;
    let vs: Values;
    if (c === undefined) {
      vs = new Array(n).fill(undefined);
    } else {
      const cx = this.cx;
      cx.refresh();
      const size = this.size;
      if (c.type.kind === 'u8') {
        // A view, not a copy: every WritableBuffer copies what it is given before returning.
        vs = cx.u8.subarray(this.ptr, this.ptr + n);
      } else {
        // refresh() started this copy's lift budget (maxLiftBytes): the array, then each value's lists and strings.
        cx.chargeValues(c.type, n);
        vs = new Array(n);
        for (let i = 0; i < n; i++) vs[i] = c.load(cx, this.ptr + i * size);
      }
      this.ptr += n * size;
    }
    this.progress += n;
    return vs;
  }
}

export class WritableBufferGuestImpl extends BufferGuestImpl implements WritableBuffer {
  readonly fill: ((produce: (view: Uint8Array) => number) => number) | undefined;

  constructor(t: ValType | undefined, codec: Codec | undefined, cx: LiftLowerContext, ptr: number, length: number) {
    super(t, codec, cx, ptr, length);
    this.fill = t?.kind === 'u8' ? this.fillBytes : undefined;
  }

  private fillBytes(produce: (view: Uint8Array) => number): number {
    const cx = this.cx;
    cx.refresh();
    const n = this.length - this.progress;
    const got = n === 0 ? 0 : produce(cx.u8.subarray(this.ptr, this.ptr + n));
    // What the producer claims is bounded by the view it was given.
    const k = Math.max(0, Math.min(n, got | 0));
    this.ptr += k;
    this.progress += k;
    return k;
  }

  write(vs: Values): void {
    const n = vs.length;
    const c = this.codec;
    if (c !== undefined) {
      const cx = this.cx;
      cx.refresh();
      const size = this.size;
      if (vs instanceof Uint8Array && c.type.kind === 'u8') {
        cx.u8.set(vs, this.ptr);
      } else {
        for (let i = 0; i < n; i++) {
          c.store(cx, vs[i], this.ptr + i * size);
          cx.refresh();
        }
      }
      this.ptr += n * size;
    }
    this.progress += n;
  }
}

/** dst.write(src.read(n)), memory to memory when both sides are guests with numeric elements. */
export function copyValues(dst: WritableBuffer, src: ReadableBuffer, n: number): void {
  const a = src.raw;
  const b = dst.raw;
  if (a !== undefined && b !== undefined && a.size === b.size) {
    const bytes = n * a.size;
    a.cx.refresh();
    b.cx.refresh();
    b.cx.u8.set(a.cx.u8.subarray(a.ptr, a.ptr + bytes), b.ptr);
    (src as unknown as BufferGuestImpl).ptr += bytes;
    (dst as unknown as BufferGuestImpl).ptr += bytes;
    src.progress += n;
    dst.progress += n;
    return;
  }
  if (src.t === undefined && src instanceof BufferGuestImpl && dst instanceof BufferGuestImpl) {
    // Unit elements between guests carry nothing: count them, never build an n-array
    // (a guest may ask for 2^28 - 1 of them).
    src.progress += n;
    dst.progress += n;
    return;
  }
  dst.write(src.read(n));
}

/** A host-side source of values (what a host writer or producer offers). */
export class HostReadableBuffer implements ReadableBuffer {
  readonly t: ValType | undefined;
  readonly vals: Values;
  progress = 0;
  constructor(t: ValType | undefined, vals: Values) {
    this.t = t;
    this.vals = vals;
  }
  remain(): number {
    return this.vals.length - this.progress;
  }
  isZeroLength(): boolean {
    return this.vals.length === 0;
  }
  read(n: number): Values {
    const p = this.progress;
    this.progress = p + n;
    const v = this.vals;
    if (p === 0 && n === v.length) return v;
    return v instanceof Uint8Array ? v.subarray(p, p + n) : v.slice(p, p + n);
  }
}

type AllocUnsafe = (n: number) => Uint8Array;
const allocUnsafe: AllocUnsafe | undefined = (globalThis as { Buffer?: { allocUnsafeSlow?: AllocUnsafe } }).Buffer
  ?.allocUnsafeSlow;

/**
 * A fresh Uint8Array (not a Buffer) holding a copy of `v`. Skips zero-filling the new
 * memory, which matters at GiB/s: Node's unpooled `allocUnsafeSlow` where there is
 * one, else `ArrayBuffer#slice`.
 */
export function copyOut(v: Uint8Array): Uint8Array {
  const n = v.length;
  if (n < 1024) {
    // Small: zero-filling a few bytes costs less than ArrayBuffer#slice's generic path.
    const b = new Uint8Array(n);
    b.set(v);
    return b;
  }
  if (allocUnsafe !== undefined) {
    const b = new Uint8Array(allocUnsafe(n).buffer, 0, n);
    b.set(v);
    return b;
  }
  const ab = v.buffer;
  return ab instanceof ArrayBuffer ? new Uint8Array(ab.slice(v.byteOffset, v.byteOffset + n)) : v.slice();
}

/**
 * A host-side destination (what a host reader offers): collects up to `length`
 * values. For u8 it either fills the host's own Uint8Array (`into`, one `set`)
 * or, by default, allocates on the first write exactly what arrived (one
 * `slice` of guest memory: no zero-filled 64 KiB buffer per read, no second copy).
 */
export class HostWritableBuffer implements WritableBuffer {
  readonly t: ValType | undefined;
  readonly length: number;
  progress = 0;
  bytes: Uint8Array | undefined;
  readonly vals: unknown[] | undefined;
  private readonly isBytes: boolean;
  constructor(t: ValType | undefined, length: number, into?: Uint8Array) {
    this.t = t;
    this.length = length;
    this.isBytes = t?.kind === 'u8';
    if (this.isBytes) this.bytes = into;
    else this.vals = [];
  }
  remain(): number {
    return this.length - this.progress;
  }
  isZeroLength(): boolean {
    return this.length === 0;
  }
  write(vs: Values): void {
    const n = vs.length;
    if (this.isBytes) {
      const b = this.bytes;
      const u = vs instanceof Uint8Array ? vs : Uint8Array.from(vs as number[]);
      if (b === undefined) {
        this.bytes = copyOut(u);
      } else if (b.length >= this.progress + n) {
        b.set(u, this.progress);
      } else {
        // Only a second write into a default buffer lands here; grow to what is needed.
        const g = new Uint8Array(Math.min(this.length, Math.max(this.progress + n, 2 * b.length)));
        g.set(b.subarray(0, this.progress));
        g.set(u, this.progress);
        this.bytes = g;
      }
    } else {
      const out = this.vals!;
      for (let i = 0; i < n; i++) out.push(vs[i]);
    }
    this.progress += n;
  }
  /** What was written, as the host sees it. */
  take(): Values {
    if (!this.isBytes) return this.vals!;
    const b = this.bytes;
    if (b === undefined) return new Uint8Array(0);
    return b.length === this.progress ? b : b.subarray(0, this.progress);
  }
}
