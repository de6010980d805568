// Fuel and deadlines (issue 9): core modules instrumented at compile time with a
// check at every loop header and at the entry of functions that make tail calls. A stopped guest traps, its
// instance is poisoned, and the host and other instances carry on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Component, Trap, ValidationError } from '../src/index.ts';
import { instrument } from '../src/instrument/index.ts';
import { assemble } from './helpers/wat.ts';

const valuesWasm = readFileSync(new URL('./guests/values/values.wasm', import.meta.url));

// spin() loops forever; sum(n) = 0 + 1 + ... + n-1 through a call per step; a
// defined memory and a global (both shift when the guard imports are added) and
// an element segment and a start function (function indices shift).
const GUEST = `(component
  (core module $M
    (import "" "get" (func $get (result i32)))
    (memory (export "mem") 1)
    (global $g (mut i32) (i32.const 7))
    (table 1 funcref)
    (elem (i32.const 0) $step)
    (type $t (func (param i32 i32) (result i32)))
    (data (i32.const 16) "\\2a")
    (func $step (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func $init (loop) (global.set $g (i32.add (global.get $g) (i32.load8_u (i32.const 16)))))
    (start $init)
    (func (export "spin") (loop $l (br $l)))
    (func (export "sum") (param $n i32) (result i32)
      (local $i i32) (local $acc i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call_indirect (type $t) (local.get $acc) (local.get $i) (i32.const 0)))
        (i32.store (i32.const 0) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (i32.add (i32.load (i32.const 0)) (i32.sub (global.get $g) (i32.const 49))))
    (func (export "g") (result i32) (i32.add (global.get $g) (call $get)))
    ;; endless without a loop: tail calls back and forth
    (func $ping (export "ping") (return_call $pong))
    (func $pong (return_call $ping)))
  (core module $H (func (export "get") (result i32) (i32.const 1000)))
  (core instance $h (instantiate $H))
  (core instance $m (instantiate $M (with "" (instance $h))))
  (func (export "spin") (canon lift (core func $m "spin")))
  (func (export "sum") (param "n" u32) (result u32) (canon lift (core func $m "sum")))
  (func (export "g") (result u32) (canon lift (core func $m "g")))
  (func (export "ping") (canon lift (core func $m "ping")))
)`;

