import { describe, expect, it } from 'vitest';
import { codecFor } from '../src/abi/codecs/index.ts';
import { LiftLowerContext } from '../src/abi/context.ts';
import { alignment, elemSize, flattenType, UTF16_TAG } from '../src/abi/layout.ts';
import { flattenFuncType } from '../src/types/flatten.ts';
import type { FuncType, ValType } from '../src/types/model.ts';
import { PRIMS } from '../src/types/model.ts';
import { bumpOptions } from './abi-helpers.ts';

const P = PRIMS;
const list = (elem: ValType, length?: number): ValType => ({ kind: 'list', elem, length });
const tuple = (...types: ValType[]): ValType => ({ kind: 'tuple', types });
const option = (type: ValType): ValType => ({ kind: 'option', type });
const result = (ok?: ValType, err?: ValType): ValType => ({ kind: 'result', ok, err });

function memRoundTrip(t: ValType, v: unknown, enc: 'utf8' | 'utf16' | 'latin1+utf16' = 'utf8'): unknown {
  const opts = bumpOptions(enc);
  const cx = new LiftLowerContext(opts);
  const c = codecFor(t);
  cx.refresh();
  const ptr = opts.realloc!(0, 0, c.align, c.size);
  cx.refresh();
  c.store(cx, v, ptr);
  cx.refresh();
  return c.load(cx, ptr);
}

function flatRoundTrip(t: ValType, v: unknown, enc: 'utf8' | 'utf16' | 'latin1+utf16' = 'utf8'): unknown {
  const opts = bumpOptions(enc);
  const cx = new LiftLowerContext(opts);
  const c = codecFor(t);
  cx.refresh();
  const out: unknown[] = [];
  c.lowerFlat(cx, v, out);
  expect(out.length).toBe(c.flat.length);
  // Pass through a real wasm boundary representation: i32 as signed numbers.
  out.forEach((x, i) => {
    if (c.flat[i] === 'i32') out[i] = (x as number) | 0;
    if (c.flat[i] === 'i64') out[i] = BigInt.asIntN(64, x as bigint);
  });
  cx.flat = out;
  cx.fi = 0;
  cx.refresh();
  const r = c.liftFlat(cx);
  expect(cx.fi).toBe(out.length);
  return r;
}

describe('layout', () => {
  it('alignment, elem_size and flattening follow definitions.py', () => {
    expect([alignment(P.u8), elemSize(P.u8)]).toEqual([1, 1]);
    expect([alignment(P.string), elemSize(P.string)]).toEqual([4, 8]);
    const rec: ValType = {
      kind: 'record',
      fields: [
        { label: 'a', type: P.u8 },
        { label: 'b', type: P.u64 },
        { label: 'c', type: P.u16 },
      ],
    };
    expect([alignment(rec), elemSize(rec)]).toEqual([8, 24]);
    expect(flattenType(rec)).toEqual(['i32', 'i64', 'i32']);
    const v: ValType = {
      kind: 'variant',
      cases: [{ label: 'a', type: P.f32 }, { label: 'b', type: P.u64 }, { label: 'c' }],
    };
    expect(flattenType(v)).toEqual(['i32', 'i64']);
    expect([alignment(v), elemSize(v)]).toEqual([8, 16]);
    const v2: ValType = {
      kind: 'variant',
      cases: [
        { label: 'a', type: P.f32 },
        { label: 'b', type: P.u32 },
      ],
    };
    expect(flattenType(v2)).toEqual(['i32', 'i32']);
    expect(flattenType(option(P.f64))).toEqual(['i32', 'f64']);
    expect(flattenType(result(P.string, P.u8))).toEqual(['i32', 'i32', 'i32']);
    expect(flattenType(list(P.u16, 3))).toEqual(['i32', 'i32', 'i32']);
    expect([alignment(list(P.u16, 3)), elemSize(list(P.u16, 3))]).toEqual([2, 6]);
    const flags40: ValType = { kind: 'flags', labels: Array.from({ length: 17 }, (_, i) => `f${i}`) };
    expect([alignment(flags40), elemSize(flags40)]).toEqual([4, 4]);
    const e300: ValType = { kind: 'enum', labels: Array.from({ length: 300 }, (_, i) => `e${i}`) };
    expect([alignment(e300), elemSize(e300)]).toEqual([2, 2]);
    expect([
      alignment({ kind: 'map', key: P.string, value: P.u8 }),
      elemSize({ kind: 'map', key: P.string, value: P.u8 }),
    ]).toEqual([4, 8]);
  });

  it('flatten_functype spills params over 16 and results over 1', () => {
    const ft = (n: number, r?: ValType): FuncType => ({
      kind: 'func',
      async: false,
      params: Array.from({ length: n }, (_, i) => ({ label: `p${i}`, type: P.u32 })),
      result: r,
    });
    expect(flattenFuncType({}, ft(16, P.u32), 'lift')).toEqual({
      kind: 'func',
      params: Array(16).fill('i32'),
      results: ['i32'],
    });
    expect(flattenFuncType({}, ft(17), 'lift')).toEqual({
      kind: 'func',
      params: ['i32'],
      results: [],
    });
    expect(flattenFuncType({}, ft(1, P.string), 'lift')).toEqual({
      kind: 'func',
      params: ['i32'],
      results: ['i32'],
    });
    expect(flattenFuncType({}, ft(1, P.string), 'lower')).toEqual({
      kind: 'func',
      params: ['i32', 'i32'],
      results: [],
    });
    expect(flattenFuncType({ async: true }, ft(5, P.u8), 'lower')).toEqual({
      kind: 'func',
      params: ['i32', 'i32'],
      results: ['i32'],
    });
  });
});

