// Time slicing (instantiate's `timeSlice`): a guest compiled interruptible that
// loops pauses at a loop header every few ms for one macrotask turn (its stack
// is on JSPI), so host timers and other instances run while it loops; its
// deadline still stops it on time; setDeadline moves an instantiation's deadline.
import { describe, expect, it } from 'vitest';
import { Component, HAS_JSPI, isSpinning, setDeadline, Trap } from '../src/index.ts';
import { SYNC_CALLS_HOST } from './helpers/guests.ts';
import { assemble } from './helpers/wat.ts';

// spin() loops forever; count(n) loops n times and returns n; an async-typed
// spinAsync() (stackful async lift) loops forever too.
const GUEST = `(component
  (core module $M
    (func (export "spin") (loop $l (br $l)))
    (func (export "count") (param $n i32) (result i32)
      (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $i))
    (func (export "spin-async") (loop $l (br $l))))
  (core instance $m (instantiate $M))
  (func (export "spin") (canon lift (core func $m "spin")))
  (func (export "count") (param "n" u32) (result u32) (canon lift (core func $m "count")))
  (func (export "spin-async") async (canon lift (core func $m "spin-async") async))
)`;

const compiled = (async () => Component.compile(await assemble(GUEST), { interruptible: true }))();

/** Resolves with how many times a 1 ms interval ran while `p` was pending, and how `p` ended. */
async function ticksWhile(p: unknown): Promise<{ ticks: number; error: unknown; ms: number }> {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  const t0 = performance.now();
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  clearInterval(iv);
  return { ticks, error, ms: performance.now() - t0 };
}

describe.skipIf(!HAS_JSPI)('time slicing', () => {
  it('host timers run while a guest loops; its deadline still traps on time', async () => {
    const c = await compiled;
    const t0 = performance.now();
    const a = await c.instantiate({}, { timeout: 300, timeSlice: true });
    const { ticks, error } = await ticksWhile(a.exports.spin());
    const ms = performance.now() - t0;
    expect(error).toBeInstanceOf(Trap);
    expect((error as Error).message).toBe('wasm trap: deadline exceeded');
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(1000);
    // Without slicing at most one tick runs (after the trap); with it, dozens do.
    expect(ticks).toBeGreaterThan(5);
  });

  it('an async-typed export loops; an abort signal on a host timer stops it', async () => {
    const c = await compiled;
    const ac = new AbortController();
    // The timeout only bounds the test should slicing fail (the abort could never run).
    const a = await c.instantiate({}, { signal: ac.signal, timeout: 2000, timeSlice: true });
    setTimeout(() => ac.abort(), 100);
    const { error, ms } = await ticksWhile(a.exports.spinAsync());
    expect((error as Error).message).toBe('wasm trap: interrupted');
    expect(ms).toBeLessThan(600);
  });

  it("a second instance's calls complete while the first loops", async () => {
    const c = await compiled;
    const a = await c.instantiate({}, { timeout: 1000, timeSlice: true });
    const b = await c.instantiate({}, { timeout: 10_000, timeSlice: true });
    const t0 = performance.now();
    const spinning = a.exports.spin() as Promise<unknown>;
    spinning.catch(() => {});
    let done = -1;
    let value: unknown;
    setTimeout(async () => {
      value = await b.exports.count(1000);
      done = performance.now() - t0;
    }, 5);
    let spinningSeen: boolean[] = [];
    setTimeout(() => {
      spinningSeen = [isSpinning(a), isSpinning(b)];
    }, 100);
    const { error } = await ticksWhile(spinning);
    expect((error as Error).message).toBe('wasm trap: deadline exceeded');
    expect(spinningSeen).toEqual([true, false]);
    expect(isSpinning(a)).toBe(false);
    expect(value).toBe(1000);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(200);
    // b is unharmed.
    expect(await b.exports.count(7)).toBe(7);
  });

  it('leaves host imports as without slicing: a Promise is waited for only with hostImportsMaySuspend', async () => {
    const c = await Component.compile(await assemble(SYNC_CALLS_HOST), { interruptible: true });
    const get = async (x: number) => x * 10;
    const plain: any = await c.instantiate({ get }, { timeSlice: true });
    await expect((async () => plain.exports.run(4))()).rejects.toThrow(/hostImportsMaySuspend/);
    const waits: any = await c.instantiate({ get }, { timeSlice: true, hostImportsMaySuspend: true });
    expect(await waits.exports.run(4)).toBe(41);
    // A host import that answers at once serves both.
    const sync: any = await c.instantiate({ get: (x: number) => x * 2 }, { timeSlice: true });
    expect(await sync.exports.run(4)).toBe(9);
  });

  it('a call that finishes within its slice returns its value synchronously', async () => {
    const c = await compiled;
    const a = await c.instantiate({}, { timeSlice: true });
    expect(a.exports.count(100_000)).toBe(100_000);
  });

  it('a long terminating loop pauses and still returns its result', async () => {
    const c = await compiled;
    const a = await c.instantiate({}, { timeSlice: true });
    const n = 2_000_000_000;
    const { ticks, error } = await ticksWhile(
      (async () => {
        expect(await a.exports.count(n)).toBe(n);
      })(),
    );
    expect(error).toBeUndefined();
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('setDeadline', () => {
  it('moves the deadline later and earlier; undefined removes it', async () => {
    const c = await compiled;
    const a = await c.instantiate({}, { timeout: 50, timeSlice: HAS_JSPI });
    setDeadline(a, 400);
    await new Promise((r) => setTimeout(r, 150));
    // The first deadline (50 ms) did not stop it.
    expect(await a.exports.count(10)).toBe(10);
    setDeadline(a, undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.exports.count(10)).toBe(10);
    setDeadline(a, 100);
    const t0 = performance.now();
    const { error } = await ticksWhile((async () => a.exports.spin())());
    expect((error as Error).message).toBe('wasm trap: deadline exceeded');
    expect(performance.now() - t0).toBeLessThan(600);
  });

  it('reaches a tight loop without time slicing (the watchdog)', async () => {
    const c = await compiled;
    const a = await c.instantiate({}, { timeout: 60_000 });
    setDeadline(a, 100);
    const t0 = performance.now();
    expect(() => a.exports.spin()).toThrow('wasm trap: deadline exceeded');
    const dt = performance.now() - t0;
    expect(dt).toBeGreaterThan(50);
    expect(dt).toBeLessThan(2000);
  });

  it('a deadline moved later is not cut short in a tight loop (the watchdog re-reads it)', async () => {
    const c = await compiled;
    const t0 = performance.now();
    const a = await c.instantiate({}, { timeout: 50 });
    setDeadline(a, 300);
    expect(() => a.exports.spin()).toThrow('wasm trap: deadline exceeded');
    const dt = performance.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(295);
    expect(dt).toBeLessThan(2000);
  });

  it('needs an interruptible instance; timeSlice too', async () => {
    const plain = await Component.compile(await assemble(GUEST));
    const a = await plain.instantiate({});
    expect(() => setDeadline(a, 10)).toThrow(TypeError);
    await expect(plain.instantiate({}, { timeSlice: true })).rejects.toThrow(/interruptible/);
  });
});
