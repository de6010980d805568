import { describe, expect, it } from 'vitest';
import { readAll, stringValue, WastSyntaxError, type SList } from '../src/sexpr.ts';

describe('readAll', () => {
  it('reads nested lists with spans and lines', () => {
    const src = '(a b)\n;; comment\n(c (d "e"))';
    const forms = readAll(src) as SList[];
    expect(forms).toHaveLength(2);
    expect(src.slice(forms[1]!.start, forms[1]!.end)).toBe('(c (d "e"))');
    expect(forms[1]!.line).toBe(3);
    expect(forms[0]!.items.map((x) => (x.kind === 'atom' ? x.text : '?'))).toEqual(['a', 'b']);
  });

  it('skips nested block comments and annotations', () => {
    const forms = readAll('(; outer (; inner ;) still ;) (x (@name "n") y) (@custom foo)') as SList[];
    expect(forms).toHaveLength(1);
    expect(forms[0]!.items).toHaveLength(2);
  });

  it('decodes string escapes to bytes', () => {
    const [f] = readAll('("a\\n\\t\\\\\\"\\\'\\u{1F600}\\ff")') as SList[];
    const s = f!.items[0]!;
    expect(s.kind).toBe('string');
    if (s.kind !== 'string') return;
    expect([...s.bytes.slice(0, 6)]).toEqual([0x61, 0x0a, 0x09, 0x5c, 0x22, 0x27]);
    expect([...s.bytes.slice(6, 10)]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect(s.bytes[10]).toBe(0xff);
    expect(() => stringValue(s)).toThrow(/UTF-8/);
  });

  it('keeps non-ASCII source characters as UTF-8', () => {
    const [f] = readAll('("é😀")') as SList[];
    expect(stringValue(f!.items[0]!)).toBe('é😀');
  });

  it('reports errors with lines', () => {
    expect(() => readAll('(a\n(b')).toThrow(WastSyntaxError);
    expect(() => readAll('("\\zz")')).toThrow(/invalid string escape/);
    expect(() => readAll('\n\n(; open')).toThrow(/line 3/);
  });

  it('does not treat a single ; inside an atom as a comment', () => {
    const [f] = readAll('(a;b c)') as SList[];
    expect(f!.items.map((x) => (x.kind === 'atom' ? x.text : ''))).toEqual(['a;b', 'c']);
  });
});
