// Sync lifts of plain values compiled to JavaScript (canon/lift-codegen.ts) against the
// closures that serve where code generation is refused (`codegen: false`): the same
// values, the same errors for bad arguments, the same traps and poisoning, post-return
// called the same way. The compiled function declares its parameters (length 2 for
// `add`); the closure takes rest arguments (length 0), which tells the paths apart.
import { describe, expect, it } from 'vitest';
import { recordCompiledLifts, registerCompiledLifts, Trap } from '../src/index.ts';
import { compile } from './helpers/wat.ts';

const PLAIN = `(component
  (core module $m
    (global $posts (mut i32) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "id32") (param i32) (result i32) (local.get 0))
    (func (export "id64") (param i64) (result i64) (local.get 0))
    (func (export "idf32") (param f32) (result f32) (local.get 0))
    (func (export "idf64") (param f64) (result f64) (local.get 0))
    (func (export "boom") (param i32) (result i32) unreachable)
    (func (export "nothing"))
    (func (export "posts") (result i32) (global.get $posts))
    (func (export "post") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
  )
  (core instance $i (instantiate $m))
  (type $e0 (enum "a" "b" "c"))
  (export $e "e" (type $e0))
  (type $fl0 (flags "x" "y" "z"))
  (export $fl "fl" (type $fl0))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "sub8") (param "a" s8) (result s8) (canon lift (core func $i "id32")))
  (func (export "u8") (param "a" u8) (result u8) (canon lift (core func $i "id32")))
  (func (export "s16") (param "a" s16) (result s16) (canon lift (core func $i "id32")))
  (func (export "u16") (param "a" u16) (result u16) (canon lift (core func $i "id32")))
  (func (export "s32") (param "a" s32) (result s32) (canon lift (core func $i "id32")))
  (func (export "u64") (param "a" u64) (result u64) (canon lift (core func $i "id64")))
  (func (export "s64") (param "a" s64) (result s64) (canon lift (core func $i "id64")))
  (func (export "f32") (param "a" f32) (result f32) (canon lift (core func $i "idf32")))
  (func (export "f64") (param "a" f64) (result f64) (canon lift (core func $i "idf64")))
  (func (export "bool") (param "a" bool) (result bool) (canon lift (core func $i "id32")))
  (func (export "char") (param "a" char) (result char) (canon lift (core func $i "id32")))
  (func (export "enum") (param "a" $e) (result $e) (canon lift (core func $i "id32")))
  (func (export "flags") (param "a" $fl) (result $fl) (canon lift (core func $i "id32")))
  (func (export "boom") (param "a" u32) (result u32) (canon lift (core func $i "boom")))
  (func (export "nothing") (canon lift (core func $i "nothing")))
  (func (export "posts") (result u32) (canon lift (core func $i "posts")))
  (func (export "with-post") (param "a" u32) (result u32)
    (canon lift (core func $i "id32") (post-return (core func $i "post"))))
)`;

async function both() {
  const c = await compile(PLAIN);
  const compiled = (await c.instantiate({})).exports as Record<string, (...a: unknown[]) => unknown>;
  const closures = (await c.instantiate({}, { codegen: false })).exports as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  return { compiled, closures };
}