describe('codec round trips', () => {
  const cases: [string, ValType, unknown][] = [
    ['bool', P.bool, true],
    ['s8', P.s8, -100],
    ['u8', P.u8, 250],
    ['s16', P.s16, -30000],
    ['u16', P.u16, 65000],
    ['s32', P.s32, -2_000_000_000],
    ['u32', P.u32, 4_000_000_000],
    ['s64', P.s64, -(2n ** 62n)],
    ['u64', P.u64, 2n ** 64n - 1n],
    ['f32', P.f32, 1.5],
    ['f64', P.f64, Math.PI],
    ['char', P.char, '☃'],
    ['char astral', P.char, '😀'],
    ['string', P.string, 'hello, wörld ☃ 😀'],
    ['empty string', P.string, ''],
    ['list<u8>', list(P.u8), new Uint8Array([1, 2, 3, 255])],
    ['list<s32>', list(P.s32), new Int32Array([-1, 2, -3])],
    ['list<s64>', list(P.s64), new BigInt64Array([-1n, 2n ** 60n])],
    ['list<f32>', list(P.f32), new Float32Array([1.5, -2])],
    ['list<f64>', list(P.f64), new Float64Array([1e300])],
    ['list<string>', list(P.string), ['a', 'bé', '']],
    ['list<bool>', list(P.bool), [true, false]],
    ['list<u16,3>', list(P.u16, 3), new Uint16Array([1, 2, 3])],
    ['list<string,2>', list(P.string, 2), ['x', 'y']],
    [
      'record',
      {
        kind: 'record',
        fields: [
          { label: 'foo-bar', type: P.u8 },
          { label: 'name', type: P.string },
          { label: 'big', type: P.u64 },
        ],
      },
      { fooBar: 7, name: 'n', big: 9n },
    ],
    ['tuple', tuple(P.u8, P.string, P.f64), [1, 'two', 3.5]],
    [
      'variant f32 case',
      { kind: 'variant', cases: [{ label: 'a', type: P.f32 }, { label: 'b-c', type: P.u64 }, { label: 'none' }] },
      { tag: 'a', val: 2.5 },
    ],
    [
      'variant u64 case',
      { kind: 'variant', cases: [{ label: 'a', type: P.f32 }, { label: 'b-c', type: P.u64 }, { label: 'none' }] },
      { tag: 'b-c', val: 2n ** 63n },
    ],
    [
      'variant f64/u32 join',
      {
        kind: 'variant',
        cases: [
          { label: 'a', type: P.f64 },
          { label: 'b', type: P.u32 },
        ],
      },
      { tag: 'b', val: 0xffff_fff0 },
    ],
    [
      'variant f64 case',
      {
        kind: 'variant',
        cases: [
          { label: 'a', type: P.f64 },
          { label: 'b', type: P.u32 },
        ],
      },
      { tag: 'a', val: -0.25 },
    ],
    [
      'variant no payload',
      { kind: 'variant', cases: [{ label: 'a', type: P.f64 }, { label: 'z' }] },
      { tag: 'z', val: undefined },
    ],
    ['enum', { kind: 'enum', labels: ['red', 'dark-green'] }, 'dark-green'],
    ['option some', option(P.string), 'x'],
    ['option none', option(P.string), undefined],
    ['option<option> some none', option(option(P.u8)), { tag: 'some', val: undefined }],
    ['option<option> some some', option(option(P.u8)), { tag: 'some', val: 3 }],
    ['option<option> none', option(option(P.u8)), { tag: 'none' }],
    ['result ok', result(P.string, P.u32), { tag: 'ok', val: 'fine' }],
    ['result err', result(P.string, P.u32), { tag: 'err', val: 404 }],
    ['result unit', result(undefined, undefined), { tag: 'ok', val: undefined }],
    ['flags', { kind: 'flags', labels: ['read', 'write-all', 'x'] }, { read: true, writeAll: false, x: true }],
    [
      'flags 20',
      { kind: 'flags', labels: Array.from({ length: 20 }, (_, i) => `f${i}`) },
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, i % 3 === 0])),
    ],
    [
      'map',
      { kind: 'map', key: P.string, value: P.u32 },
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    ],
    [
      'nested',
      list(option(tuple(P.char, list(P.u8)))),
      [['a', new Uint8Array([1])], undefined, ['b', new Uint8Array()]],
    ],
  ];
  for (const [name, t, v] of cases) {
    it(`${name} through memory and flat`, () => {
      expect(memRoundTrip(t, v)).toEqual(v);
      expect(flatRoundTrip(t, v)).toEqual(v);
    });
  }

  it('numeric lists lift as the matching typed array', () => {
    expect(memRoundTrip(list(P.u8), [1, 2])).toBeInstanceOf(Uint8Array);
    expect(memRoundTrip(list(P.u64), [1n])).toBeInstanceOf(BigUint64Array);
    expect(memRoundTrip(list(P.s16), [-1])).toEqual(new Int16Array([-1]));
  });

  it('canonicalizes NaN', () => {
    const opts = bumpOptions();
    const cx = new LiftLowerContext(opts);
    cx.refresh();
    new DataView(opts.memory.buffer).setUint32(100, 0x7fa00001, true);
    expect(codecFor(P.f32).load(cx, 100)).toBeNaN();
    codecFor(P.f32).store(cx, NaN, 104);
    expect(new DataView(opts.memory.buffer).getUint32(104, true)).toBe(0x7fc00000);
  });

  it('validates host values', () => {
    expect(() => flatRoundTrip(P.u8, 256)).toThrow(/expected u8/);
    expect(() => flatRoundTrip(P.u32, -1)).toThrow(/u32/);
    expect(() => flatRoundTrip(P.s64, 1.5)).toThrow(/s64/);
    expect(() => flatRoundTrip(P.string, 5)).toThrow(/expected a string/);
    expect(() => flatRoundTrip(P.char, 'ab')).toThrow(/char/);
    expect(() => flatRoundTrip({ kind: 'enum', labels: ['a'] }, 'b')).toThrow(/one of 'a'/);
    expect(() => flatRoundTrip(result(P.u8), { tag: 'nope' })).toThrow(/ok/);
    expect(() => flatRoundTrip(list(P.u8, 2), [1])).toThrow(/exactly 2/);
  });
});

