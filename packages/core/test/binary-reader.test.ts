import { describe, expect, it } from 'vitest';
import { Reader } from '../src/binary/reader.ts';
import { DecodeError } from '../src/host/errors.ts';

const rd = (...b: number[]) => new Reader(new Uint8Array(b));
const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('LEB128', () => {
  it('reads u32 including padded and maximal encodings', () => {
    expect(rd(0x00).u32()).toBe(0);
    expect(rd(0xe5, 0x8e, 0x26).u32()).toBe(624485);
    expect(rd(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0);
    expect(rd(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
    const r = rd(0x81, 0x00, 0x07);
    expect(r.u32()).toBe(1);
    expect(r.pos).toBe(2);
  });
  it('rejects u32 with unused bits, too many bytes, or truncation', () => {
    expect(err(() => rd(0xff, 0xff, 0xff, 0xff, 0x1f).u32())).toContain('integer too large');
    expect(err(() => rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32())).toContain('integer representation too long');
    expect(err(() => rd(0x80, 0x80).u32())).toContain('unexpected end-of-file');
  });
  it('reads s32 and checks sign-extension bits', () => {
    expect(rd(0x7f).s32()).toBe(-1);
    expect(rd(0x3f).s32()).toBe(63);
    expect(rd(0xc0, 0xbb, 0x78).s32()).toBe(-123456);
    expect(rd(0xff, 0xff, 0xff, 0xff, 0x07).s32()).toBe(0x7fffffff);
    expect(rd(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-0x80000000);
    expect(err(() => rd(0xff, 0xff, 0xff, 0xff, 0x0f).s32())).toContain('integer too large');
    expect(err(() => rd(0x80, 0x80, 0x80, 0x80, 0x70).s32())).toContain('integer too large');
  });
  it('reads s33 (type indices) and u64/s64', () => {
    expect(rd(0x40).s33()).toBe(-64);
    expect(rd(0xc0, 0x00).s33()).toBe(64);
    expect(rd(0xff, 0xff, 0xff, 0xff, 0x0f).s33()).toBe(0xffffffff);
    expect(err(() => rd(0xff, 0xff, 0xff, 0xff, 0x1f).s33())).toContain('integer too large');
    expect(rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).u64()).toBe(0xffffffffffffffffn);
    expect(err(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02).u64())).toContain(
      'integer too large',
    );
    expect(rd(0x7f).s64()).toBe(-1n);
    expect(rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f).s64()).toBe(-(2n ** 63n));
    expect(err(() => rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).s64())).toContain(
      'integer too large',
    );
  });
});

describe('names, floats, counts', () => {
  it('decodes ASCII and multi-byte UTF-8 names', () => {
    expect(rd(3, 0x61, 0x62, 0x63).name()).toBe('abc');
    const bytes = [...new TextEncoder().encode('héllo-🌍')];
    expect(rd(bytes.length, ...bytes).name()).toBe('héllo-🌍');
    const long = 'x'.repeat(100) + 'é';
    const lb = [...new TextEncoder().encode(long)];
    expect(new Reader(new Uint8Array([lb.length, ...lb])).name()).toBe(long);
  });
  it('rejects invalid UTF-8 and overlong name lengths', () => {
    expect(err(() => rd(2, 0xc0, 0x80).name())).toContain('malformed UTF-8 encoding');
    expect(err(() => rd(2, 0xed, 0xa0).name())).toContain('malformed UTF-8 encoding');
    expect(err(() => rd(5, 0x61).name())).toContain('unexpected end-of-file');
  });
  it('reads f32/f64 little-endian and bounds vec counts by remaining bytes', () => {
    expect(rd(0x00, 0x00, 0x80, 0x3f).f32()).toBe(1);
    expect(rd(0, 0, 0, 0, 0, 0, 0xf0, 0x3f).f64()).toBe(1);
    expect(err(() => rd(0x00, 0x00).f32())).toContain('unexpected end-of-file');
    expect(rd(2, 0, 0).count()).toBe(2);
    expect(err(() => rd(0xff, 0xff, 0x03, 0).count())).toContain('unexpected end-of-file');
  });
  it('respects its end bound', () => {
    const r = new Reader(new Uint8Array([1, 2, 3]), 0, 1);
    expect(r.u8()).toBe(1);
    expect(() => r.u8()).toThrow(DecodeError);
    expect(() => r.bool()).toThrow(DecodeError);
    expect(err(() => rd(2).bool())).toContain('invalid boolean value');
  });
});
