import { describe, expect, it } from 'vitest';
import type { FuncType, ValType } from '@weft/core';
import { parseCall, parseWave } from '../src/wave/parse.ts';
import { printWave } from '../src/wave/print.ts';

const P = (kind: string) => ({ kind }) as ValType;
const T = {
  rec: {
    kind: 'record',
    fields: [
      { label: 'first-name', type: P('string') },
      { label: 'age', type: P('u8') },
      { label: 'nick', type: { kind: 'option', type: P('string') } },
    ],
  } as ValType,
  variant: {
    kind: 'variant',
    cases: [{ label: 'none-yet' }, { label: 'num', type: P('s64') }, { label: 'ok', type: P('bool') }],
  } as ValType,
  en: { kind: 'enum', labels: ['red', 'green'] } as ValType,
  fl: { kind: 'flags', labels: ['read', 'write-all'] } as ValType,
  opt2: { kind: 'option', type: { kind: 'option', type: P('u32') } } as ValType,
  res: { kind: 'result', ok: P('string'), err: P('u32') } as ValType,
  resEmpty: { kind: 'result' } as ValType,
  tup: { kind: 'tuple', types: [P('char'), P('f64')] } as ValType,
  bytes: { kind: 'list', elem: P('u8') } as ValType,
  strs: { kind: 'list', elem: P('string') } as ValType,
  map: { kind: 'map', key: P('string'), value: P('u32') } as ValType,
};

function roundTrip(text: string, t: ValType): string {
  return printWave(parseWave(text, t), t);
}

describe('WAVE parse', () => {
  it('parses primitives', () => {
    expect(parseWave('true', P('bool'))).toBe(true);
    expect(parseWave('-5', P('s8'))).toBe(-5);
    expect(parseWave('18446744073709551615', P('u64'))).toBe(2n ** 64n - 1n);
    expect(parseWave('1.5e3', P('f64'))).toBe(1500);
    expect(parseWave('-inf', P('f32'))).toBe(-Infinity);
    expect(Number.isNaN(parseWave('nan', P('f64')))).toBe(true);
    expect(parseWave("'\\u{1F600}'", P('char'))).toBe('😀');
    expect(parseWave('"a\\"b\\n\\\\"', P('string'))).toBe('a"b\n\\');
  });

  it('parses compound values into the JS conventions', () => {
    expect(parseWave('{first-name: "Ada", age: 36}', T.rec)).toEqual({ firstName: 'Ada', age: 36, nick: undefined });
    expect(parseWave('num(-1)', T.variant)).toEqual({ tag: 'num', val: -1n });
    expect(parseWave('none-yet', T.variant)).toEqual({ tag: 'none-yet', val: undefined });
    expect(parseWave('%ok(true)', T.variant)).toEqual({ tag: 'ok', val: true });
    expect(parseWave('green', T.en)).toBe('green');
    expect(parseWave('{write-all}', T.fl)).toEqual({ read: false, writeAll: true });
    expect(parseWave('{}', T.fl)).toEqual({ read: false, writeAll: false });
    expect(parseWave('none', T.opt2)).toEqual({ tag: 'none' });
    expect(parseWave('some(none)', T.opt2)).toEqual({ tag: 'some', val: undefined });
    expect(parseWave('some(some(3))', T.opt2)).toEqual({ tag: 'some', val: 3 });
    expect(parseWave('err(7)', T.res)).toEqual({ tag: 'err', val: 7 });
    expect(parseWave('ok', T.resEmpty)).toEqual({ tag: 'ok', val: undefined });
    expect(parseWave("('x', 2.5)", T.tup)).toEqual(['x', 2.5]);
    expect(parseWave('[1, 2, 3,]', T.bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect(parseWave('[("a", 1), ("a", 2)]', T.map)).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
  });

  it('reports errors with offsets', () => {
    expect(() => parseWave('256', P('u8'))).toThrow(/out of range/);
    expect(() => parseWave('{age: 1}', T.rec)).toThrow(/missing field first-name/);
    expect(() => parseWave('blue', T.en)).toThrow(/unknown case blue/);
    expect(() => parseWave('"x" 1', P('string'))).toThrow(/trailing input at offset 4/);
    expect(() => parseWave('"x', P('string'))).toThrow(/unterminated string/);
    expect(() => parseWave("'ab'", P('char'))).toThrow(/char/);
  });
});

describe('WAVE print', () => {
  it('prints values', () => {
    expect(printWave('Hello, World!', P('string'))).toBe('"Hello, World!"');
    expect(printWave('a\u0001"', P('string'))).toBe('"a\\u{1}\\""');
    expect(printWave("'", P('char'))).toBe("'\\''");
    expect(printWave(-0, P('f64'))).toBe('-0');
    expect(printWave(Number.NaN, P('f32'))).toBe('nan');
    expect(printWave(new Uint8Array([1, 2]), T.bytes)).toBe('[1, 2]');
    expect(printWave({ tag: 'ok', val: true }, T.variant)).toBe('%ok(true)');
    expect(printWave({ tag: 'ok', val: undefined }, T.resEmpty)).toBe('ok');
  });

  it('round-trips', () => {
    for (const [text, t] of [
      ['{first-name: "Ada", age: 36, nick: some("A")}', T.rec],
      ['{first-name: "", age: 0, nick: none}', T.rec],
      ['num(-9223372036854775808)', T.variant],
      ['none-yet', T.variant],
      ['{read, write-all}', T.fl],
      ['{}', T.fl],
      ['some(some(4294967295))', T.opt2],
      ['some(none)', T.opt2],
      ['none', T.opt2],
      ['ok("x")', T.res],
      ['err(3)', T.res],
      ["('\\n', 0.1)", T.tup],
      ['["a\\tb", "\\u{1f600}"]', T.strs],
      ['[("k", 1), ("v", 2)]', T.map],
    ] as [string, ValType][]) {
      const printed = roundTrip(text, t);
      expect(roundTrip(printed, t)).toBe(printed);
      expect(parseWave(printed, t)).toEqual(parseWave(text, t));
    }
    expect(roundTrip('[("k", 1), ("v", 2)]', T.map)).toBe('[("k", 1), ("v", 2)]');
    expect(roundTrip("('\\n', 0.1)", T.tup)).toBe("('\\n', 0.1)");
  });
});

describe('parseCall', () => {
  const ft: FuncType = {
    kind: 'func',
    async: false,
    params: [
      { label: 'name', type: P('string') },
      { label: 'n', type: P('u32') },
    ],
  };
  it('splits name and typed args', () => {
    const c = parseCall('greet("World, (friend)", 3)');
    expect(c.name).toBe('greet');
    expect(c.args(ft)).toEqual(['World, (friend)', 3]);
    expect(parseCall('wasi:cli/run@0.3.0#run()').name).toBe('wasi:cli/run@0.3.0#run');
    expect(parseCall('f').args({ kind: 'func', async: false, params: [] })).toEqual([]);
  });
  it('checks arity', () => {
    expect(() => parseCall('greet("x")').args(ft)).toThrow(/takes 2 argument/);
    expect(() => parseCall('greet("x", 1, 2)').args(ft)).toThrow(/takes 2 argument/);
  });
});
