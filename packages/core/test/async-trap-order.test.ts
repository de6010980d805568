// Traps arrive in order: a trap in a callee running on a JSPI stack reaches
// its caller before the caller runs on, and a trap in a thread started with
// thread.new-indirect (or raised when such a thread exits) reaches the export
// call that owns its task, poisoning that instance only. None escapes the
// scheduler as an uncaught exception or an unhandled rejection.
import { describe, expect, it } from 'vitest';
import { Trap } from '../src/index.ts';
import { failOnEscapes } from './helpers/escapes.ts';
import { instantiate } from './helpers/wat.ts';
import { within } from './helpers/within.ts';

failOnEscapes();

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Calls `f` and gives what it returned or threw, awaited: `{ ok }` or `{ err }`. */
async function outcome(f: () => unknown): Promise<{ ok: unknown } | { err: unknown }> {
  try {
    return { ok: await f() };
  } catch (err) {
    return { err };
  }
}

const DIV0 = /integer divide by zero/;

// ---- a callee on a JSPI stack traps: the caller sees it before running on ----

// A's `go(mode)` calls B's `run(mode)`, then calls the host's `after` and
// returns what `run` gave. B traps with a division by zero:
//   mode 0: after it waited for the host (its stack suspended, then resumed);
//   mode 1: at once, before it ever suspends;
//   mode 2: (async-lifted B only) right after task.return, before it suspends:
//           in the spec the trap aborts the call before the caller resumes.
// kinds:
//   sync:     B is sync-typed and sync-lifted and waits on a Promise returned by
//             a host import (hostImportsMaySuspend); A is sync-typed and calls
//             it through a sync `canon lower`.
//   stackful: B is async-typed and stackful-lifted and waits in
//             waitable-set.wait for an async host call; A is async-typed but
//             sync-lifted, and calls it through a sync `canon lower`.
//   async-lower: B as for stackful; A is stackful and calls it through an
//             async `canon lower`, waiting in waitable-set.wait if it must.
type Kind = 'sync' | 'stackful' | 'async-lower';

const SYNC_B = `(component $B
    (import "wait" (func $wait (result u32)))
    (core func $wait' (canon lower (func $wait)))
    (core module $M
      (import "" "wait" (func $wait (result i32)))
      (func (export "run") (param $mode i32) (result i32)
        (if (local.get $mode) (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
        (drop (call $wait))
        (i32.div_u (i32.const 1) (i32.const 0))))
    (core instance $m (instantiate $M (with "" (instance (export "wait" (func $wait'))))))
    (func (export "run") (param "mode" u32) (result u32) (canon lift (core func $m "run")))
  )`;

const STACKFUL_B = `(component $B
    (import "wait" (func $wait async (result u32)))
    (core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))
    (core func $wait' (canon lower (func $wait) async (memory (core memory $mem "mem"))))
    (core func $ws.new (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $ws.wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
    (core func $ret (canon task.return (result u32)))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "wait" (func $wait (param i32) (result i32)))
      (import "" "ws.new" (func $ws.new (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "ws.wait" (func $ws.wait (param i32 i32) (result i32)))
      (import "" "ret" (func $ret (param i32)))
      (func (export "run") (param $mode i32)
        (local $st i32) (local $ws i32)
        (if (i32.eq (local.get $mode) (i32.const 1)) (then (drop (i32.div_u (i32.const 1) (i32.const 0)))))
        (if (i32.eq (local.get $mode) (i32.const 2))
          (then (call $ret (i32.const 1)) (drop (i32.div_u (i32.const 1) (i32.const 0)))))
        (local.set $st (call $wait (i32.const 16)))
        (if (i32.ne (i32.and (local.get $st) (i32.const 0xf)) (i32.const 1)) (then unreachable))
        (local.set $ws (call $ws.new))
        (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
        (drop (call $ws.wait (local.get $ws) (i32.const 32)))
        (drop (i32.div_u (i32.const 1) (i32.const 0)))
        (call $ret (i32.const 1))))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem")) (export "wait" (func $wait')) (export "ws.new" (func $ws.new))
      (export "join" (func $join)) (export "ws.wait" (func $ws.wait)) (export "ret" (func $ret))))))
    (func (export "run") async (param "mode" u32) (result u32) (canon lift (core func $m "run") async))
  )`;

