import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_JSPI, setJspiEnabled, stream, type StreamReader } from '../src/async/index.ts';
import { instantiate } from './helpers/wat.ts';

// A callback-ABI export `run: async func(x: u32) -> u32` that calls the host's
// async `get: async func() -> u32` with the async ABI, waits for the subtask
// in a waitable set, and returns x + the host's value.
const CALLBACK = `(component
  (import "get" (func $get async (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "task.return" (func $task.return (param i32)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (import "" "context.get" (func $context.get (result i32)))
    (import "" "context.set" (func $context.set (param i32)))
    (func (export "run") (param i32) (result i32)
      (local $r i32) (local $ws i32)
      (call $context.set (local.get 0))
      (local.set $r (call $get (i32.add (i32.const 16) (i32.shl (local.get 0) (i32.const 2)))))
      (if (i32.eq (i32.and (local.get $r) (i32.const 0xf)) (i32.const 2))
        (then
          (call $task.return (i32.add (call $context.get) (i32.load (i32.add (i32.const 16) (i32.shl (local.get 0) (i32.const 2))))))
          (return (i32.const 0))))
      (local.set $ws (call $ws.new))
      (call $join (i32.shr_u (local.get $r) (i32.const 4)) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "cb") (param $code i32) (param $i i32) (param $p i32) (result i32)
      (if (i32.ne (local.get $code) (i32.const 1)) (then unreachable))
      (if (i32.ne (local.get $p) (i32.const 2)) (then unreachable))
      (call $subtask.drop (local.get $i))
      (call $task.return (i32.add (call $context.get) (i32.load (i32.add (i32.const 16) (i32.shl (call $context.get) (i32.const 2))))))
      (i32.const 0))
  )
  (canon lower (func $get) async (memory (core memory $mem "mem")) (core func $get'))
  (canon task.return (result u32) (core func $task.return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable.join (core func $join))
  (canon subtask.drop (core func $subtask.drop))
  (canon context.get i32 0 (core func $context.get))
  (canon context.set i32 0 (core func $context.set))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "get" (func $get'))
    (export "task.return" (func $task.return))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable.join" (func $join))
    (export "subtask.drop" (func $subtask.drop))
    (export "context.get" (func $context.get))
    (export "context.set" (func $context.set))))))
  (func (export "run") async (param "x" u32) (result u32)
    (canon lift (core func $m "run") async (callback (core func $m "cb"))))
)`;

// `sum: async func(s: stream<u8>) -> u32`: reads the stream to its end
// (async reads, waiting in a waitable set) and returns the byte sum.
const STREAM_SUM = `(component
  (type $S (stream u8))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "task.return" (func $task.return (param i32)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (global $s (mut i32) (i32.const 0))
    (global $ws (mut i32) (i32.const 0))
    (global $sum (mut i32) (i32.const 0))
    (func $add (param $n i32)
      (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $sum (i32.add (global.get $sum) (i32.load8_u (i32.add (i32.const 100) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
    ;; read until BLOCKED or DROPPED; returns the callback code
    (func $pump (result i32)
      (local $r i32)
      (loop $l
        (local.set $r (call $read (global.get $s) (i32.const 100) (i32.const 7)))
        (if (i32.eq (local.get $r) (i32.const -1))
          (then (return (i32.or (i32.const 2) (i32.shl (global.get $ws) (i32.const 4))))))
        (call $add (i32.shr_u (local.get $r) (i32.const 4)))
        (if (i32.eq (i32.and (local.get $r) (i32.const 0xf)) (i32.const 1))
          (then
            (call $join (global.get $s) (i32.const 0))
            (call $drop (global.get $s))
            (call $task.return (global.get $sum))
            (return (i32.const 0))))
        (br $l))
      unreachable)
    (func (export "sum") (param i32) (result i32)
      (global.set $s (local.get 0))
      (global.set $ws (call $ws.new))
      (call $join (global.get $s) (global.get $ws))
      (call $pump))
    (func (export "cb") (param $code i32) (param $i i32) (param $p i32) (result i32)
      (if (i32.ne (local.get $code) (i32.const 2)) (then unreachable))
      (call $add (i32.shr_u (local.get $p) (i32.const 4)))
      (if (i32.eq (i32.and (local.get $p) (i32.const 0xf)) (i32.const 1))
        (then
          (call $join (global.get $s) (i32.const 0))
          (call $drop (global.get $s))
          (call $task.return (global.get $sum))
          (return (i32.const 0))))
      (call $pump))
  )
  (canon stream.read $S async (memory (core memory $mem "mem")) (core func $read))
  (canon stream.drop-readable $S (core func $drop))
  (canon task.return (result u32) (core func $task.return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable.join (core func $join))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "read" (func $read))
    (export "drop" (func $drop))
    (export "task.return" (func $task.return))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable.join" (func $join))))))
  (func (export "sum") async (param "s" $S) (result u32)
    (canon lift (core func $m "sum") async (callback (core func $m "cb"))))
)`;

