import { describe, expect, it } from 'vitest';
import { canonLift } from '../src/canon/lift.ts';
import { canonLower } from '../src/canon/lower.ts';
import { fromHostImport, toHostExport } from '../src/link/host-convention.ts';
import type { CanonOptions } from '../src/abi/options.ts';
import { ComponentError, Trap } from '../src/host/errors.ts';
import { ComponentInstance } from '../src/runtime/component-instance.ts';
import type { FuncType, ValType } from '../src/types/model.ts';
import { PRIMS as P } from '../src/types/model.ts';
import { coreInstance } from './abi-helpers.ts';

const fn = (params: ValType[], result?: ValType): FuncType => ({
  kind: 'func',
  async: false,
  params: params.map((type, i) => ({ label: `p${i}`, type })),
  result,
});

// A guest with a bump realloc, a few exports, and imports for canon lower tests.
const GUEST = `
  (import "" "greet" (func $greet (param i32 i32 i32)))
  (import "" "sum17" (func $sum17 (param i32) (result i32)))
  (import "" "ping" (func $ping (result i32)))
  (memory (export "mem") 1)
  (global $next (mut i32) (i32.const 4096))
  (global $post (mut i32) (i32.const 0))
  (func $realloc (export "realloc") (param $old i32) (param $osz i32) (param $al i32) (param $nsz i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $al) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $al))))
    (global.set $next (i32.add (local.get $p) (local.get $nsz)))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $osz))))
    (local.get $p))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "strlen") (param i32 i32) (result i32) (local.get 1))
  (func (export "sum") (param $p i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eq (local.get $i) (i32.const 17)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "pair") (param $at i32) (result i32)
    (i32.store (i32.const 8) (i32.const 7))
    (i32.store (i32.const 12) (i32.const 9))
    (local.get $at))
  (func (export "post") (param i32) (global.set $post (local.get 0)))
  (func (export "post-calls-out") (param i32) (drop (call $ping)))
  (func (export "last-post") (result i32) (global.get $post))
  (func (export "run-greet") (param i32 i32) (result i32)
    (call $greet (local.get 0) (local.get 1) (i32.const 256))
    (i32.const 256))
  (func (export "run-sum17") (result i32)
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.eq (local.get $i) (i32.const 17)))
      (i32.store (i32.add (i32.const 512) (i32.shl (local.get $i) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (call $sum17 (i32.const 512)))
  (func (export "run-ping") (result i32) (call $ping))
  (func (export "boom") unreachable)
`;

interface Host {
  greet: (s: string) => unknown;
  sum17: (...xs: number[]) => unknown;
  ping: () => unknown;
}

async function guest(host: Partial<Host> = {}, label = 'guest') {
  const inst = new ComponentInstance(label);
  const imports: Record<string, Function> = {
    greet: () => {
      throw new Error('unset');
    },
    sum17: () => 0,
    ping: () => 0,
  };
  const box: { opts?: CanonOptions } = {};
  const lazy =
    (name: string) =>
    (...a: unknown[]) =>
      imports[name]!(...a);
  const core = await coreInstance(GUEST, { '': { greet: lazy('greet'), sum17: lazy('sum17'), ping: lazy('ping') } });
  const ex = core.exports as Record<string, any>;
  const opts: CanonOptions = { instance: inst, stringEncoding: 'utf8', memory: ex.mem, realloc: ex.realloc };
  box.opts = opts;
  const u32s = Array(17).fill(P.u32);
  imports.greet = canonLower(
    fn([P.string], P.string),
    opts,
    fromHostImport(fn([P.string], P.string), host.greet ?? ((s) => `hello ${s}`)),
  );
  imports.sum17 = canonLower(
    fn(u32s, P.u32),
    opts,
    fromHostImport(fn(u32s, P.u32), host.sum17 ?? ((...xs) => xs.reduce((a, b) => a + b, 0))),
  );
  imports.ping = canonLower(fn([], P.u32), opts, fromHostImport(fn([], P.u32), host.ping ?? (() => 1)));
  return { inst, ex, opts };
}

describe('canon lift', () => {
  it('calls with flat params and results', async () => {
    const { ex, opts } = await guest();
    const add = canonLift(fn([P.u32, P.u32], P.u32), opts, ex.add);
    expect(add(2, 3)).toBe(5);
    expect(add(0xffff_ffff, 2)).toBe(1);
    const strlen = canonLift(fn([P.string], P.u32), opts, ex.strlen);
    expect(strlen('héllo')).toBe(6);
  });

  it('spills more than 16 flat params to memory via realloc', async () => {
    const { ex, opts } = await guest();
    const sum = canonLift(fn(Array(17).fill(P.u32), P.u32), opts, ex.sum);
    expect(sum(...Array.from({ length: 17 }, (_, i) => i + 1))).toBe(153);
  });

  it('lifts a spilled result from the returned pointer, with alignment check', async () => {
    const { ex, opts, inst } = await guest();
    const pair = canonLift(fn([P.u32], { kind: 'tuple', types: [P.u32, P.u32] }), opts, ex.pair);
    expect(pair(8)).toEqual([7, 9]);
    expect(() => pair(9)).toThrow('unaligned pointer');
    expect(inst.poisoned).toBeInstanceOf(Trap);
    expect(() => pair(8)).toThrow('cannot enter component instance');
  });

  it('runs post-return with the flat results, and traps if it calls out', async () => {
    const { ex, opts } = await guest();
    const add = canonLift(fn([P.u32, P.u32], P.u32), { ...opts, postReturn: ex.post }, ex.add);
    expect(add(40, 2)).toBe(42);
    expect(ex['last-post']()).toBe(42);
    const bad = canonLift(fn([P.u32, P.u32], P.u32), { ...opts, postReturn: ex['post-calls-out'] }, ex.add);
    expect(() => bad(1, 1)).toThrow('cannot leave component instance');
  });

  it('maps core wasm traps to wasmtime wording and poisons the instance', async () => {
    const { ex, opts, inst } = await guest();
    const boom = canonLift(fn([]), opts, ex.boom);
    expect(() => boom()).toThrow('wasm trap: wasm `unreachable` instruction executed');
    expect(inst.poisoned).toBeDefined();
    expect(() => boom()).toThrow('cannot enter component instance');
  });

  it('does not poison on a bad host argument', async () => {
    const { ex, opts, inst } = await guest();
    const add = canonLift(fn([P.u32, P.u32], P.u32), opts, ex.add);
    expect(() => add(-1, 2)).toThrow(/u32/);
    expect(inst.poisoned).toBeUndefined();
    expect(add(1, 2)).toBe(3);
  });
});

