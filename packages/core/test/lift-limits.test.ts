// maxLiftBytes (issue 9): what one lift may create on the host is bounded, aliases
// counted as lifted. A guest returning 2^20 lists that all point at one 8 MiB buffer
// (8 TiB once lifted) traps naming the limit, quickly, with the process's memory bounded;
// so does a guest-to-guest stream copy of such a value.
import { beforeAll, describe, expect, it } from 'vitest';
import { Component, Trap } from '../src/index.ts';
import { assemble } from './helpers/wat.ts';

const MiB = 1024 * 1024;
const DEFAULT = 2 ** 28;
const LIMIT = /lifted values exceed the limit of (\d+) bytes \(instantiate option maxLiftBytes\)/;

// Memory layout: the return area at 0, the shared buffer at BUF (up to 8 MiB), the list of
// (ptr, len) entries at OUT (up to 2^20 entries), a stream reader's destination at DST,
// realloc's bump heap from HEAP.
const BUF = 64 * 1024;
const OUT = 9 * MiB;
const DST = 18 * MiB;
const HEAP = 27 * MiB;
const PAGES = 29 * 16;

// bytes(n, len) -> list<list<u8>> and strings(n, len) -> list<string>: n entries, each the
//   same len bytes at BUF.
// produce(n, len) -> stream<list<u8>>: a new stream with those n entries written to it
//   (async, pending), its readable end returned.
const MEM = `(core module $Mem
    (memory (export "mem") ${PAGES})
    (global $heap (mut i32) (i32.const ${HEAP}))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))`;
const GUEST = `(component
  (type $S (stream (list u8)))
  ${MEM}
  (core module $M
    (import "" "mem" (memory ${PAGES}))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "new" (func $new (result i64)))
    (func $fill (param $n i32) (param $len i32)
      (local $i i32) (local $p i32)
      (local.set $p (i32.const ${OUT}))
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (local.get $p) (i32.const ${BUF}))
        (i32.store offset=4 (local.get $p) (local.get $len))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
    (func (export "get") (param $n i32) (param $len i32) (result i32)
      (call $fill (local.get $n) (local.get $len))
      (i32.store (i32.const 0) (i32.const ${OUT}))
      (i32.store (i32.const 4) (local.get $n))
      (i32.const 0))
    (func (export "produce") (param $n i32) (param $len i32) (result i32)
      (local $p i64)
      (call $fill (local.get $n) (local.get $len))
      (local.set $p (call $new))
      (if (i32.ne (call $write (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))) (i32.const ${OUT}) (local.get $n))
                  (i32.const -1))
        (then unreachable))
      (i32.wrap_i64 (local.get $p))))
  (canon stream.write $S async (memory (core memory $mem "mem")) (core func $write))
  (canon stream.new $S (core func $new))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "write" (func $write))
    (export "new" (func $new))))))
  (func (export "bytes") (param "n" u32) (param "len" u32) (result (list (list u8)))
    (canon lift (core func $m "get") (memory (core memory $mem "mem"))))
  (func (export "strings") (param "n" u32) (param "len" u32) (result (list string))
    (canon lift (core func $m "get") (memory (core memory $mem "mem"))))
  (func (export "produce") (param "n" u32) (param "len" u32) (result $S)
    (canon lift (core func $m "produce")))
)`;

// run(n, len) -> u32: calls the imported produce(n, len) (another instance's export: a
//   guest-to-guest stream) and reads n values into DST; returns the read's packed result.
const CONSUMER = `(component
  (type $S (stream (list u8)))
  (import "produce" (func $produce (param "n" u32) (param "len" u32) (result $S)))
  ${MEM}
  (core func $produce (canon lower (func $produce)))
  (canon stream.read $S async (memory (core memory $mem "mem")) (realloc (core func $mem "realloc")) (core func $read))
  (core module $M
    (import "" "produce" (func $produce (param i32 i32) (result i32)))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (func (export "run") (param $n i32) (param $len i32) (result i32)
      (call $read (call $produce (local.get $n) (local.get $len)) (i32.const ${DST}) (local.get $n))))
  (core instance $m (instantiate $M (with "" (instance
    (export "produce" (func $produce))
    (export "read" (func $read))))))
  (func (export "run") (param "n" u32) (param "len" u32) (result u32)
    (canon lift (core func $m "run")))
)`;

type Exports = {
  bytes(n: number, len: number): Uint8Array[];
  strings(n: number, len: number): string[];
  produce(n: number, len: number): unknown;
};

let component: Component;
let consumer: Component;
beforeAll(async () => {
  component = await Component.compile(await assemble(GUEST));
  consumer = await Component.compile(await assemble(CONSUMER));
});