describe('async: callback ABI', () => {
  it('returns synchronously-resolved values through a Promise', async () => {
    const inst = await instantiate(CALLBACK, { get: () => 5 });
    await expect(inst.exports.run(10)).resolves.toBe(15);
  });

  it('waits for a host Promise via a subtask event', async () => {
    const inst = await instantiate(CALLBACK, { get: () => new Promise((r) => setTimeout(() => r(7), 5)) });
    await expect(inst.exports.run(1)).resolves.toBe(8);
    await expect(inst.exports.run(2)).resolves.toBe(9);
  });

  it('runs concurrent calls', async () => {
    let n = 0;
    const inst = await instantiate(CALLBACK, { get: () => new Promise((r) => setTimeout(() => r(++n * 100), 2)) });
    const rs = await Promise.all([inst.exports.run(1), inst.exports.run(2), inst.exports.run(3)]);
    expect(rs.sort()).toEqual([101, 202, 303].sort());
  });

  it('traps on a bad callback code', async () => {
    const bad = CALLBACK.replace('(i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4)))', '(i32.const 7)');
    const inst = await instantiate(bad, { get: () => new Promise(() => {}) });
    await expect(inst.exports.run(1)).rejects.toThrow('unsupported callback code');
  });
});

describe('async: streams from the host', () => {
  it('reads a stream<u8> fed by an async generator', async () => {
    const inst = await instantiate(STREAM_SUM);
    async function* gen() {
      yield new Uint8Array([1, 2, 3]);
      await new Promise((r) => setTimeout(r, 2));
      yield new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80]);
    }
    await expect(inst.exports.sum(gen())).resolves.toBe(366);
  });

  it('reads a host stream() pair with backpressure', async () => {
    const inst = await instantiate(STREAM_SUM);
    const [w, r] = stream<number>();
    const p = inst.exports.sum(r);
    expect(await w.write(new Uint8Array([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]))).toBe(10);
    expect(await w.write([1])).toBe(1);
    w.close();
    await expect(p).resolves.toBe(51);
  });

  it('reads an Iterable and an empty stream', async () => {
    const inst = await instantiate(STREAM_SUM);
    await expect(inst.exports.sum([Uint8Array.of(9), Uint8Array.of(1)])).resolves.toBe(10);
    const fresh = await instantiate(STREAM_SUM);
    await expect(fresh.exports.sum([])).resolves.toBe(0);
  });

  it('exposes StreamReader as an AsyncIterable', async () => {
    const [w, r] = stream<number>({ kind: 'u8' });
    void (async () => {
      await w.write(Uint8Array.of(1, 2));
      await w.write(Uint8Array.of(3));
      w.close();
    })();
    const chunks: number[] = [];
    for await (const c of r as StreamReader<number>) chunks.push(...(c as Uint8Array));
    expect(chunks).toEqual([1, 2, 3]);
  });
});

// Callback-ABI components never need to suspend a wasm stack, so they must run
// on engines without JSPI. Instances linked while JSPI is switched off are
// built exactly as on such an engine.
describe('async: callback ABI without JSPI', () => {
  const had = HAS_JSPI;
  beforeAll(() => setJspiEnabled(false));
  afterAll(() => setJspiEnabled(had));

  it('runs callback-ABI calls and host subtasks', async () => {
    expect(HAS_JSPI).toBe(false);
    const inst = await instantiate(CALLBACK, { get: () => Promise.resolve(7) });
    await expect(inst.exports.run(1)).resolves.toBe(8);
    const eager = await instantiate(CALLBACK, { get: () => 5 });
    await expect(eager.exports.run(10)).resolves.toBe(15);
  });

  it('reads host streams', async () => {
    const inst = await instantiate(STREAM_SUM);
    async function* gen() {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array([4]);
    }
    await expect(inst.exports.sum(gen())).resolves.toBe(10);
  });
});

// A sync-typed export in an instance that has a blocking built-in: it returns
// its value directly unless the call really blocks.
const SYNC_IN_BLOCKING = `(component
  (import "slow" (func $slow async (result u32)))
  (core module $M
    (import "" "slow" (func $slow (result i32)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable-set.wait" (func $ws.wait (param i32 i32) (result i32)))
    (memory (export "mem") 1)
    (func (export "fast") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "blocking") (result i32) (i32.add (call $slow) (i32.const 100)))
    (func (export "boom") (result i32) unreachable))
  (canon lower (func $slow) (core func $slow'))
  (canon waitable-set.new (core func $ws.new))
  (core instance $m0 (instantiate $M (with "" (instance
    (export "slow" (func $slow'))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable-set.wait" (func $ws.wait))))))
  (func (export "fast") (param "x" u32) (result u32) (canon lift (core func $m0 "fast")))
  (func (export "blocking") (result u32) (canon lift (core func $m0 "blocking")))
)`;

describe('async: sync-typed exports of instances that can block', () => {
  const text = SYNC_IN_BLOCKING.replace(
    '(canon waitable-set.new (core func $ws.new))',
    '(canon waitable-set.new (core func $ws.new))\n  (core module $Mem (memory (export "mem") 1))\n  (core instance $mem (instantiate $Mem))\n  (canon waitable-set.wait (memory (core memory $mem "mem")) (core func $ws.wait))',
  );

  it('return plain values when the call does not block', async () => {
    const inst = await instantiate(text, { slow: () => 1 });
    expect(inst.exports.fast(41)).toBe(42);
    // The async-typed import completed eagerly: no suspension, plain value.
    expect(inst.exports.blocking()).toBe(101);
  });

  it.runIf(HAS_JSPI)('return a Promise when the call blocks', async () => {
    const inst = await instantiate(text, { slow: () => Promise.resolve(5) });
    const r = inst.exports.blocking();
    expect(r).toBeInstanceOf(Promise);
    await expect(r).resolves.toBe(105);
    expect(inst.exports.fast(1)).toBe(2);
  });
});
