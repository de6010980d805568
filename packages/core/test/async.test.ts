import { describe, expect, it } from 'vitest';
import { HAS_JSPI, stream, type StreamReader } from '../src/index.ts';
import { CALLBACK, STREAM_SUM } from './helpers/guests.ts';
import { instantiate } from './helpers/wat.ts';

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
    const { writer: w, reader: r } = stream<number>();
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
    const { writer: w, reader: r } = stream<number>({ kind: 'u8' });
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
// on engines without JSPI. Instances made with { jspi: false } are built
// exactly as on such an engine.
describe('async: callback ABI without JSPI', () => {
  const noJspi = { jspi: false };

  it('runs callback-ABI calls and host subtasks', async () => {
    const inst = await instantiate(CALLBACK, { get: () => Promise.resolve(7) }, noJspi);
    await expect(inst.exports.run(1)).resolves.toBe(8);
    const eager = await instantiate(CALLBACK, { get: () => 5 }, noJspi);
    await expect(eager.exports.run(10)).resolves.toBe(15);
  });

  it('reads host streams', async () => {
    const inst = await instantiate(STREAM_SUM, {}, noJspi);
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
