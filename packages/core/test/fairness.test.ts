// Fairness (issue 9): a guest looping on waitable-set.poll, or on a
// thread.yield that has nothing to switch to, on a JSPI stack never keeps host
// timers and I/O from running for more than a few milliseconds, and the pauses
// that let them run are invisible to the guest (poll stays atomic: no other
// guest thread of the store runs in them).
import { describe, expect, it } from 'vitest';
import { HAS_JSPI } from '../src/index.ts';
import { instantiate } from './helpers/wat.ts';

/** Loops stop here if the host never says done (a starved timer): the test then fails instead of hanging. */
const BOUND = 1 << 24;

// `poll-loop: async func() -> u32` (stackful): polls an empty waitable set
// until the host's done() says 1, and returns how many polls it made.
// `yield-loop: func() -> u32` (sync): the same with thread.yield, which has
// nothing to switch to (a no-op in the spec). `atomic: async func() -> u32`
// (stackful): makes a ready thread that sets $other, polls until done (noting
// whether $other changed meanwhile), then yields once so that thread runs:
// returns starved*4 + bad*2 + other (1: the polls ended by the timer, the
// thread did not run during them, and it was ready).
// `spin: async func(n) -> u32` polls n times (the microbenchmark).
// waitable-set.wait (never called) makes the instance run on JSPI stacks.
const LOOPS = `(component
  (import "done" (func $done (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (alias core export $table "t" (core table $t))
  (core type $start-ty (func (param i32)))
  (core func $done' (canon lower (func $done)))
  (core func $ws.new (canon waitable-set.new))
  (core func $poll (canon waitable-set.poll (memory (core memory $mem "mem"))))
  (core func $wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
  (core func $ret (canon task.return (result u32)))
  (core func $yield (canon thread.yield))
  (core func $new (canon thread.new-indirect $start-ty (core table $t)))
  (core func $later (canon thread.resume-later))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "t" (table 1 funcref))
    (import "" "done" (func $done (result i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "poll" (func $poll (param i32 i32) (result i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "ret" (func $ret (param i32)))
    (import "" "yield" (func $yield (result i32)))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "later" (func $later (param i32)))
    (global $other (mut i32) (i32.const 0))
    (func $set-other (param i32) (global.set $other (i32.const 1)))
    (elem (table 0) (i32.const 0) func $set-other)
    ;; one poll of an empty set: NONE (0), or trap
    (func $poll-none (param $ws i32)
      (if (call $poll (local.get $ws) (i32.const 8)) (then unreachable)))
    (func (export "poll-loop")
      (local $ws i32) (local $n i32)
      (local.set $ws (call $ws.new))
      (block $out (loop $l
        (call $poll-none (local.get $ws))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (call $done))
        (br_if $l (i32.lt_u (local.get $n) (i32.const ${BOUND})))))
      (call $ret (local.get $n)))
    (func (export "yield-loop") (result i32)
      (local $n i32)
      (block $out (loop $l
        (if (call $yield) (then unreachable))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (call $done))
        (br_if $l (i32.lt_u (local.get $n) (i32.const ${BOUND})))))
      (local.get $n))
    (func (export "atomic")
      (local $ws i32) (local $n i32) (local $bad i32)
      (local.set $ws (call $ws.new))
      (call $later (call $new (i32.const 0) (i32.const 0)))
      (block $out (loop $l
        (call $poll-none (local.get $ws))
        (if (global.get $other) (then (local.set $bad (i32.const 1)) (br $out)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (call $done))
        (br_if $l (i32.lt_u (local.get $n) (i32.const ${BOUND})))))
      (drop (call $yield))
      (call $ret (i32.add
        (i32.add (i32.shl (local.get $bad) (i32.const 1)) (global.get $other))
        (i32.shl (i32.ge_u (local.get $n) (i32.const ${BOUND})) (i32.const 2)))))
    (func (export "spin") (param $k i32)
      (local $ws i32) (local $n i32)
      (local.set $ws (call $ws.new))
      (block $out (loop $l
        (br_if $out (i32.ge_u (local.get $n) (local.get $k)))
        (call $poll-none (local.get $ws))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
      (call $ret (local.get $n))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "t" (table $t)) (export "done" (func $done'))
    (export "ws.new" (func $ws.new)) (export "poll" (func $poll)) (export "wait" (func $wait))
    (export "ret" (func $ret)) (export "yield" (func $yield))
    (export "new" (func $new)) (export "later" (func $later))))))
  (func (export "poll-loop") async (result u32) (canon lift (core func $m "poll-loop") async))
  (func (export "yield-loop") (result u32) (canon lift (core func $m "yield-loop")))
  (func (export "atomic") async (result u32) (canon lift (core func $m "atomic") async))
  (func (export "spin") async (param "n" u32) (result u32) (canon lift (core func $m "spin") async))
)`;

/** A host flag the guest reads through done(), set by a timer `ms` after the call starts; `late` is how late it fired. */
function timerFlag(ms: number) {
  const s = { done: 0, late: -1 };
  const t0 = performance.now();
  setTimeout(() => {
    s.late = performance.now() - t0 - ms;
    s.done = 1;
  }, ms);
  return s;
}

// A timer may fire late when the machine is busy (vitest runs files in parallel
// workers): the lateness checks retry; a starved timer fails every time (the
// loop then runs to BOUND, seconds).
describe.skipIf(!HAS_JSPI)('fairness: guest loops on a JSPI stack let host timers run', { retry: 2 }, () => {
  it('a stackful async export looping on waitable-set.poll', async () => {
    let timer = { done: 0, late: -1 };
    const inst: any = await instantiate(LOOPS, { done: () => timer.done });
    timer = timerFlag(50);
    const n = await inst.exports['poll-loop']();
    expect(timer.late, `timer late by ${timer.late} ms, ${n} polls`).toBeLessThan(100);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(BOUND);
  });

  it('a sync export looping on thread.yield with nothing else ready', async () => {
    let timer = { done: 0, late: -1 };
    const inst: any = await instantiate(LOOPS, { done: () => timer.done });
    timer = timerFlag(50);
    const r = inst.exports['yield-loop']();
    // It paused on its JSPI stack, so the sync call answers with a Promise.
    expect(r, 'the sync call paused').toBeInstanceOf(Promise);
    const n = await r;
    expect(timer.late, `timer late by ${timer.late} ms, ${n} yields`).toBeLessThan(100);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(BOUND);
  });

  it('poll stays atomic: a ready guest thread does not run in its pauses, only at a yield', async () => {
    let timer = { done: 0, late: -1 };
    const inst: any = await instantiate(LOOPS, { done: () => timer.done });
    timer = timerFlag(30);
    expect(await inst.exports.atomic()).toBe(1);
    expect(timer.late).toBeLessThan(100);
  });

  it('poll results are unchanged across pauses, and later calls still work', async () => {
    const inst: any = await instantiate(LOOPS, { done: () => 0 });
    // Long enough to pause several times (each poll is checked to return NONE).
    expect(await inst.exports.spin(2_000_000)).toBe(2_000_000);
    expect(await inst.exports.spin(10)).toBe(10);
  });
});