/** A consumer linked to a fresh producer (whose lifts `maxLiftBytes` bounds). */
async function pair(maxLiftBytes?: number): Promise<{ producer: Exports; run(n: number, len: number): number }> {
  const producer = await instance(maxLiftBytes);
  const c = await consumer.instantiate({ produce: producer.produce });
  return { producer, run: c.exports.run as (n: number, len: number) => number };
}

async function instance(maxLiftBytes?: number): Promise<Exports> {
  const inst = await component.instantiate({}, maxLiftBytes === undefined ? {} : { maxLiftBytes });
  return inst.exports as Exports;
}

/**
 * Runs f, which must trap naming maxLiftBytes = limit, within 5 s and growing
 * the process by less than 512 MiB (its RSS before is the test runner's own,
 * whatever else ran in this worker).
 */
function expectLimitTrap(f: () => unknown, limit: number): void {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  expect(err).toBeInstanceOf(Trap);
  const m = LIMIT.exec((err as Trap).message);
  expect(m, (err as Trap).message).not.toBeNull();
  expect(Number(m![1])).toBe(limit);
  expect(ms).toBeLessThan(5000);
  expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * MiB);
}

describe('maxLiftBytes', () => {
  it('list<list<u8>>: 2^20 aliases of one 8 MiB buffer trap with the default limit; the instance is poisoned', async () => {
    const g = await instance();
    expectLimitTrap(() => g.bytes(2 ** 20, 8 * MiB), DEFAULT);
    expect(() => g.bytes(1, 1)).toThrow(Trap);
    expect(() => g.bytes(1, 1)).toThrow(LIMIT);
  });

  it('list<list<u8>>: a healthy instance of the same component lifts a small list', async () => {
    const g = await instance();
    const v = g.bytes(4, 16);
    expect(v).toHaveLength(4);
    for (const b of v) expect(b).toEqual(new Uint8Array(16));
    // 31 aliases of 8 MiB (248 MiB, plus the outer list's estimate) stay within 2^28.
    expect(g.bytes(31, 8 * MiB)).toHaveLength(31);
  });

  it('the budget is per lift: calls and copies that together pass the limit do not trap', async () => {
    const g = await instance(64 * 1024);
    for (let i = 0; i < 20; i++) {
      expect(g.bytes(4, 8 * 1024)).toHaveLength(4);
      expect(g.strings(4, 8 * 1024)).toHaveLength(4);
    }
    const p = await pair(64 * 1024);
    for (let i = 0; i < 20; i++) expect(p.run(4, 8 * 1024)).toBe(4 << 4);
  });

  it('list<list<u8>>: a lower maxLiftBytes trips on a smaller list', async () => {
    const g = await instance(64 * 1024);
    expect(g.bytes(4, 8 * 1024)).toHaveLength(4);
    expectLimitTrap(() => g.bytes(8, 8 * 1024), 64 * 1024);
  });

  it('list<string>: 2^20 aliases of one 8 MiB string trap with the default limit', async () => {
    const g = await instance();
    expectLimitTrap(() => g.strings(2 ** 20, 8 * MiB), DEFAULT);
    expect(() => g.strings(1, 1)).toThrow(LIMIT);
    const h = await instance();
    expect(h.strings(3, 5)).toEqual(['\0'.repeat(5), '\0'.repeat(5), '\0'.repeat(5)]);
  });

  it('list<string>: a lower maxLiftBytes trips on a smaller list', async () => {
    const g = await instance(64 * 1024);
    expect(g.strings(4, 8 * 1024)).toHaveLength(4);
    expectLimitTrap(() => g.strings(8, 8 * 1024), 64 * 1024);
  });

  it('a guest-to-guest stream<list<u8>> copy of 2^20 aliases traps naming the limit', async () => {
    const g = await pair();
    // The copy runs in the reader's stream.read: its instance traps.
    expectLimitTrap(() => g.run(2 ** 20, 8 * MiB), DEFAULT);
    expect(() => g.run(1, 1)).toThrow(LIMIT);
    // A small copy between healthy instances: COMPLETED with 4 copied.
    const h = await pair();
    expect(h.run(4, 16)).toBe(4 << 4);
  });

  it("the writer's maxLiftBytes bounds one guest-to-guest copy", async () => {
    const g = await pair(64 * 1024);
    expect(g.run(4, 8 * 1024)).toBe(4 << 4);
    expectLimitTrap(() => g.run(8, 8 * 1024), 64 * 1024);
  });

  it('rejects a bad maxLiftBytes', async () => {
    await expect(component.instantiate({}, { maxLiftBytes: -1 })).rejects.toThrow(RangeError);
    await expect(component.instantiate({}, { maxLiftBytes: 1.5 })).rejects.toThrow(/maxLiftBytes/);
  });
});
