// Real-toolchain guests: components built by componentize-qjs (see test/guests/build.sh),
// run through Weft and checked value by value. The expected values were cross-checked
// against jco's transpiled output of the same binaries.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComponentError } from '../src/host/errors.ts';
import { Component } from '../src/index.ts';

const valuesWasm = readFileSync(new URL('./guests/values/values.wasm', import.meta.url));
const helloWasm = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));

type Exports = Record<string, any>;

describe('examples/hello (componentize-qjs)', () => {
  it('greets', async () => {
    const component = await Component.compile(helloWasm);
    const instance = await component.instantiate({});
    expect(instance.exports.greet('World')).toBe('Hello, World!');
    expect(instance.exports.greet('')).toBe('Hello, !');
  });
});

describe('values guest (componentize-qjs)', () => {
  let top: Exports;
  let api: Exports;

  beforeAll(async () => {
    const component = await Component.compile(valuesWasm);
    const instance = await component.instantiate({});
    top = instance.exports as Exports;
    api = top['weft-test:values/api'];
    expect(api).toBeTypeOf('object');
  });

  describe('world-level functions', () => {
    it('add(u32, u32) -> u32 wraps like the guest computes it', () => {
      expect(top.add(2, 3)).toBe(5);
      expect(top.add(0xffffffff, 2)).toBe(1);
    });
    it('echo(string) round-trips ASCII, non-ASCII and astral text', () => {
      expect(top.echo('')).toBe('');
      expect(top.echo('héllo 🌍')).toBe('héllo 🌍');
      const long = 'weft✓'.repeat(10_000);
      expect(top.echo(long)).toBe(long);
    });
    it('echo-bytes(list<u8>) returns a Uint8Array with the same bytes', () => {
      const big = new Uint8Array(64 * 1024).map((_, i) => (i * 31) & 0xff);
      const out = top['echo-bytes'](big);
      expect(out).toBeInstanceOf(Uint8Array);
      expect(out).toEqual(big);
      expect(top['echo-bytes'](new Uint8Array(0))).toEqual(new Uint8Array(0));
    });
  });

  describe('scalars', () => {
    it('bool, u8 narrowing, s64 as bigint, f64, char', () => {
      expect(api.negate(true)).toBe(false);
      expect(api.negate(false)).toBe(true);
      expect(api.wrapU8(300)).toBe(44);
      expect(api.addS64(-5n, 1_000_000_000_000n)).toBe(999_999_999_995n);
      expect(api.half(5)).toBe(2.5);
      expect(api.nextChar('a')).toBe('b');
      expect(api.nextChar('🌍')).toBe('🌎');
    });
  });

  describe('strings and lists', () => {
    it('concat', () => {
      expect(api.concat('foo', 'bär')).toBe('foobär');
    });
    it('list<u8> in and out', () => {
      const rev = api.reverseBytes(new Uint8Array([1, 2, 3, 4]));
      expect(rev).toBeInstanceOf(Uint8Array);
      expect([...rev]).toEqual([4, 3, 2, 1]);
      expect(api.sumBytes(new Uint8Array([1, 2, 3, 250]))).toBe(256);
    });
    it('list<string> in and out', () => {
      expect(api.join(['a', 'b', 'c'], ', ')).toBe('a, b, c');
      expect(api.split('x,y,,z', ',')).toEqual(['x', 'y', '', 'z']);
      expect(api.split('', ',')).toEqual(['']);
    });
    it('list<f64> is a Float64Array', () => {
      const out = api.scale(new Float64Array([1, 2.5, -3]), 2);
      expect(out).toBeInstanceOf(Float64Array);
      expect([...out]).toEqual([2, 5, -6]);
    });
  });

  describe('records', () => {
    it('record in and out', () => {
      expect(api.translate({ x: 1, y: 2 }, 10, -20)).toEqual({ x: 11, y: -18 });
    });
    it('list<record> out, with nested list<string>', () => {
      expect(api.makePeople(3)).toEqual([
        { name: 'p0', age: 20, tags: ['even', 'n0'] },
        { name: 'p1', age: 21, tags: ['odd'] },
        { name: 'p2', age: 22, tags: ['even', 'n2'] },
      ]);
      expect(api.makePeople(0)).toEqual([]);
    });
    it('list<record> in, option<record> out', () => {
      const people = [
        { name: 'a', age: 30, tags: [] },
        { name: 'b', age: 40, tags: ['x'] },
      ];
      expect(api.oldest(people)).toEqual({ name: 'b', age: 40, tags: ['x'] });
      expect(api.oldest([])).toBeUndefined();
    });
  });

  describe('variants, enums, flags', () => {
    it('variant in', () => {
      expect(api.area({ tag: 'circle', val: 2 })).toBe(12);
      expect(api.area({ tag: 'rect', val: { x: 3, y: 4 } })).toBe(12);
      expect(api.area({ tag: 'empty' })).toBe(0);
    });
    it('variant out', () => {
      expect(api.makeShape(0)).toEqual({ tag: 'circle', val: 1.5 });
      expect(api.makeShape(1)).toEqual({ tag: 'rect', val: { x: 2, y: 3 } });
      const empty = api.makeShape(2);
      expect(empty.tag).toBe('empty');
      expect(empty.val).toBeUndefined();
    });
    it('enum as case-name string', () => {
      expect(['red', 'green', 'blue'].map((c) => api.nextColor(c))).toEqual(['green', 'blue', 'red']);
    });
    it('flags as an object of booleans', () => {
      expect(api.togglePerms({ read: true, write: false, exec: true })).toEqual({
        read: false,
        write: true,
        exec: false,
      });
      expect(api.togglePerms({ read: false, write: false, exec: false })).toEqual({
        read: true,
        write: true,
        exec: true,
      });
    });
  });

  describe('options', () => {
    it('option<u32> is T | undefined', () => {
      expect(api.maybeDouble(21)).toBe(42);
      expect(api.maybeDouble(undefined)).toBeUndefined();
    });
    it('option<option<u32>> uses { tag } for the outer option', () => {
      expect(api.nestedOption({ tag: 'none' })).toEqual({ tag: 'none' });
      const someNone = api.nestedOption({ tag: 'some', val: undefined });
      expect(someNone.tag).toBe('some');
      expect(someNone.val).toBeUndefined();
      expect(api.nestedOption({ tag: 'some', val: 7 })).toEqual({ tag: 'some', val: 7 });
    });
  });

  describe('results', () => {
    it('ok returns the payload', () => {
      expect(api.checkedDiv(7, 2)).toBe(3);
      expect(api.checkedDiv(-9, 3)).toBe(-3);
      expect(api.checkAge(30)).toBeUndefined();
    });
    it('err throws ComponentError carrying the payload', () => {
      let err: unknown;
      try {
        api.checkedDiv(7, 0);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ComponentError);
      expect((err as ComponentError).payload).toBe('division by zero');

      for (const [age, payload] of [
        [3, 'red'],
        [200, 'blue'],
      ] as const) {
        try {
          api.checkAge(age);
          expect.unreachable('checkAge should have thrown');
        } catch (e) {
          expect(e).toBeInstanceOf(ComponentError);
          expect((e as ComponentError).payload).toBe(payload);
        }
      }
    });
    it('the instance still works after an err result', () => {
      expect(() => api.checkedDiv(1, 0)).toThrow(ComponentError);
      expect(api.checkedDiv(8, 2)).toBe(4);
    });
    it('result nested in a list is { tag, val }', () => {
      expect(api.tryParse(['12', 'x', '-3'])).toEqual([
        { tag: 'ok', val: 12 },
        { tag: 'err', val: 'not a number: x' },
        { tag: 'ok', val: -3 },
      ]);
    });
  });

  describe('tuples', () => {
    it('tuple in and out', () => {
      expect(api.swap([5, 'five'])).toEqual(['five', 5]);
    });
    it('option<tuple> out', () => {
      expect(api.minMax(new Int32Array([3, -1, 9]))).toEqual([-1, 9]);
      expect(api.minMax(new Int32Array([]))).toBeUndefined();
    });
  });

  describe('resource declared in an interface', () => {
    it('constructor, methods, static, borrow params, own results, dispose', () => {
      const { Counter } = api;
      expect(Counter).toBeTypeOf('function');
      const before = api.createdCounters();

      const c = new Counter(5);
      expect(c).toBeInstanceOf(Counter);
      expect(c.increment(2)).toBe(7);
      expect(c.value()).toBe(7);
      expect(api.readCounter(c)).toBe(7);

      const d = Counter.withValue(10);
      expect(d).toBeInstanceOf(Counter);
      expect(d.value()).toBe(10);

      const m = api.mergeCounters(c, d);
      expect(m).toBeInstanceOf(Counter);
      expect(m.value()).toBe(17);
      // Borrowed arguments are still usable afterwards.
      expect(c.value()).toBe(7);
      expect(d.value()).toBe(10);
      expect(api.createdCounters()).toBe(before + 3);

      // Dropping the handle: the wrapper is dead, other handles are not.
      c[Symbol.dispose]();
      expect(() => c.value()).toThrow();
      expect(d.increment(1)).toBe(11);
      d[Symbol.dispose]();
      m[Symbol.dispose]();
      expect(top.add(1, 1)).toBe(2);
    });
  });
});