describe('strings', () => {
  const samples = ['', 'ascii only', 'latin1 é ÿ', 'bmp ☃ snow', 'astral 😀 face', 'mixed aé☃😀'];
  for (const enc of ['utf8', 'utf16', 'latin1+utf16'] as const) {
    it(`round trips in ${enc}`, () => {
      for (const s of samples) {
        expect(memRoundTrip(P.string, s, enc)).toBe(s);
        expect(flatRoundTrip(P.string, s, enc)).toBe(s);
      }
    });
  }

  function storeFlat(enc: 'utf8' | 'utf16' | 'latin1+utf16', s: string) {
    const opts = bumpOptions(enc);
    const cx = new LiftLowerContext(opts);
    cx.refresh();
    const out: number[] = [];
    codecFor(P.string).lowerFlat(cx, s, out);
    return { opts, ptr: out[0]!, len: out[1]!, bytes: new Uint8Array(opts.memory.buffer) };
  }

  it('utf8 store: allocate, grow to worst case, shrink (store_string_to_utf8)', () => {
    const a = storeFlat('utf8', 'abc');
    expect(a.opts.calls).toEqual([[0, 0, 1, 3]]);
    expect(a.len).toBe(3);
    const b = storeFlat('utf8', 'aé');
    expect(b.opts.calls).toEqual([
      [0, 0, 1, 2],
      [b.opts.calls[1]![0], 2, 1, 6],
      [b.opts.calls[2]![0], 6, 1, 3],
    ]);
    expect(b.len).toBe(3);
    expect([...b.bytes.subarray(b.ptr, b.ptr + 3)]).toEqual([0x61, 0xc3, 0xa9]);
  });

  it('latin1+utf16 store: latin1 when possible, else tagged utf16', () => {
    const a = storeFlat('latin1+utf16', 'aé');
    expect(a.len).toBe(2);
    expect([...a.bytes.subarray(a.ptr, a.ptr + 2)]).toEqual([0x61, 0xe9]);
    const b = storeFlat('latin1+utf16', 'é☃');
    expect(b.len >>> 0).toBe((2 | UTF16_TAG) >>> 0);
    expect(b.opts.calls.map((c) => c.slice(1))).toEqual([
      [0, 2, 2],
      [2, 2, 4],
    ]);
    expect([...b.bytes.subarray(b.ptr, b.ptr + 4)]).toEqual([0xe9, 0, 0x03, 0x26]);
  });

  it('utf16 store copies code units', () => {
    const a = storeFlat('utf16', 'a😀');
    expect(a.len).toBe(3);
    expect(a.opts.calls).toEqual([[0, 0, 2, 6]]);
  });

  function liftString(
    enc: 'utf8' | 'utf16' | 'latin1+utf16',
    bytes: number[],
    ptr: number,
    len: number,
    fused = false,
  ) {
    const opts = bumpOptions(enc);
    new Uint8Array(opts.memory.buffer).set(bytes, 64);
    const cx = new LiftLowerContext(opts);
    cx.fused = fused;
    cx.refresh();
    cx.flat = [ptr, len];
    cx.fi = 0;
    return codecFor(P.string).liftFlat(cx);
  }

  it('traps on bad strings with wasmtime wording', () => {
    expect(() => liftString('utf8', [0xff], 64, 1)).toThrow('invalid utf-8');
    expect(() => liftString('utf8', [0xc3], 64, 1)).toThrow('incomplete utf-8 byte sequence');
    expect(() => liftString('utf8', [], 65536, 1)).toThrow('string pointer/length out of bounds of memory');
    expect(() => liftString('utf8', [], 0xdeadbeef | 0, 0)).toThrow('string pointer/length out of bounds of memory');
    expect(() => liftString('utf8', [], 65535, 2, true)).toThrow('string content out-of-bounds');
    expect(() => liftString('utf16', [], 65, 0)).toThrow('unaligned pointer');
    expect(() => liftString('latin1+utf16', [], 65, UTF16_TAG | 0)).toThrow('unaligned pointer');
    expect(liftString('latin1+utf16', [0xe9, 0x41], 64, 2)).toBe('éA');
    expect(liftString('latin1+utf16', [0x03, 0x26], 64, 1 | UTF16_TAG | 0)).toBe('☃');
  });

  it('utf8 lift: a real U+FFFD and a BOM survive; encoded surrogates and overlongs trap', () => {
    expect(liftString('utf8', [0x61, 0xef, 0xbf, 0xbd], 64, 4)).toBe('a\uFFFD');
    expect(liftString('utf8', [0xef, 0xbb, 0xbf, 0x61], 64, 4)).toBe('\uFEFFa');
    expect(liftString('utf16', [0xff, 0xfe, 0x61, 0], 64, 2)).toBe('\uFEFFa');
    expect(() => liftString('utf8', [0x61, 0xed, 0xa0, 0x80], 64, 4)).toThrow(
      'invalid utf-8 sequence of 1 bytes from index 1',
    );
    expect(() => liftString('utf8', [0xc0, 0xaf], 64, 2)).toThrow('invalid utf-8 sequence of 1 bytes from index 0');
    expect(() => liftString('utf8', [0xf4, 0x90, 0x80, 0x80], 64, 4)).toThrow('invalid utf-8');
  });

  it('utf8 store of long strings keeps the realloc sequence', () => {
    const ascii = 'x'.repeat(300);
    const a = storeFlat('utf8', ascii);
    expect(a.opts.calls).toEqual([[0, 0, 1, 300]]);
    expect(a.len).toBe(300);
    const s = `${'y'.repeat(200)}é☃😀${'z'.repeat(100)}`;
    const b = storeFlat('utf8', s);
    const n = s.length;
    const bytes = new TextEncoder().encode(s);
    expect(b.opts.calls).toEqual([
      [0, 0, 1, n],
      [b.opts.calls[1]![0], n, 1, 3 * n],
      [b.opts.calls[2]![0], 3 * n, 1, bytes.length],
    ]);
    expect(b.len).toBe(bytes.length);
    expect(b.bytes.subarray(b.ptr, b.ptr + b.len)).toEqual(bytes);
  });
});

