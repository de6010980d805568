// Byte reader for the component binary format. Every failure is a DecodeError
// at the offending byte; the reader never reads past `end`, so a section's
// reader can't spill into the next section.

import { DecodeError } from '../host/errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  end: number;
  private dv: DataView | undefined;
  /** Accept the `cancellable` flag that component-model #716 removed (see CompileOptions). */
  legacyCancellable = false;
  /** Most definitions one component may have (DecodeOptions.maxDefinitions). */
  maxDefinitions = Number.POSITIVE_INFINITY;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, offset = this.pos): never {
    throw new DecodeError(message, offset);
  }

  /** wasm-tools' wording, which the reference tests match on. */
  badByte(byte: number, what: string, offset = this.pos - 1): never {
    throw new DecodeError(`invalid leading byte (0x${byte.toString(16)}) for ${what}`, offset);
  }

  eofError(offset = this.pos): never {
    throw new DecodeError('unexpected end-of-file', offset);
  }

  u8(): number {
    if (this.pos >= this.end) this.eofError();
    return this.bytes[this.pos++]!;
  }

  peek(): number {
    if (this.pos >= this.end) this.eofError();
    return this.bytes[this.pos]!;
  }

  /** A 0x00/0x01 flag byte (`async?`, `cancel?`, `sh?`). */
  bool(): boolean {
    const b = this.u8();
    if (b > 1) this.fail('invalid boolean value', this.pos - 1);
    return b === 1;
  }

  /**
   * The byte that was `cancellable?` (waitable-set.wait/poll, thread.yield,
   * thread.suspend and the -then- forms): component-model #716 removed the
   * flag; the byte stays and must be 0.
   */
  cancellable(): boolean {
    const b = this.u8();
    if (b === 0) return false;
    if (b === 1 && this.legacyCancellable) return true;
    this.fail(
      b === 1
        ? 'the `cancellable` immediate must be 0 (removed by component-model #716; compile with { legacyCancellable: true } for older binaries)'
        : 'invalid boolean value',
      this.pos - 1,
    );
  }

  /** Expects `want`, else reports the byte under `what`. */
  expect(want: number, what: string): void {
    const b = this.u8();
    if (b !== want) this.badByte(b, what);
  }

  u32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const b = bytes[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const start = pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) this.eofError(pos);
      const b = bytes[pos++]!;
      if (shift === 28) {
        if (b & 0x80) this.fail('invalid var_u32: integer representation too long', start);
        if (b & 0x70) this.fail('invalid var_u32: integer too large', start);
        this.pos = pos;
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    /* c8 ignore next */
    return this.fail('invalid var_u32', start);
  }

  s32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const start = pos;
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= this.end) this.eofError(pos);
      const b = bytes[pos++]!;
      if (shift === 28) {
        if (b & 0x80) this.fail('invalid var_s32: integer representation too long', start);
        // bits 3..6 of the last byte must all equal the sign bit
        const top = b & 0x78;
        if (top !== 0 && top !== 0x78) this.fail('invalid var_s32: integer too large', start);
        this.pos = pos;
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        this.pos = pos;
        const unused = 32 - (shift + 7);
        return (result << unused) >> unused;
      }
    }
  }

  /** Signed 33-bit, as used for type indices that share a byte space with type opcodes. */
  s33(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    const start = pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (pos >= this.end) this.eofError(pos);
      const b = bytes[pos++]!;
      if (i === 4) {
        if (b & 0x80) this.fail('invalid var_s33: integer representation too long', start);
        const top = b & 0x70;
        if (top !== 0 && top !== 0x70) this.fail('invalid var_s33: integer too large', start);
        result += (b & 0x7f) * mul;
        this.pos = pos;
        return b & 0x40 ? result - mul * 128 : result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        this.pos = pos;
        return b & 0x40 ? result - mul : result;
      }
    }
  }

  u64(): bigint {
    return this.leb64(false);
  }

  s64(): bigint {
    return this.leb64(true);
  }

  private leb64(signed: boolean): bigint {
    const bytes = this.bytes;
    let pos = this.pos;
    const start = pos;
    let result = 0n;
    for (let i = 0; ; i++) {
      if (pos >= this.end) this.eofError(pos);
      const b = bytes[pos++]!;
      const shift = BigInt(i * 7);
      if (i === 9) {
        const kind = signed ? 's64' : 'u64';
        if (b & 0x80) this.fail(`invalid var_${kind}: integer representation too long`, start);
        const ok = signed ? b === 0 || b === 0x7f : b <= 1;
        if (!ok) this.fail(`invalid var_${kind}: integer too large`, start);
        result |= BigInt(b & 1) << shift;
        this.pos = pos;
        return signed ? BigInt.asIntN(64, result) : result;
      }
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        this.pos = pos;
        if (signed && b & 0x40) return BigInt.asIntN(64, result - (1n << (shift + 7n)));
        return result;
      }
    }
  }

  private view(): DataView {
    return (this.dv ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  f32(): number {
    if (this.end - this.pos < 4) this.eofError();
    const v = this.view().getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    if (this.end - this.pos < 8) this.eofError();
    const v = this.view().getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` raw bytes as a view (no copy). */
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.eofError();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (n > this.end - this.pos) this.eofError();
    this.pos += n;
  }

  /** A vec count; every element takes at least one byte, so a larger count is truncated input. */
  count(): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) this.eofError(at);
    return n;
  }

  /** `core:name`: length-prefixed UTF-8. */
  name(): string {
    const len = this.u32();
    const start = this.pos;
    if (len > this.end - start) this.eofError(start);
    this.pos = start + len;
    return len <= MAX_INTERNED ? interned(this, start, len) : decodeUtf8(this, start, len);
  }
}

function decodeUtf8(r: Reader, start: number, len: number): string {
  try {
    return utf8.decode(r.bytes.subarray(start, start + len));
  } catch {
    return r.fail('malformed UTF-8 encoding', start);
  }
}

// Names repeat a lot (within a component and across components: interface
// names, "memory", "realloc"...), and decoding a short string costs far more
// than hashing its bytes. A small direct-mapped cache keyed by content.
const MAX_INTERNED = 64;
const CACHE_SIZE = 16384;
const cacheBytes: (Uint8Array | undefined)[] = new Array(CACHE_SIZE);
const cacheStrings: string[] = new Array(CACHE_SIZE);

function interned(r: Reader, start: number, len: number): string {
  const bytes = r.bytes;
  const stop = start + len;
  let h = 0x811c9dc5 ^ len;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (CACHE_SIZE - 1);
  const hit = cacheBytes[slot];
  if (hit !== undefined && hit.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cacheStrings[slot]!;
  }
  const s = decodeUtf8(r, start, len);
  cacheBytes[slot] = bytes.slice(start, stop);
  cacheStrings[slot] = s;
  return s;
}
