// Byte reading and writing for the core-module rewriter: LEB128 integers,
// names and growable output, failing with a ValidationError at the offset.

import { ValidationError } from '../host/errors.ts';

export class Out {
  buf = new Uint8Array(1024);
  len = 0;
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(b: number): void {
    this.grow(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u32(v: number): void {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }
  name(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function fail(msg: string, at: number): never {
  throw new ValidationError(`cannot instrument core module: ${msg} at offset ${at}`);
}

export class In {
  readonly b: Uint8Array;
  pos: number;
  readonly end: number;
  constructor(b: Uint8Array, pos: number, end: number) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }
  byte(): number {
    if (this.pos >= this.end) fail('unexpected end', this.pos);
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) fail('LEB128 too long', this.pos);
    }
  }
  /** Skips any LEB128 (signed or unsigned, up to 64 bits). */
  leb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    fail('LEB128 too long', this.pos);
  }
  skip(n: number): void {
    if (this.pos + n > this.end) fail('unexpected end', this.pos);
    this.pos += n;
  }
  name(): void {
    this.skip(this.u32());
  }
  /** valtype or reftype: one byte, or 0x63/0x64 and a heap type. */
  valtype(): void {
    const t = this.byte();
    if (t === 0x63 || t === 0x64) this.leb();
  }
  limits(): void {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
}