function syncA(async: string): string {
  return `(component $A
    (import "run" (func $run${async} (param "mode" u32) (result u32)))
    (import "after" (func $after))
    (core func $run' (canon lower (func $run)))
    (core func $after' (canon lower (func $after)))
    (core module $M
      (import "" "run" (func $run (param i32) (result i32)))
      (import "" "after" (func $after))
      (global $g (mut i32) (i32.const 0))
      (func (export "go") (param i32) (result i32)
        (local $r i32)
        (local.set $r (call $run (local.get 0)))
        (global.set $g (i32.const 1))
        (call $after)
        (local.get $r)))
    (core instance $m (instantiate $M (with "" (instance (export "run" (func $run')) (export "after" (func $after'))))))
    (func (export "go")${async} (param "mode" u32) (result u32) (canon lift (core func $m "go")))
  )`;
}

const ASYNC_LOWER_A = `(component $A
    (import "run" (func $run async (param "mode" u32) (result u32)))
    (import "after" (func $after))
    (core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))
    (core func $run' (canon lower (func $run) async (memory (core memory $mem "mem"))))
    (core func $after' (canon lower (func $after)))
    (core func $ws.new (canon waitable-set.new))
    (core func $join (canon waitable.join))
    (core func $ws.wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
    (core func $ret (canon task.return (result u32)))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "run" (func $run (param i32 i32) (result i32)))
      (import "" "after" (func $after))
      (import "" "ws.new" (func $ws.new (result i32)))
      (import "" "join" (func $join (param i32 i32)))
      (import "" "ws.wait" (func $ws.wait (param i32 i32) (result i32)))
      (import "" "ret" (func $ret (param i32)))
      (func (export "go") (param $mode i32)
        (local $st i32) (local $ws i32)
        (local.set $st (call $run (local.get $mode) (i32.const 8)))
        (if (i32.ne (i32.and (local.get $st) (i32.const 0xf)) (i32.const 2))
          (then
            (local.set $ws (call $ws.new))
            (call $join (i32.shr_u (local.get $st) (i32.const 4)) (local.get $ws))
            (drop (call $ws.wait (local.get $ws) (i32.const 32)))))
        (call $after)
        (call $ret (i32.load (i32.const 8)))))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem")) (export "run" (func $run')) (export "after" (func $after'))
      (export "ws.new" (func $ws.new)) (export "join" (func $join)) (export "ws.wait" (func $ws.wait))
      (export "ret" (func $ret))))))
    (func (export "go") async (param "mode" u32) (result u32) (canon lift (core func $m "go") async))
  )`;

function chain(kind: Kind): string {
  const async = kind === 'sync' ? '' : ' async';
  return `(component
  (import "wait" (func $wait${async} (result u32)))
  (import "after" (func $after))
  ${kind === 'sync' ? SYNC_B : STACKFUL_B}
  ${kind === 'async-lower' ? ASYNC_LOWER_A : syncA(async)}
  (instance $b (instantiate $B (with "wait" (func $wait))))
  (instance $a (instantiate $A (with "run" (func $b "run")) (with "after" (func $after))))
  (export "go" (func $a "go"))
)`;
}

const TITLES: Record<Kind, string> = {
  sync: 'B sync-lifted, waiting on a host Promise; A calls it through a sync lower',
  stackful: 'B stackful, in waitable-set.wait; A calls it through a sync lower',
  'async-lower': 'B stackful, in waitable-set.wait; A stackful, calls it through an async lower',
};

