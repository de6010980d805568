import { describe, expect, it } from 'vitest';
import { readAll } from '../src/sexpr.ts';
import { parseFloatLiteral, parseIntLiteral, parseValue, showValue } from '../src/values.ts';
import { parseDirective } from '../src/directives.ts';

const v = (s: string) => parseValue(readAll(s)[0]!);

describe('values', () => {
  it('parses integer literals', () => {
    expect(parseIntLiteral('0x_ff'.replace('_', ''))).toBe(255n);
    expect(parseIntLiteral('-1_000')).toBe(-1000n);
    expect(parseIntLiteral('1.5')).toBeUndefined();
    expect(v('(u64.const 18446744073709551615)')).toEqual({ kind: 'u64', value: 2n ** 64n - 1n });
    expect(() => v('(u8.const 256)')).toThrow(/invalid u8/);
    expect(() => v('(s8.const -129)')).toThrow(/invalid s8/);
  });

  it('parses floats incl. hex, inf and nan patterns', () => {
    expect(parseFloatLiteral('0x1p-1', 'f64')).toBe(0.5);
    expect(parseFloatLiteral('0x1.8p1', 'f64')).toBe(3);
    expect(parseFloatLiteral('-inf', 'f32')).toBe(-Infinity);
    expect(parseFloatLiteral('1.1', 'f32')).toBe(Math.fround(1.1));
    expect(Number.isNaN(parseFloatLiteral('nan:0x200000', 'f32'))).toBe(true);
    expect(v('(f64.const nan:canonical)')).toMatchObject({ kind: 'f64', nan: 'canonical' });
    expect(Object.is(parseFloatLiteral('-0', 'f64'), -0)).toBe(true);
  });

  it('parses compound values, including unparenthesised record fields', () => {
    const r = v('(record.const (field "s" str.const "v=") (field "n" (u32.const 7)))');
    expect(r).toEqual({
      kind: 'record',
      fields: [
        { name: 's', value: { kind: 'string', value: 'v=' } },
        { name: 'n', value: { kind: 'u32', value: 7n } },
      ],
    });
    expect(v('(variant.const "a")')).toEqual({ kind: 'variant', label: 'a' });
    expect(v('(option.some (option.none))')).toEqual({ kind: 'option', value: { kind: 'option' } });
    expect(v('(result.err (str.const "x"))')).toEqual({
      kind: 'result',
      ok: false,
      value: { kind: 'string', value: 'x' },
    });
    expect(v('(flags.const "a" "c")')).toEqual({ kind: 'flags', labels: ['a', 'c'] });
    expect(v('(char.const "\\u{1F600}")')).toEqual({ kind: 'char', value: '😀' });
    expect(() => v('(char.const "ab")')).toThrow(/one character/);
  });

  it('shows values back in wast syntax', () => {
    const s = '(list.const (tuple.const (str.const "a") (u32.const 1)) (option.none))';
    expect(showValue(v(s))).toBe(s);
  });
});

describe('directives', () => {
  const d = (s: string) => parseDirective(readAll(s)[0]!);
  it('parses component forms', () => {
    expect(d('(component definition $T (core module))')).toMatchObject({
      kind: 'module',
      def: { id: '$T', definition: true, source: { kind: 'text' } },
    });
    expect(d('(component instance $i $T)')).toEqual({ kind: 'instance', id: '$i', of: '$T' });
    const b = d('(component $B binary "\\00asm" "\\0d\\00\\01\\00")');
    expect(b.kind === 'module' && b.def.source.kind === 'binary' && [...b.def.source.bytes]).toEqual([
      0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0,
    ]);
    expect(d('(component quote "(import \\"x\\" (func))")')).toMatchObject({
      def: { source: { kind: 'quote', text: '(import "x" (func))' } },
    });
  });
  it('parses asserts and actions', () => {
    expect(d('(assert_return (invoke $i "f" (u8.const 1)) (bool.const true))')).toMatchObject({
      kind: 'assert_return',
      action: { instance: '$i', name: 'f', args: [{ kind: 'u8', value: 1n }] },
      results: [{ kind: 'bool', value: true }],
    });
    expect(d('(assert_trap (invoke "f") "unreachable")')).toMatchObject({
      kind: 'assert_trap',
      message: 'unreachable',
    });
    expect(d('(assert_invalid (component (type $t u8)) "msg")')).toMatchObject({
      kind: 'assert_invalid',
      message: 'msg',
    });
    expect(d('(register "m" $i)')).toEqual({ kind: 'register', name: 'm', instance: '$i' });
    expect(() => d('(frobnicate)')).toThrow(/unknown directive/);
  });
});