describe('fuel', () => {
  it('an endless loop traps "fuel exhausted", poisons its instance; another instance carries on', async () => {
    const c = await Component.compile(await assemble(GUEST), { fuel: true });
    const a = await c.instantiate({}, { fuel: 100_000 });
    expect(() => a.exports.spin()).toThrow(Trap);
    expect(() => a.exports.spin()).toThrow(/poison|cannot enter|trap/i);
    let err: unknown;
    try {
      (await c.instantiate({}, { fuel: 10 })).exports.spin();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Trap);
    expect((err as Error).message).toBe('wasm trap: fuel exhausted');
    expect(() => a.exports.g()).toThrow(Trap);
    const b = await c.instantiate({}, { fuel: 1_000_000 });
    expect(b.exports.g()).toBe(1049);
    expect(b.exports.sum(100)).toBe(4950);
  });

  it('a terminating function with enough fuel returns; the same with too little traps', async () => {
    const c = await Component.compile(await assemble(GUEST), { fuel: true });
    // start: its one loop; sum(n): n + 1 loop iterations (calls without tail calls cost nothing)
    expect((await c.instantiate({}, { fuel: 1 + 11 })).exports.sum(10)).toBe(45);
    expect(() => c.instantiateSync({}, { fuel: 1 + 10 }).exports.sum(10)).toThrow('fuel exhausted');
    // unlimited by default
    expect((await c.instantiate({})).exports.sum(1000)).toBe(499500);
  });

  it('fuel is spent by the whole instantiation, start functions included', async () => {
    const c = await Component.compile(await assemble(GUEST), { fuel: true });
    expect(() => c.instantiateSync({}, { fuel: 0 })).toThrow('fuel exhausted');
  });

  it('an endless chain of tail calls (no loop) runs out of fuel too', async () => {
    const c = await Component.compile(await assemble(GUEST), { fuel: true });
    expect(() => c.instantiateSync({}, { fuel: 10_000 }).exports.ping()).toThrow('wasm trap: fuel exhausted');
  });

  it('without the compile option nothing is instrumented', async () => {
    const bytes = await assemble(GUEST);
    const c = await Component.compile(bytes);
    const inst = await c.instantiate({});
    expect(inst.exports.sum(10)).toBe(45);
    await expect(c.instantiate({}, { fuel: 10 })).rejects.toThrow(/compiled with \{ fuel: true \}/);
    const m = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(instrument(m, {})).toBe(m);
  });

  it('an instrumented module gets the guard imports and keeps its exports', async () => {
    const core = new Uint8Array(
      await assemble(
        `(module (memory (export "m") 1) (global (export "g") i32 (i32.const 1)) (func (export "f") (loop)))`,
      ),
    );
    const mod = new WebAssembly.Module(
      instrument(core, { fuel: true, interruptible: true }) as Uint8Array<ArrayBuffer>,
    );
    expect(WebAssembly.Module.imports(mod).map((i) => `${i.module} ${i.name} ${i.kind}`)).toEqual([
      'weft:guard out-of-fuel function',
      'weft:guard interrupted function',
      'weft:guard fuel global',
      'weft:guard flag memory',
    ]);
    expect(WebAssembly.Module.exports(mod).map((e) => `${e.name} ${e.kind}`)).toEqual([
      'm memory',
      'g global',
      'f function',
    ]);
  });

  it('an unknown opcode is a ValidationError, never a silent miscompile', () => {
    // (func) whose body is 0xfb 0x00 (a GC instruction) end
    const m = new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0xfb, 0x00, 0x0b,
    ]);
    expect(() => instrument(m, { fuel: true })).toThrow(ValidationError);
    expect(() => instrument(m, { fuel: true })).toThrow(/unsupported instruction 0xfb/);
  });

  it('a real guest (componentize-qjs, a 1.6 MB module) runs instrumented, and traps with little fuel', async () => {
    const c = await Component.compile(valuesWasm, { fuel: true });
    const big = await c.instantiate({}, { fuel: 10n ** 12n });
    expect(big.exports.add(2, 3)).toBe(5);
    expect(big.exports.echo('héllo 🌍')).toBe('héllo 🌍');
    // QuickJS's loops: add costs about 74 units, echo of 1000 characters about 700
    const small = await c.instantiate({}, { fuel: 500 });
    expect(small.exports.add(2, 3)).toBe(5);
    expect(() => small.exports.echo('x'.repeat(1000))).toThrow('wasm trap: fuel exhausted');
    expect(() => small.exports.add(2, 3)).toThrow(Trap);
    expect(() => c.instantiateSync({}, { fuel: 10 }).exports.add(2, 3)).toThrow('wasm trap: fuel exhausted');
  });
});

describe('deadlines and signals', () => {
  it('a tight loop stops with "deadline exceeded"; the host carries on', async () => {
    const c = await Component.compile(await assemble(GUEST), { interruptible: true });
    const a = await c.instantiate({}, { timeout: 100 });
    let fired = false;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        fired = true;
        resolve();
      }, 10),
    );
    const t0 = performance.now();
    expect(() => a.exports.spin()).toThrow('wasm trap: deadline exceeded');
    const dt = performance.now() - t0;
    expect(dt).toBeGreaterThan(50);
    expect(dt).toBeLessThan(5000);
    await timer;
    expect(fired).toBe(true);
    expect(() => a.exports.g()).toThrow(Trap);
    const b = await c.instantiate({}, { timeout: 10_000 });
    expect(b.exports.sum(10)).toBe(45);
  });

  it('an aborted signal stops the guest with "interrupted"', async () => {
    const c = await Component.compile(await assemble(GUEST), { interruptible: true, fuel: true });
    const ac = new AbortController();
    const a = await c.instantiate({}, { signal: ac.signal, fuel: 1000 });
    expect(a.exports.sum(5)).toBe(10);
    ac.abort();
    expect(() => a.exports.sum(5)).toThrow('wasm trap: interrupted');
    await expect(c.instantiate({}, { timeout: 1 }).then(() => 0)).resolves.toBe(0);
  });
});