describe('a trap in a callee on a JSPI stack', () => {
  for (const kind of ['sync', 'stackful', 'async-lower'] as const) {
    describe(TITLES[kind], () => {
      it('after B resumed: A never runs on, the whole call rejects with B’s trap', async () => {
        let after = 0;
        const host = deferred<number>();
        let waits = 0;
        const inst: any = await instantiate(
          chain(kind),
          {
            wait: () => {
              waits++;
              return host.promise;
            },
            after: () => void after++,
          },
          { hostImportsMaySuspend: true },
        );
        const call = outcome(() => inst.exports.go(0));
        await new Promise((res) => setTimeout(res, 10));
        expect(waits).toBe(1);
        host.resolve(5);
        const r = await within(call, 2000);
        expect(r).toHaveProperty('err');
        const err = (r as { err: unknown }).err;
        expect(err).toBeInstanceOf(Trap);
        expect((err as Error).message).toMatch(DIV0);
        expect(after).toBe(0);
        // Poisoned: the next call traps at once, naming B's trap.
        const again = await outcome(() => inst.exports.go(0));
        expect((again as { err: Error }).err).toBeInstanceOf(Trap);
        expect((again as { err: Error }).err.message).toMatch(/poisoned/);
        expect(after).toBe(0);
      });

      const modes: [number, string][] = [[1, 'before B ever suspended']];
      if (kind !== 'sync') modes.push([2, 'right after B’s task.return, before it suspended']);
      for (const [mode, when] of modes) {
        it(`${when}: the same, at once`, async () => {
          let after = 0;
          let waits = 0;
          const inst: any = await instantiate(
            chain(kind),
            {
              wait: () => {
                waits++;
                return new Promise(() => {});
              },
              after: () => void after++,
            },
            { hostImportsMaySuspend: true },
          );
          const r = await within(
            outcome(() => inst.exports.go(mode)),
            2000,
          );
          const err = (r as { err: unknown }).err;
          expect(err).toBeInstanceOf(Trap);
          expect((err as Error).message).toMatch(DIV0);
          expect(waits).toBe(0);
          expect(after).toBe(0);
        });
      }

      it('a healthy instance of the same component still answers afterwards', async () => {
        const host = deferred<number>();
        const bad: any = await instantiate(
          chain(kind),
          { wait: () => host.promise, after: () => {} },
          { hostImportsMaySuspend: true },
        );
        const call = outcome(() => bad.exports.go(0));
        await new Promise((res) => setTimeout(res, 5));
        host.resolve(1);
        expect(await within(call, 2000)).toHaveProperty('err');
        let waits = 0;
        const good: any = await instantiate(
          chain(kind),
          {
            wait: () => {
              waits++;
              return Promise.resolve(3);
            },
            after: () => {},
          },
          { hostImportsMaySuspend: true },
        );
        // B always traps in the end, but the fresh instance takes the call and
        // runs it up to there: it waits for the host first.
        const r = await within(
          outcome(() => good.exports.go(0)),
          2000,
        );
        expect((r as { err: Error }).err.message).toMatch(DIV0);
        expect(waits).toBe(1);
      });
    });
  }
});

// ---- a trap in a thread started with thread.new-indirect ----

