// A post-return that runs long on a time-sliced instance whose lifts run on JSPI stacks: it is
// called after the stack finished, so a slice tick during it must not try to pause it (that
// trapped "trying to suspend without WebAssembly.promising" and poisoned the instance).
import { describe, expect, it } from 'vitest';
import { Component, HAS_JSPI } from '../src/index.ts';
import { assemble } from './helpers/wat.ts';

// waitable-set.wait (a blocking built-in) puts the instance's lifts on JSPI stacks; f's
// post-return spins `n` iterations.
const GUEST = `(component
  (core module $Mem (memory (export "m") 1))
  (core instance $mem (instantiate $Mem))
  (core func $ws.wait (canon waitable-set.wait (memory (core memory $mem "m"))))
  (core module $M
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (global $n (mut i32) (i32.const 0))
    (func (export "f") (param i32) (result i32) (global.set $n (local.get 0)) (local.get 0))
    (func (export "post") (param i32)
      (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (global.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))))
  (core instance $m (instantiate $M (with "" (instance (export "wait" (func $ws.wait))))))
  (func (export "f") (param "n" u32) (result u32)
    (canon lift (core func $m "f") (post-return (core func $m "post"))))
)`;

describe.skipIf(!HAS_JSPI)('post-return on a time-sliced JSPI instance', () => {
  it('runs to its end across slice ticks, and the instance stays usable', async () => {
    const c = await Component.compile(await assemble(GUEST), { interruptible: true });
    const { exports } = (await c.instantiate({}, { timeout: 60_000, timeSlice: true })) as unknown as {
      exports: { f(n: number): number | Promise<number> };
    };
    // Keep the event loop from a macrotask for a while first, so fairness is due.
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      // ~tens of ms of post-return per call: several slice ticks (2 ms) land in it.
      expect(await exports.f(200_000_000)).toBe(200_000_000);
      expect(performance.now() - t0).toBeGreaterThan(5);
    }
    expect(await exports.f(1)).toBe(1);
  });
});