describe('canon lower', () => {
  it('lifts args from memory and lowers a string result into the retptr', async () => {
    const { ex, opts } = await guest();
    const run = canonLift(fn([P.string], P.string), opts, ex['run-greet']);
    expect(run('wörld')).toBe('hello wörld');
  });

  it('lifts spilled params from the params pointer', async () => {
    let seen: number[] = [];
    const { ex, opts } = await guest({
      sum17: (...xs) => {
        seen = xs;
        return 99;
      },
    });
    const run = canonLift(fn([], P.u32), opts, ex['run-sum17']);
    expect(run()).toBe(99);
    expect(seen).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
  });

  it('traps when a host import returns a Promise', async () => {
    const { ex, opts } = await guest({ ping: () => Promise.resolve(1) });
    const run = canonLift(fn([], P.u32), opts, ex['run-ping']);
    expect(() => run()).toThrow(/cannot wait/);
  });

  it('a host error traps and poisons; a bad host result traps', async () => {
    const g = await guest({
      ping: () => {
        throw new Error('host failed');
      },
    });
    const run = canonLift(fn([], P.u32), g.opts, g.ex['run-ping']);
    expect(() => run()).toThrow(/host failed/);
    expect(g.inst.poisoned).toBeDefined();
    const g2 = await guest({ ping: () => 'nope' });
    const run2 = canonLift(fn([], P.u32), g2.opts, g2.ex['run-ping']);
    expect(() => run2()).toThrow(/invalid value/);
    expect(g2.inst.poisoned).toBeDefined();
  });

  it('traps on reentrance from the host', async () => {
    let run: (() => unknown) | undefined;
    const g = await guest({ ping: () => run!() });
    run = canonLift(fn([], P.u32), g.opts, g.ex['run-ping']);
    expect(() => run!()).toThrow('cannot enter component instance');
  });

  it('guest-to-guest: strings cross with adapter-style trap wording', async () => {
    const a = await guest({}, 'a');
    const b = await guest({}, 'b');
    const strlen = canonLift(fn([P.string], P.u32), a.opts, a.ex.strlen);
    const lowered = canonLower(fn([P.string], P.u32), b.opts, strlen) as (p: number, l: number) => number;
    new Uint8Array(b.ex.mem.buffer).set([0x61, 0xc3, 0xa9], 100);
    // lowered as called by b's own export, so b is entered
    const viaB = canonLift(fn([], P.u32), b.opts, () => lowered(100, 3));
    expect(viaB()).toBe(3);
    const oob = canonLift(fn([], P.u32), b.opts, () => lowered(65535, 2));
    expect(() => oob()).toThrow('string content out-of-bounds');
  });

  it('mayLeave is checked before calling out', async () => {
    const { ex, opts, inst } = await guest();
    const lowered = canonLower(fn([], P.u32), opts, () => 1);
    inst.mayLeave = false;
    expect(() => lowered()).toThrow('cannot leave component instance');
    inst.mayLeave = true;
    expect(lowered()).toBe(1);
    void ex;
  });
});

describe('host conventions', () => {
  const ft = fn([P.u32], { kind: 'result', ok: P.string, err: P.u32 });
  it('toHostExport unwraps ok and throws ComponentError for err', () => {
    const f = toHostExport(ft, (x: number) => (x ? { tag: 'ok', val: 'yes' } : { tag: 'err', val: 7 }));
    expect(f(1)).toBe('yes');
    try {
      f(0);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ComponentError);
      expect((e as ComponentError).payload).toBe(7);
    }
  });
  it('fromHostImport wraps returns and throws', () => {
    const f = fromHostImport(ft, (x: number) => {
      if (x === 0) throw new ComponentError(5);
      if (x === 1) throw 'plain-payload';
      if (x === 2) throw new Error('real failure');
      return 'ok!';
    });
    expect(f(3)).toEqual({ tag: 'ok', val: 'ok!' });
    expect(f(0)).toEqual({ tag: 'err', val: 5 });
    expect(f(1)).toEqual({ tag: 'err', val: 'plain-payload' });
    expect(() => f(2)).toThrow('real failure');
  });
});