// One component, `spawn(mode) -> u32` (async-typed): starts a thread that
// calls the host's `ran(n)` and then traps (`unreachable`) or returns, and
//   mode 0: resume-later, then YIELD (callback ABI); the thread traps.
//   mode 1: task.return(1), resume-later, EXIT; the thread traps after the
//           export returned.
//   mode 2: resume-later, EXIT without task.return; the thread returns: its
//           exit traps (the task never produced a result).
// `ok() -> u32` answers 7; `arm()` (sync) starts a trapping thread and
// returns (it runs at the next host-driven call, `poke`, which yields once
// and answers 5). `cb` reports to `ran(99)` and exits.
// With `switches` the spawning thread instead hands over with
// thread.yield-then-resume (mode 0) or thread.suspend-then-resume (mode 3),
// so the component's code runs on JSPI stacks.
function threads(switches: boolean): string {
  return `(component
  (import "ran" (func $ran (param "n" u32)))
  (core module $Table (table (export "t") 2 funcref))
  (core instance $table (instantiate $Table))
  (core func $ran' (canon lower (func $ran)))
  (core type $start-ty (func (param i32)))
  (alias core export $table "t" (core table $t))
  (core func $new (canon thread.new-indirect $start-ty (core table $t)))
  (core func $later (canon thread.resume-later))
  (core func $ret (canon task.return (result u32)))
  ${switches ? '(core func $yield-to (canon thread.yield-then-resume))' : ''}
  ${switches ? '(core func $switch-to (canon thread.suspend-then-resume))' : ''}
  (core module $M
    (import "" "ran" (func $ran (param i32)))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "later" (func $later (param i32)))
    (import "" "ret" (func $ret (param i32)))
    ${switches ? '(import "" "yield-to" (func $yield-to (param i32) (result i32)))' : ''}
    ${switches ? '(import "" "switch-to" (func $switch-to (param i32) (result i32)))' : ''}
    (import "" "t" (table 2 funcref))
    (func $trap (param i32) (call $ran (local.get 0)) unreachable)
    (func $quit (param i32) (call $ran (local.get 0)))
    (elem (table 0) (i32.const 0) func $trap $quit)
    (func (export "spawn") (param $mode i32) (result i32)
      (local $t i32)
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then
          (call $later (call $new (i32.const 1) (i32.const 2)))
          (return (i32.const 0))))
      (local.set $t (call $new (i32.const 0) (local.get $mode)))
      (if (i32.eq (local.get $mode) (i32.const 1))
        (then
          (call $ret (i32.const 1))
          (call $later (local.get $t))
          (return (i32.const 0))))
      ${
        switches
          ? `(if (i32.eq (local.get $mode) (i32.const 3))
        (then (drop (call $switch-to (local.get $t))) (call $ran (i32.const 98)) (return (i32.const 0))))
      (drop (call $yield-to (local.get $t)))
      (call $ran (i32.const 98))
      (i32.const 0)`
          : `(call $later (local.get $t))
      (i32.const 1)`
      })
    (func (export "cb") (param i32 i32 i32) (result i32) (call $ran (i32.const 99)) (i32.const 0))
    (func (export "ok") (result i32) (i32.const 7))
    (func (export "arm") (call $later (call $new (i32.const 0) (i32.const 4))))
    (func (export "poke") (result i32) (i32.const 1))
    (func (export "poke-cb") (param i32 i32 i32) (result i32) (call $ret (i32.const 5)) (i32.const 0)))
  (core instance $m (instantiate $M (with "" (instance
    (export "ran" (func $ran')) (export "new" (func $new)) (export "later" (func $later))
    (export "ret" (func $ret)) (export "t" (table $t))
    ${switches ? '(export "yield-to" (func $yield-to)) (export "switch-to" (func $switch-to))' : ''}))))
  (func (export "spawn") async (param "mode" u32) (result u32)
    (canon lift (core func $m "spawn") async (callback (core func $m "cb"))))
  (func (export "ok") (result u32) (canon lift (core func $m "ok")))
  (func (export "arm") (canon lift (core func $m "arm")))
  (func (export "poke") async (result u32) (canon lift (core func $m "poke") async (callback (core func $m "poke-cb"))))
)`;
}

