// The `fields` resource from the host's side: every method, the syntax of names and values,
// forbidden names, immutability, the size limit, and what errors look like to a guest.

import { ComponentError } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { FIELD_OVERHEAD, Fields, FIELDS_SIZE_LIMIT, FORBIDDEN_FIELDS } from '../src/types/index.ts';

const b = (s: string) => new TextEncoder().encode(s);

/** The header-error a call fails with (as the guest receives it), or 'ok'. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ComponentError);
    return (e as ComponentError & { payload: { tag: string } }).payload.tag;
  }
}

describe('Fields', () => {
  it('starts empty and mutable', () => {
    const f = new Fields();
    expect(f.has('foo')).toBe(false);
    expect(f.get('foo')).toEqual([]);
    expect(f.getAndDelete('foo')).toEqual([]);
    f.delete('foo');
    expect(f.copyAll()).toEqual([]);
    expect(f.immutable).toBe(false);
  });

  it('set, append, get, has, delete, getAndDelete', () => {
    const f = Fields.fromList([['foo', b('bar')]]);
    expect(f.get('foo')).toEqual([b('bar')]);
    f.append('foo', b('baz'));
    expect(f.get('foo')).toEqual([b('bar'), b('baz')]);
    f.set('foo', [b('one')]);
    expect(f.get('foo')).toEqual([b('one')]);
    f.set('foo', []);
    expect(f.has('foo')).toBe(false);
    f.set('foo', [b('x'), b('y')]);
    expect(f.getAndDelete('foo')).toEqual([b('x'), b('y')]);
    expect(f.getAndDelete('foo')).toEqual([]);
    f.append('a', b('1'));
    f.delete('a');
    expect(f.has('a')).toBe(false);
  });

  it('compares names case-insensitively and keeps them lower-cased', () => {
    const f = new Fields();
    f.append('Foo', b('1'));
    f.append('FOO', b('2'));
    expect(f.has('foo')).toBe(true);
    expect(f.get('fOo')).toEqual([b('1'), b('2')]);
    expect(f.copyAll()).toEqual([
      ['foo', b('1')],
      ['foo', b('2')],
    ]);
    expect(f.getAndDelete('FOO')).toEqual([b('1'), b('2')]);
  });

  it('keeps a name where its first value went, its values together (a field map)', () => {
    const f = new Fields();
    f.append('a', b('1'));
    f.append('b', b('2'));
    f.append('a', b('3'));
    f.set('b', [b('4')]);
    expect(f.copyAll().map(([n, v]) => `${n}=${new TextDecoder().decode(v)}`)).toEqual(['a=1', 'a=3', 'b=4']);
    f.delete('a');
    f.append('a', b('5'));
    expect(f.copyAll().map(([n]) => n)).toEqual(['b', 'a']);
  });

  it('takes RFC 9110 tokens as names and nothing else', () => {
    for (const name of ['a', 'x-Foo_1', "!#$%&'*+-.^_`|~", '0', 'f'.repeat(1024)])
      expect(
        outcome(() => new Fields().append(name, b('v'))),
        name,
      ).toBe('ok');
    for (const name of ['', ' ', 'a b', ' a', 'a ', '(x)', '[x]', '{x}', '"x"', 'a:b', 'voilà', 'a\n', 'a\0', 'é']) {
      const f = new Fields();
      expect(
        outcome(() => f.append(name, b('v'))),
        JSON.stringify(name),
      ).toBe('invalid-syntax');
      expect(outcome(() => f.set(name, [b('v')]))).toBe('invalid-syntax');
      expect(outcome(() => f.delete(name))).toBe('invalid-syntax');
      expect(outcome(() => f.getAndDelete(name))).toBe('invalid-syntax');
      expect(outcome(() => Fields.fromList([[name, b('v')]]))).toBe('invalid-syntax');
      expect(f.has(name)).toBe(false);
      expect(f.get(name)).toEqual([]);
    }
  });

  it('takes values without controls other than HTAB', () => {
    for (let c = 0; c < 256; c++) {
      const ok = c === 9 || (c >= 0x20 && c !== 0x7f);
      expect(
        outcome(() => new Fields().append('foo', Uint8Array.of(c))),
        `byte ${c}`,
      ).toBe(ok ? 'ok' : 'invalid-syntax');
      expect(outcome(() => new Fields().set('foo', [b('ok'), Uint8Array.of(c)]))).toBe(ok ? 'ok' : 'invalid-syntax');
    }
    for (const v of ['', ' \t ', 'a\r\nb', 'x\0']) {
      const ok = !/[\r\n\0]/.test(v);
      expect(
        outcome(() => Fields.fromList([['foo', b(v)]])),
        JSON.stringify(v),
      ).toBe(ok ? 'ok' : 'invalid-syntax');
    }
  });

  it('takes only digits as content-length', () => {
    const f = new Fields();
    expect(outcome(() => f.append('content-length', b('12')))).toBe('ok');
    for (const v of ['', '+5', '-5', ' 5', '5 ', '0x1', '1.0'])
      expect(
        outcome(() => f.set('Content-Length', [b(v)])),
        v,
      ).toBe('invalid-syntax');
    expect(outcome(() => f.append('content-type', b('!!!! anything')))).toBe('ok');
  });

  it('forbids hop-by-hop names and host, in any case', () => {
    expect([...FORBIDDEN_FIELDS].sort()).toEqual(
      [
        'connection',
        'host',
        'http2-settings',
        'keep-alive',
        'proxy-authenticate',
        'proxy-authorization',
        'proxy-connection',
        'transfer-encoding',
        'upgrade',
      ].sort(),
    );
    for (const base of FORBIDDEN_FIELDS) {
      for (const name of [base, base.toUpperCase(), base.replace(/(^|-)./g, (m) => m.toUpperCase())]) {
        const f = new Fields();
        expect(
          outcome(() => f.append(name, b('x'))),
          name,
        ).toBe('forbidden');
        expect(outcome(() => f.set(name, [b('x')]))).toBe('forbidden');
        expect(outcome(() => f.delete(name))).toBe('forbidden');
        expect(outcome(() => f.getAndDelete(name))).toBe('forbidden');
        expect(outcome(() => Fields.fromList([[name, b('x')]]))).toBe('forbidden');
        expect(f.has(name)).toBe(false);
      }
    }
  });

  it('checks syntax before forbidden names, and both before immutability', () => {
    const f = Fields.fromHost([['x', b('1')]]);
    expect(outcome(() => f.append('a b', b('v')))).toBe('invalid-syntax');
    expect(outcome(() => f.append('host', b('v')))).toBe('forbidden');
    expect(outcome(() => f.append('x', b('\n')))).toBe('immutable');
  });

  it('fromList fails as a whole with its first bad entry', () => {
    expect(
      outcome(() =>
        Fields.fromList([
          ['ok', b('1')],
          ['bad name', b('2')],
          ['host', b('3')],
        ]),
      ),
    ).toBe('invalid-syntax');
  });

  it('clone is a deep, mutable copy; clones of immutable fields are mutable', () => {
    const f = Fields.fromList([['a', b('1')]]);
    const c = f.clone();
    c.append('a', b('2'));
    c.append('b', b('3'));
    expect(f.copyAll()).toEqual([['a', b('1')]]);
    const frozen = Fields.fromHost([['a', b('1')]]);
    const fc = frozen.clone();
    expect(fc.immutable).toBe(false);
    fc.append('a', b('2'));
    expect(frozen.get('a')).toEqual([b('1')]);
  });

  it('an immutable fields refuses every change but reads as before', () => {
    const f = Fields.fromHost([
      ['x-a', b('1')],
      ['X-B', b('2')],
    ]);
    expect(f.immutable).toBe(true);
    expect(outcome(() => f.append('x-a', b('3')))).toBe('immutable');
    expect(outcome(() => f.set('x-a', []))).toBe('immutable');
    expect(outcome(() => f.delete('x-a'))).toBe('immutable');
    expect(outcome(() => f.getAndDelete('x-b'))).toBe('immutable');
    expect(outcome(() => f.delete('absent'))).toBe('immutable');
    expect(f.get('x-b')).toEqual([b('2')]);
    expect(f.copyAll()).toEqual([
      ['x-a', b('1')],
      ['x-b', b('2')],
    ]);
  });

  it('fromHost leaves out forbidden names and entries that are not fields', () => {
    const f = Fields.fromHost([
      ['Host', b('example.com')],
      ['content-type', b('text/plain')],
      ['connection', b('close')],
      ['bad name', b('x')],
      ['x-bad', b('a\r\nb')],
      ['Set-Cookie', b('a=1')],
      ['set-cookie', b('b=2')],
    ]);
    expect(f.toHost()).toEqual([
      ['content-type', b('text/plain')],
      ['set-cookie', b('a=1')],
      ['set-cookie', b('b=2')],
    ]);
  });

  it('a change to one view does not reach the other (views are immutable, clones are copies)', () => {
    const f = Fields.fromList([['a', b('1')]]).freeze();
    const v = f.view();
    expect(v.immutable).toBe(true);
    expect(v.copyAll()).toEqual(f.copyAll());
    const c = v.clone();
    c.append('a', b('2'));
    expect(v.get('a')).toEqual([b('1')]);
    expect(f.get('a')).toEqual([b('1')]);
  });

  it('caps what one fields holds: size-exceeded, leaving it as it was', () => {
    const big = new Uint8Array(1000).fill(0x61);
    const f = new Fields();
    let n = 0;
    for (;;) {
      const r = outcome(() => f.append('foo', big));
      if (r !== 'ok') {
        expect(r).toBe('size-exceeded');
        break;
      }
      n++;
    }
    expect(n).toBe(Math.floor((FIELDS_SIZE_LIMIT - 3 - FIELD_OVERHEAD) / (1000 + FIELD_OVERHEAD)));
    expect(f.get('foo').length).toBe(n);
    expect(outcome(() => f.set('bar', [big, big]))).toBe('size-exceeded');
    expect(f.has('bar')).toBe(false);
    // Removing makes room again; set replaces rather than adds.
    f.delete('foo');
    f.set('foo', [big]);
    f.set('foo', [big]);
    expect(f.get('foo').length).toBe(1);
    // Many empty values count too.
    const g = new Fields();
    expect(() => {
      for (let i = 0; i < 10_000; i++) g.append('e', new Uint8Array(0));
    }).toThrow(ComponentError);
  });

  it('returns copies of its lists: changing them changes nothing', () => {
    const f = Fields.fromList([['a', b('1')]]);
    f.get('a').push(b('x'));
    f.copyAll().pop();
    expect(f.copyAll()).toEqual([['a', b('1')]]);
  });
});