/** What a call gave: its value, or its error's class and message. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe('sync lift code generation', () => {
  it('compiles plain-valued functions (and keeps closures with codegen: false)', async () => {
    const { compiled, closures } = await both();
    expect(compiled.add!.length).toBe(2);
    expect(closures.add!.length).toBe(0);
    expect(compiled.add!(20, 22)).toBe(42);
    expect(closures.add!(20, 22)).toBe(42);
    expect(compiled.add!(0xffff_ffff, 1)).toBe(0);
  });

  it('falls back to the closures where the engine refuses code generation (CSP, workerd)', async () => {
    // A shape no other test made (compiled lifts are shared per shape once made).
    const c = await compile(`(component
      (core module $m (func (export "f") (param i32 i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
      (core instance $i (instantiate $m))
      (func (export "odd") (param "a" s16) (param "b" u8) (param "c" bool) (result s16) (canon lift (core func $i "f"))))`);
    const real = globalThis.Function;
    (globalThis as { Function: unknown }).Function = function refused() {
      throw new EvalError('Code generation from strings disallowed for this context');
    };
    let exports: Record<string, (...a: unknown[]) => unknown>;
    try {
      exports = (await c.instantiate({})).exports as typeof exports;
    } finally {
      globalThis.Function = real;
    }
    expect(exports.odd!.length).toBe(0);
    expect(exports.odd!(40, 2, true)).toBe(42);
    // Where it is allowed, the same shape compiles (and is kept for the next instance).
    const again = (await c.instantiate({})).exports as typeof exports;
    expect(again.odd!.length).toBe(3);
    expect(again.odd!(-40, 2, false)).toBe(-38);
  });

  it('takes lifts compiled ahead of time, even with codegen: false, and records their source for a bundler', async () => {
    const c = await compile(`(component
      (core module $m (func (export "f") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))
      (core instance $i (instantiate $m))
      (func (export "sub") (param "a" u16) (param "b" s8) (result s32) (canon lift (core func $i "f"))))`);
    const recording = recordCompiledLifts();
    await c.instantiate({});
    const shapes = recording.stop();
    // Its core module imports nothing: the `+leaf` shape (see the tests below).
    expect([...shapes.keys()]).toEqual(['u16,s8>s32+leaf']);
    // What a bundle does: the source as a real function in its module (evaluated here only
    // because this test has no module to write it into).
    const factory = new Function(`return ${shapes.get('u16,s8>s32+leaf')}`)();
    registerCompiledLifts({ 'u16,s8>s32+leaf': factory });
    const real = globalThis.Function;
    (globalThis as { Function: unknown }).Function = function refused() {
      throw new EvalError('Code generation from strings disallowed for this context');
    };
    let exports: Record<string, (...a: unknown[]) => unknown>;
    try {
      exports = (await c.instantiate({}, { codegen: false })).exports as typeof exports;
    } finally {
      globalThis.Function = real;
    }
    expect(exports.sub!.length).toBe(2);
    expect(exports.sub!(2, 5)).toBe(-3);
    expect(() => exports.sub!(-1, 0)).toThrow(/expected u16/);
    expect(() => registerCompiledLifts({ 'u32;drop': factory })).toThrow(/not a compiled lift shape/);
    expect(() => registerCompiledLifts({ 'u32>u32': 1 as unknown as Function })).toThrow(/is not a function/);
  });

  it('gives the same values and the same errors as the closures, type by type', async () => {
    const { compiled, closures } = await both();
    const cases: [string, unknown[]][] = [
      ['sub8', [-128, 127, 0, 128, -129, 1.5, '1', -0]],
      ['u8', [0, 255, 256, -1, Number.NaN]],
      ['s16', [-32768, 32767, 32768, 2.5]],
      ['u16', [0, 65535, 65536, -1]],
      ['s32', [-(2 ** 31), 2 ** 31 - 1, 2 ** 31, 1e300, null]],
      ['add', [0, 2 ** 32 - 1, 2 ** 32, -1, 0.5, undefined, {}]],
      ['u64', [0n, 2n ** 64n - 1n, 2n ** 64n, -1n, 5, 2 ** 60]],
      ['s64', [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n, 7]],
      ['f32', [1.5, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e40, 'x']],
      ['f64', [1.5, Number.NaN, -0, 5e-324, '1']],
      ['bool', [true, false, 0, 1, 2, 'true']],
      ['char', ['a', '🌍', '', 'ab', '\ud800', 65]],
      ['enum', ['a', 'c', 'd', 0]],
      ['flags', [{ x: true, z: true }, {}, { y: 1 }, 5]],
    ];
    for (const [name, values] of cases)
      for (const v of values) {
        const args = name === 'add' ? [v, 1] : [v];
        expect(
          outcome(() => compiled[name]!(...args)),
          `${name}(${String(v)})`,
        ).toEqual(outcome(() => closures[name]!(...args)));
      }
    // A bad argument is the host's mistake: the instance keeps working.
    expect(() => compiled.add!(-1, 1)).toThrow(/expected u32 \(an integer in 0..4294967295\), got number -1/);
    expect(compiled.add!(1, 1)).toBe(2);
  });

  it('traps the same way and poisons the instance', async () => {
    const { compiled, closures } = await both();
    for (const e of [compiled, closures]) {
      expect(() => e.boom!(1)).toThrow(Trap);
      expect(() => e.add!(1, 2)).toThrow(/poisoned by an earlier trap/);
    }
  });

  it('calls post-return once per call, with the core result', async () => {
    const { compiled, closures } = await both();
    for (const e of [compiled, closures]) {
      expect(e.nothing!()).toBeUndefined();
      expect(e['with-post']!(7)).toBe(7);
      expect(e['with-post']!(8)).toBe(8);
      expect(e.posts!()).toBe(2);
    }
  });
});

// A component instance with two core instances: $leaf imports nothing (its functions cannot call
// out of wasm, so their lifts take the `+leaf` body), $m imports the host's `cb` (its lifts set
// the instance entered and the running frame on each call).
const MIXED = `(component
  (import "cb" (func $cb (result u32)))
  (core module $leaf
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "boom") (param i32) (result i32) unreachable))
  (core instance $l (instantiate $leaf))
  (core func $cbl (canon lower (func $cb)))
  (core instance $hi (export "cb" (func $cbl)))
  (core module $m
    (import "host" "cb" (func $cb (result i32)))
    (func (export "call-cb") (param i32) (result i32) (i32.add (call $cb) (local.get 0)))
    (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))
  (core instance $i (instantiate $m (with "host" (instance $hi))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $l "add")))
  (func (export "boom") (param "a" u32) (result u32) (canon lift (core func $l "boom")))
  (func (export "sub") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $i "sub")))
  (func (export "call-cb") (param "a" u32) (result u32) (canon lift (core func $i "call-cb")))
)`;

describe('sync lifts of functions that cannot call out (+leaf)', () => {
  async function mixed(cb: () => unknown, options: { codegen?: boolean } = {}) {
    const c = await compile(MIXED);
    return (await c.instantiate({ cb }, options)).exports as Record<string, (...a: unknown[]) => unknown>;
  }

  it('takes the leaf body only for the core instance that imports nothing', async () => {
    const recording = recordCompiledLifts();
    await mixed(() => 0);
    const shapes = [...recording.stop().keys()];
    expect(shapes).toContain('u32,u32>u32+leaf');
    expect(shapes).toContain('s32,s32>s32');
    expect(shapes).toContain('u32>u32');
    expect(shapes).not.toContain('s32,s32>s32+leaf');
  });

  it('refuses a leaf function while its instance is entered (a host import calling back in)', async () => {
    let e: Record<string, (...a: unknown[]) => unknown> = {};
    let seen: unknown;
    e = await mixed(() => {
      try {
        return e.add!(1, 2);
      } catch (err) {
        seen = err;
        throw err;
      }
    });
    expect(() => e['call-cb']!(5)).toThrow(Trap);
    expect(seen).toBeInstanceOf(Trap);
    expect((seen as Error).message).toBe('cannot enter component instance');
    // The host's import threw (the reentrance trap): the instance is poisoned, the leaf body too.
    expect(() => e.add!(1, 2)).toThrow(/poisoned by an earlier trap/);
  });

  it('and a function that calls out, the same way', async () => {
    let e: Record<string, (...a: unknown[]) => unknown> = {};
    let seen: unknown;
    e = await mixed(() => {
      try {
        return e.sub!(3, 1);
      } catch (err) {
        seen = err;
        return 0;
      }
    });
    expect(e['call-cb']!(5)).toBe(5);
    expect((seen as Error).message).toBe('cannot enter component instance');
    // Nothing trapped in the guest: the instance works on, entered and left on each call.
    expect(e.sub!(3, 1)).toBe(2);
    expect(e.add!(3, 1)).toBe(4);
  });

  it('leaves the instance free again after each call, and a host import may call other exports after it returns', async () => {
    let e: Record<string, (...a: unknown[]) => unknown> = {};
    e = await mixed(() => 7);
    for (let i = 0; i < 3; i++) {
      expect(e.add!(i, 1)).toBe(i + 1);
      expect(e['call-cb']!(i)).toBe(7 + i);
      expect(e.sub!(i, 1)).toBe(i - 1);
    }
  });

  it('gives the same values, errors and traps as the closures', async () => {
    const compiled = await mixed(() => 1);
    const closures = await mixed(() => 1, { codegen: false });
    expect(compiled.add!.length).toBe(2);
    expect(closures.add!.length).toBe(0);
    for (const [a, b] of [
      [1, 2],
      [0xffff_ffff, 1],
      [-1, 1],
      [1.5, 1],
      ['1', 1],
      [1, undefined],
    ] as const)
      expect(
        outcome(() => compiled.add!(a, b)),
        `add(${a}, ${b})`,
      ).toEqual(outcome(() => closures.add!(a, b)));
    // A bad argument leaves the instance working; a trap poisons it, for every export.
    for (const e of [compiled, closures]) {
      expect(e.add!(2, 2)).toBe(4);
      expect(() => e.boom!(1)).toThrow(Trap);
      expect(() => e.add!(1, 2)).toThrow(/poisoned by an earlier trap/);
      expect(() => e.sub!(1, 2)).toThrow(/poisoned by an earlier trap/);
    }
  });

  it('a nested instance (with a parent) takes the general body, with the same results', async () => {
    const c = await compile(`(component
      (component $inner
        (core module $leaf (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
        (core instance $l (instantiate $leaf))
        (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $l "add"))))
      (instance $n (instantiate $inner))
      (export "add" (func $n "add")))`);
    const e = (await c.instantiate({})).exports as Record<string, (...a: unknown[]) => unknown>;
    expect(e.add!.length).toBe(2);
    expect(e.add!(40, 2)).toBe(42);
    expect(() => e.add!(-1, 2)).toThrow(/expected u32/);
    expect(e.add!(0xffff_ffff, 2)).toBe(1);
  });
});
