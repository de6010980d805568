// The host's call of an async callback-ABI lift of plain values, compiled (canon/async-lift-codegen.ts)
// against the closures (`codegen: false`): the same results, errors and traps, the callback's YIELD
// and WAIT taken over by the closures' loop, and the compiled code stepping aside whenever something
// holds the instance back. The compiled function declares its parameters (length 2 for `add`); the
// closure takes rest arguments (length 0), which tells the paths apart.
import { describe, expect, it } from 'vitest';
import { recordCompiledLifts, Trap } from '../src/index.ts';
import { compile } from './helpers/wat.ts';

const GUEST = `(component
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $ret (canon task.return (result u32)))
  (core func $ws.new (canon waitable-set.new))
  (core func $bp.inc (canon backpressure.inc))
  (core func $bp.dec (canon backpressure.dec))
  (core module $M
    (import "" "ret" (func $ret (param i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "bp.inc" (func $bp.inc))
    (import "" "bp.dec" (func $bp.dec))
    (global $n (mut i32) (i32.const 0))
    ;; add: task.return at once, then EXIT
    (func (export "add") (param i32 i32) (result i32)
      (call $ret (i32.add (local.get 0) (local.get 1))) (i32.const 0))
    ;; later: YIELD first; on the next event task.return(a * 2) and EXIT
    (func (export "later") (param i32) (result i32) (global.set $n (local.get 0)) (i32.const 1))
    (func (export "later-cb") (param i32 i32 i32) (result i32)
      (call $ret (i32.mul (global.get $n) (i32.const 2))) (i32.const 0))
    ;; boom: traps
    (func (export "boom") (param i32) (result i32) unreachable)
    ;; silent: EXIT without task.return
    (func (export "silent") (param i32) (result i32) (i32.const 0))
    ;; bad-code: an unknown callback code
    (func (export "bad-code") (param i32) (result i32) (i32.const 7))
    ;; hold: backpressure on, YIELD; the next event turns it off and returns 1
    (func (export "hold") (param i32) (result i32) (call $bp.inc) (i32.const 1))
    (func (export "hold-cb") (param i32 i32 i32) (result i32) (call $bp.dec) (call $ret (i32.const 1)) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
  )
  (core instance $m (instantiate $M (with "" (instance
    (export "ret" (func $ret)) (export "ws.new" (func $ws.new))
    (export "bp.inc" (func $bp.inc)) (export "bp.dec" (func $bp.dec))))))
  (func (export "add") async (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "add") async (callback (core func $m "cb"))))
  (func (export "later") async (param "a" u32) (result u32)
    (canon lift (core func $m "later") async (callback (core func $m "later-cb"))))
  (func (export "boom") async (param "a" u32) (result u32)
    (canon lift (core func $m "boom") async (callback (core func $m "cb"))))
  (func (export "silent") async (param "a" u32) (result u32)
    (canon lift (core func $m "silent") async (callback (core func $m "cb"))))
  (func (export "bad-code") async (param "a" u32) (result u32)
    (canon lift (core func $m "bad-code") async (callback (core func $m "cb"))))
  (func (export "hold") async (param "a" u32) (result u32)
    (canon lift (core func $m "hold") async (callback (core func $m "hold-cb"))))
)`;

type Exports = Record<string, (...a: unknown[]) => Promise<unknown>>;

async function both(): Promise<{ compiled: Exports; closures: Exports }> {
  const c = await compile(GUEST);
  const compiled = (await c.instantiate({})).exports as Exports;
  const closures = (await c.instantiate({}, { codegen: false })).exports as Exports;
  return { compiled, closures };
}

async function settled(p: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p() };
  } catch (e) {
    return { err: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe('async callback lift code generation (host calls)', () => {
  it('compiles the host call of plain values (and keeps the closures with codegen: false)', async () => {
    const { compiled, closures } = await both();
    expect(compiled.add!.length).toBe(2);
    expect(closures.add!.length).toBe(0);
    expect(await compiled.add!(20, 22)).toBe(42);
    expect(await closures.add!(20, 22)).toBe(42);
    expect(await compiled.add!(0xffff_ffff, 1)).toBe(0);
  });

  it('gives the same results and errors as the closures, and keeps the instance usable after a bad argument', async () => {
    const { compiled, closures } = await both();
    for (const args of [
      [1, 2],
      [-1, 0],
      [2 ** 32, 0],
      ['1', 2],
      [1.5, 0],
      [0, undefined],
    ]) {
      const a = await settled(() => compiled.add!(...args));
      const b = await settled(() => closures.add!(...args));
      expect(a).toEqual(b);
    }
    expect(await compiled.add!(3, 4)).toBe(7);
  });

  it('hands a YIELD to the closures’ loop, and calls made meanwhile still run', async () => {
    const { compiled, closures } = await both();
    for (const e of [compiled, closures]) {
      const pending = e.later!(21);
      // The instance's exclusive thread is released by the YIELD: add runs at once.
      expect(await e.add!(1, 2)).toBe(3);
      expect(await pending).toBe(42);
    }
  });

  it('steps aside while backpressure holds the instance back, and the held call runs once it is lifted', async () => {
    const { compiled } = await both();
    const held = compiled.hold!(0);
    const queued = compiled.add!(5, 6);
    expect(await held).toBe(1);
    expect(await queued).toBe(11);
    expect(await compiled.add!(1, 1)).toBe(2);
  });

  it('traps as the closures do, poisoning the instance', async () => {
    for (const name of ['boom', 'silent', 'bad-code']) {
      const { compiled, closures } = await both();
      const a = await settled(() => compiled[name]!(1));
      const b = await settled(() => closures[name]!(1));
      expect(a).toEqual(b);
      expect((a as { err: string }).err).toBe(Trap.name);
      const after = await settled(() => compiled.add!(1, 2));
      expect(after).toEqual(await settled(() => closures.add!(1, 2)));
      expect((after as { message: string }).message).toMatch(/poisoned/);
    }
  });

  it('records the compiled host call for a bundler under its shape', async () => {
    const c = await compile(GUEST);
    const recording = recordCompiledLifts();
    await c.instantiate({});
    const shapes = [...recording.stop().keys()];
    expect(shapes).toContain('u32,u32>u32+callback');
    expect(shapes).toContain('u32>u32+callback');
  });
});