describe('traps while lifting', () => {
  function liftFlat(t: ValType, flat: unknown[]) {
    const cx = new LiftLowerContext(bumpOptions());
    cx.refresh();
    cx.flat = flat;
    cx.fi = 0;
    return codecFor(t).liftFlat(cx);
  }
  it('char, discriminants, lists', () => {
    expect(() => liftFlat(P.char, [0xd800])).toThrow('invalid `char` bit pattern');
    expect(() => liftFlat(P.char, [0x110000])).toThrow('invalid `char` bit pattern');
    expect(() => liftFlat({ kind: 'enum', labels: ['a', 'b'] }, [2])).toThrow('invalid variant discriminant');
    expect(() => liftFlat(option(P.u8), [2, 0])).toThrow('invalid variant discriminant');
    expect(() => liftFlat(list(P.u32), [2, 1])).toThrow('unaligned pointer');
    expect(() => liftFlat(list(P.u32), [65532, 2])).toThrow('list pointer/length out of bounds of memory');
    expect(liftFlat(P.u8, [0x1ff])).toBe(0xff);
    expect(liftFlat(P.bool, [2])).toBe(true);
    expect(liftFlat(P.u32, [-1])).toBe(0xffff_ffff);
  });

  it('realloc results are checked', () => {
    const opts = bumpOptions();
    opts.realloc = () => 2;
    const cx = new LiftLowerContext(opts);
    cx.refresh();
    expect(() => codecFor(list(P.u32)).lowerFlat(cx, [1], [])).toThrow('realloc return: result not aligned');
    opts.realloc = () => -4;
    const cx2 = new LiftLowerContext(opts);
    cx2.refresh();
    expect(() => codecFor(list(P.u32)).lowerFlat(cx2, [], [])).toThrow('realloc return: beyond end of memory');
    cx2.fused = true;
    expect(() => codecFor(list(P.u32)).lowerFlat(cx2, [], [])).toThrow('list content out-of-bounds');
  });

  it('re-reads memory after realloc grows it', () => {
    const opts = bumpOptions('utf8', 1);
    const cx = new LiftLowerContext(opts);
    cx.refresh();
    const big = 'x'.repeat(70000);
    const v = [big, big];
    const out: unknown[] = [];
    codecFor(list(P.string)).lowerFlat(cx, v, out);
    expect(opts.memory.buffer.byteLength).toBeGreaterThan(65536 * 2);
    cx.flat = out;
    cx.fi = 0;
    expect(codecFor(list(P.string)).liftFlat(cx)).toEqual(v);
  });
});
