// Instances of one Component share only what the Component caches (LinkPlan: substituted
// types, host-import plans, stateless host wrappers): memories, handle tables, poisoning,
// guards and the host objects each was given stay its own.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Component, HAS_JSPI, type Instance, setDeadline, Trap } from '../src/index.ts';
import { HOST_COUNTER } from './helpers/guests.ts';
import { assemble, compile } from './helpers/wat.ts';

/** A component exporting `name(n: u32) -> u32`, a loop counting to n: long enough to interrupt. */
const countTo = (name: string) => `(component
  (core module $m
    (func (export "${name}") (param i32) (result i32) (local i32)
      (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
      (local.get 1)))
  (core instance $i (instantiate $m))
  (func (export "${name}") (param "n" u32) (result u32) (canon lift (core func $i "${name}"))))`;

// Keeps handles of a host resource in its table and an i32 in its memory.
const KEEPS = `(component
${HOST_COUNTER}
  (core module $m
    (import "h" "new" (func $new (param i32) (result i32)))
    (import "h" "bump" (func $bump (param i32) (result i32)))
    (import "h" "total" (func $total (result i32)))
    (memory 1)
    (func (export "keep") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "bump") (param i32) (result i32) (call $bump (local.get 0)))
    (func (export "total") (result i32) (call $total))
    (func (export "set") (param i32) (i32.store (i32.const 64) (local.get 0)))
    (func (export "get") (result i32) (i32.load (i32.const 64)))
    (func (export "boom") unreachable))
  (core instance $hi (export "new" (func $new')) (export "bump" (func $bump')) (export "total" (func $total')))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func (export "keep") (param "start" u32) (result u32) (canon lift (core func $i "keep")))
  (func (export "bump") (param "h" u32) (result u32) (canon lift (core func $i "bump")))
  (func (export "total") (result u32) (canon lift (core func $i "total")))
  (func (export "set") (param "v" u32) (canon lift (core func $i "set")))
  (func (export "get") (result u32) (canon lift (core func $i "get")))
  (func (export "boom") (canon lift (core func $i "boom"))))`;

function counterClass(step: number, total: number) {
  return class Counter {
    n: number;
    constructor(start: number) {
      this.n = start;
    }
    bump() {
      this.n += step;
      return this.n;
    }
    static total() {
      return total;
    }
  };
}