describe('a trap in a thread.new-indirect thread', () => {
  for (const switches of [false, true]) {
    const how = switches ? 'thread.yield-then-resume' : 'thread.resume-later';
    it(`(${how}) rejects the export call that owns the task, poisons only that instance`, async () => {
      const ran: number[] = [];
      const inst: any = await instantiate(threads(switches), { ran: (n: number) => void ran.push(n) });
      const r = await within(
        outcome(() => inst.exports.spawn(0)),
        2000,
      );
      const err = (r as { err: unknown }).err;
      expect(err).toBeInstanceOf(Trap);
      expect((err as Error).message).toMatch(/unreachable/);
      // The thread ran and trapped; nothing of the task ran after it.
      expect(ran).toEqual([0]);
      expect(() => inst.exports.ok()).toThrow(Trap);
      const good: any = await instantiate(threads(switches), { ran: () => {} });
      expect(good.exports.ok()).toBe(7);
    });
  }

  it('(thread.suspend-then-resume) the same', async () => {
    const ran: number[] = [];
    const inst: any = await instantiate(threads(true), { ran: (n: number) => void ran.push(n) });
    const r = await within(
      outcome(() => inst.exports.spawn(3)),
      2000,
    );
    expect((r as { err: Error }).err).toBeInstanceOf(Trap);
    expect((r as { err: Error }).err.message).toMatch(/unreachable/);
    expect(ran).toEqual([3]);
    expect(() => inst.exports.ok()).toThrow(Trap);
  });

  for (const switches of [false, true]) {
    it(`after the export returned: the trap still poisons the instance${switches ? ' (JSPI)' : ''}`, async () => {
      const ran: number[] = [];
      const inst: any = await instantiate(threads(switches), { ran: (n: number) => void ran.push(n) });
      expect(await within(inst.exports.spawn(1), 2000)).toBe(1);
      // The thread left ready runs when the host next drives the store.
      await within(
        outcome(() => inst.exports.poke()),
        2000,
      );
      await new Promise((res) => setTimeout(res, 20));
      expect(ran).toEqual([1]);
      expect(() => inst.exports.ok()).toThrow(/poisoned/);
      const good: any = await instantiate(threads(switches), { ran: () => {} });
      expect(good.exports.ok()).toBe(7);
    });

    it(`a thread whose exit leaves the task without a result traps the export call${switches ? ' (JSPI)' : ''}`, async () => {
      const ran: number[] = [];
      const inst: any = await instantiate(threads(switches), { ran: (n: number) => void ran.push(n) });
      const r = await within(
        outcome(() => inst.exports.spawn(2)),
        2000,
      );
      expect((r as { err: Error }).err).toBeInstanceOf(Trap);
      expect((r as { err: Error }).err.message).toMatch(/failed to produce a result/);
      expect(ran).toEqual([2]);
      expect(() => inst.exports.ok()).toThrow(Trap);
      const good: any = await instantiate(threads(switches), { ran: () => {} });
      expect(good.exports.ok()).toBe(7);
    });
  }

  for (const switches of [false, true]) {
    it(`started by a sync export that returned: the trap poisons the instance${switches ? ' (JSPI)' : ''}`, async () => {
      const ran: number[] = [];
      const inst: any = await instantiate(threads(switches), { ran: (n: number) => void ran.push(n) });
      await inst.exports.arm();
      await within(
        outcome(() => inst.exports.poke()),
        2000,
      );
      await new Promise((res) => setTimeout(res, 20));
      expect(ran).toEqual([4]);
      expect(() => inst.exports.ok()).toThrow(/poisoned/);
      const good: any = await instantiate(threads(switches), { ran: () => {} });
      expect(good.exports.ok()).toBe(7);
    });
  }
});

// ---- a trap ends every task of its instance, not only its own ----

// `wait-then-log` waits on the host's Promise (its stack suspends), then logs
// what it got; `boom` traps. Both are sync-typed and sync-lifted.
const TWO_TASKS = `(component
  (import "wait" (func $wait (result u32)))
  (import "log" (func $log (param "n" u32)))
  (core func $wait' (canon lower (func $wait)))
  (core func $log' (canon lower (func $log)))
  (core module $M
    (import "" "wait" (func $wait (result i32)))
    (import "" "log" (func $log (param i32)))
    (func (export "wait-then-log") (result i32)
      (local $r i32)
      (local.set $r (call $wait))
      (call $log (local.get $r))
      (local.get $r))
    (func (export "boom") unreachable))
  (core instance $m (instantiate $M (with "" (instance (export "wait" (func $wait')) (export "log" (func $log'))))))
  (func (export "wait-then-log") (result u32) (canon lift (core func $m "wait-then-log")))
  (func (export "boom") (canon lift (core func $m "boom")))
)`;

describe('a trap poisons its instance', () => {
  it('a task of the instance suspended meanwhile never runs on: its call rejects with the trap', async () => {
    const logged: number[] = [];
    const host = deferred<number>();
    const inst: any = await instantiate(
      TWO_TASKS,
      { wait: () => host.promise, log: (n: number) => void logged.push(n) },
      { hostImportsMaySuspend: true },
    );
    const first = outcome(() => inst.exports['wait-then-log']());
    await new Promise((res) => setTimeout(res, 5));
    const boom = await outcome(() => inst.exports.boom());
    expect((boom as { err: Error }).err.message).toMatch(/unreachable/);
    host.resolve(3);
    const r = await within(first, 2000);
    expect((r as { err: Error }).err).toBeInstanceOf(Trap);
    expect((r as { err: Error }).err.message).toMatch(/unreachable/);
    expect(logged).toEqual([]);
  });
});
