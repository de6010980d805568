import { describe, expect, it } from 'vitest';
import type { ValType } from '@weft/core';
import { diff, toJs } from '../src/convert.ts';
import { readAll } from '../src/sexpr.ts';
import { parseValue } from '../src/values.ts';

const v = (s: string) => parseValue(readAll(s)[0]!);
const P = (kind: string) => ({ kind }) as ValType;

describe('toJs', () => {
  it('converts primitives', () => {
    expect(toJs(v('(u32.const 4294967295)'))).toBe(4294967295);
    expect(toJs(v('(s64.const -1)'))).toBe(-1n);
    expect(toJs(v('(char.const "x")'))).toBe('x');
  });

  it('uses typed arrays for numeric lists', () => {
    const x = toJs(v('(list.const (u8.const 1) (u8.const 2))'), { kind: 'list', elem: P('u8') } as ValType);
    expect(x).toBeInstanceOf(Uint8Array);
    expect(toJs(v('(list.const)'), { kind: 'list', elem: P('u64') } as ValType)).toBeInstanceOf(BigUint64Array);
    expect(toJs(v('(list.const (str.const "a"))'))).toEqual(['a']);
  });

  it('converts records, variants, flags and options by type', () => {
    const rt = { kind: 'record', fields: [{ label: 'first-name', type: P('string') }] } as ValType;
    expect(toJs(v('(record.const (field "first-name" (str.const "x")))'), rt)).toEqual({ firstName: 'x' });
    expect(toJs(v('(variant.const "b" (u8.const 7))'))).toEqual({ tag: 'b', val: 7 });
    const ft = { kind: 'flags', labels: ['a', 'b-c'] } as ValType;
    expect(toJs(v('(flags.const "a")'), ft)).toEqual({ a: true, bC: false });
    expect(() => toJs(v('(flags.const "z")'), ft)).toThrow(/no label/);
    const ot = { kind: 'option', type: { kind: 'option', type: P('u8') } } as ValType;
    expect(toJs(v('(option.none)'), ot)).toEqual({ tag: 'none' });
    expect(toJs(v('(option.some (option.none))'), ot)).toEqual({ tag: 'some', val: undefined });
    expect(toJs(v('(option.some (option.some (u8.const 1)))'), ot)).toEqual({ tag: 'some', val: 1 });
    expect(toJs(v('(option.some (u8.const 1))'), ot.kind === 'option' ? ot.type : ot)).toBe(1);
    expect(toJs(v('(result.ok)'))).toEqual({ tag: 'ok', val: undefined });
  });

  it('converts maps from lists of pairs', () => {
    const mt = { kind: 'map', key: P('string'), value: P('u32') } as ValType;
    const m = toJs(
      v('(list.const (tuple.const (str.const "a") (u32.const 1)) (tuple.const (str.const "a") (u32.const 2)))'),
      mt,
    );
    expect(m).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
    expect(diff(m, new Map([['a', 1]]))).toMatch(/expected 2 elements/);
    expect(diff([['a', 1]], new Map([['a', 1]]))).toBeUndefined();
  });

  it('rejects values of the wrong kind', () => {
    expect(() => toJs(v('(u8.const 1)'), P('string'))).toThrow(/does not fit/);
  });
});

describe('diff', () => {
  it('compares structurally', () => {
    expect(diff({ tag: 'a', val: undefined }, { tag: 'a' })).toBeUndefined();
    expect(diff([1, 2], new Uint32Array([1, 2]))).toBeUndefined();
    expect(diff(Number.NaN, Number.NaN)).toBeUndefined();
    expect(diff(0, -0)).toMatch(/expected 0, got -0/);
    expect(diff(1n, 1)).toMatch(/expected 1n/);
    expect(diff({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toMatch(/at a\[1\]\.b/);
  });
  it('compares untyped flags by their set labels', () => {
    expect(diff(toJs(v('(flags.const "a")')), { a: true, b: false })).toBeUndefined();
    expect(diff(toJs(v('(flags.const "a")')), { a: false, b: true })).toMatch(/flags/);
  });
});