describe('instances of one component', () => {
  it('each has its own memory, handle table and poisoning', async () => {
    const c = await compile(KEEPS);
    const Counter = counterClass(1, 7);
    const a = (await c.instantiate({ 'host:res/counter': { Counter } })).exports;
    const b = (await c.instantiate({ 'host:res/counter': { Counter } })).exports;
    a.set(5);
    expect(a.get()).toBe(5);
    expect(b.get()).toBe(0);
    // Both tables hand out index 1 first; each handle is its own instance's.
    const ha = a.keep(10);
    expect(b.keep(20)).toBe(ha);
    expect(a.bump(ha)).toBe(11);
    expect(b.bump(ha)).toBe(21);
    // A handle only `a` holds is unknown to `b`: b traps and is poisoned, a goes on.
    const ha2 = a.keep(30);
    expect(() => b.bump(ha2)).toThrow(Trap);
    expect(() => b.get()).toThrow(Trap);
    expect(a.bump(ha2)).toBe(31);
    expect(a.get()).toBe(5);
    // A trap in `a` leaves a fresh instance of the same component whole.
    expect(() => a.boom()).toThrow(Trap);
    expect(() => a.get()).toThrow(Trap);
    const d = (await c.instantiate({ 'host:res/counter': { Counter } })).exports;
    expect(d.get()).toBe(0);
    expect(d.bump(d.keep(1))).toBe(2);
  });

  it('each calls the host classes and functions it was given, whatever an earlier one got', async () => {
    const c = await compile(KEEPS);
    const a = (await c.instantiate({ 'host:res/counter': { Counter: counterClass(1, 100) } })).exports;
    const b = (await c.instantiate({ 'host:res/counter': { Counter: counterClass(10, 200) } })).exports;
    const a2 = (await c.instantiate({ 'host:res/counter': { Counter: counterClass(1, 100) } })).exports;
    expect(a.bump(a.keep(0))).toBe(1);
    expect(b.bump(b.keep(0))).toBe(10);
    expect(a2.bump(a2.keep(0))).toBe(1);
    expect(a.total()).toBe(100);
    expect(b.total()).toBe(200);
    // A class whose static was replaced between instantiations: the new one is called.
    const Counter = counterClass(1, 1);
    const before = (await c.instantiate({ 'host:res/counter': { Counter } })).exports;
    (Counter as unknown as { total: () => number }).total = () => 2;
    const after = (await c.instantiate({ 'host:res/counter': { Counter } })).exports;
    expect(after.total()).toBe(2);
    expect(before.total()).toBe(1);
  });

  it('instances given the same host classes share the substituted types; others get their own', async () => {
    // A lifted export whose type names the host resource: its type is substituted per binding.
    const c = await compile(`(component
      (import "host:res/counter" (instance $h
        (export "counter" (type $c (sub resource)))
        (export "[method]counter.bump" (func (param "self" (borrow $c)) (result u32)))))
      (alias export $h "counter" (type $c))
      (alias export $h "[method]counter.bump" (func $bump))
      (core func $bump' (canon lower (func $bump)))
      (core func $drop (canon resource.drop $c))
      (core module $m
        (import "h" "bump" (func $bump (param i32) (result i32)))
        (import "h" "drop" (func $drop (param i32)))
        (func (export "poke") (param i32) (result i32) (local i32)
          (local.set 1 (call $bump (local.get 0)))
          (call $drop (local.get 0))
          (local.get 1)))
      (core instance $i (instantiate $m (with "h" (instance (export "bump" (func $bump')) (export "drop" (func $drop))))))
      (func (export "poke") (param "c" (borrow $c)) (result u32) (canon lift (core func $i "poke"))))`);
    const TYPE = Symbol.for('weft.type');
    const typeOf = (x: { exports: Record<string, unknown> }) =>
      (x.exports.poke as unknown as Record<symbol, unknown>)[TYPE];
    const A = counterClass(1, 0);
    const B = counterClass(2, 0);
    const a1 = await c.instantiate({ 'host:res/counter': { Counter: A } });
    const a2 = await c.instantiate({ 'host:res/counter': { Counter: A } });
    const b = await c.instantiate({ 'host:res/counter': { Counter: B } });
    expect(typeOf(a1)).toBe(typeOf(a2));
    expect(typeOf(b)).not.toBe(typeOf(a1));
    // And each calls its own class through the borrow.
    expect(a2.exports.poke(new A(5))).toBe(6);
    expect(b.exports.poke(new B(5))).toBe(7);
    expect(() => b.exports.poke(new A(5))).toThrow();
  });

  it('two Components of the same binary link independently', async () => {
    const bytes = await assemble(KEEPS);
    const [c1, c2] = await Promise.all([Component.compile(bytes), Component.compile(bytes)]);
    const Counter = counterClass(3, 0);
    const x = (await c1.instantiate({ 'host:res/counter': { Counter } })).exports;
    const y = (await c2.instantiate({ 'host:res/counter': { Counter } })).exports;
    x.set(9);
    expect(y.get()).toBe(0);
    expect(x.bump(x.keep(0))).toBe(3);
    expect(y.bump(y.keep(1))).toBe(4);
  });

  it('each has its own interrupt flag: aborting one leaves the other running', async () => {
    const bytes = await assemble(countTo('spin'));
    const c = await Component.compile(bytes, { interruptible: true });
    const stop = new AbortController();
    const a = (await c.instantiate({}, { signal: stop.signal })).exports;
    const b = (await c.instantiate({}, { signal: new AbortController().signal })).exports;
    expect(a.spin(10)).toBe(10);
    stop.abort();
    expect(() => a.spin(10)).toThrow(/interrupted/);
    expect(b.spin(1000)).toBe(1000);
    const d = (await c.instantiate({})).exports;
    expect(d.spin(5)).toBe(5);
  });
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Instantiations that end interrupted, past their deadline, with a deadline pending, or clean. */
async function endInstances(made: (options: object) => Promise<Instance>): Promise<void> {
  const kept: Instance[] = [];
  const stops: AbortController[] = [];
  for (let i = 0; i < 24; i++) {
    const stop = new AbortController();
    stops.push(stop);
    const inst = await made(i % 4 === 0 ? { signal: stop.signal } : {});
    if (i % 4 === 1) setDeadline(inst, 0);
    if (i % 4 === 2) setDeadline(inst, 60_000);
    kept.push(inst);
  }
  for (let i = 0; i < 24; i += 4) stops[i]!.abort();
  // The flags of the aborted and the expired ones now hold a trap, and the watchdog drops them
  // at its next tick. (They are not called: a trap's error would keep its instance alive here.)
  await sleep(20);
  for (let i = 0; i < 24; i++)
    if (i % 4 >= 2) expect(await (kept[i]!.exports.count as (n: number) => unknown)(10)).toBe(10);
}

describe.skipIf(!HAS_JSPI)('interrupt flags of sliced instantiations', () => {
  it('a flag goes to a later instantiation only once its own is gone, and never one the watchdog dropped', async () => {
    const bytes = await assemble(countTo('count'));
    const c = await Component.compile(bytes, { interruptible: true });
    const made = (options: object) => c.instantiate({}, { timeSlice: true, ...options });
    // In a function of its own: nothing of it stays on this function's frame.
    await endInstances(made);
    // A live instantiation keeps its flag: a later one never shares it.
    const live = await made({});
    for (let round = 0; round < 3; round++) {
      gc();
      await sleep(60);
    }
    // Counts the shared memories (new flags) the later instantiations make.
    const Memory = WebAssembly.Memory;
    let fresh = 0;
    // A class: guard.ts calls it with `new`.
    const counting = class {
      constructor(d: WebAssembly.MemoryDescriptor) {
        if (d.shared) fresh++;
        return new Memory(d);
      }
    };
    (WebAssembly as { Memory: unknown }).Memory = counting;
    const later = [];
    try {
      for (let i = 0; i < 32; i++) later.push(await made({}));
    } finally {
      (WebAssembly as { Memory: unknown }).Memory = Memory;
    }
    for (const inst of later) {
      const count = inst.exports.count as (n: number) => unknown;
      expect(await count(1000)).toBe(1000);
      // The watchdog still watches the flag: a deadline stops a long loop (seconds) on time.
      setDeadline(inst, 10);
      const t0 = performance.now();
      await expect((async () => count(3_000_000_000))()).rejects.toThrow(/deadline exceeded/);
      expect(performance.now() - t0).toBeLessThan(500);
    }
    expect(await (live.exports.count as (n: number) => unknown)(7)).toBe(7);
    // Flags were reused (fewer new ones than instantiations).
    expect(fresh).toBeLessThan(32);
  });
});
