// Bad guests cannot hurt the host: huge copy lengths, handles leaked in a loop, and traps
// in the middle of a copy leave the host running, its memory bounded, and the other end
// of the stream with the spec's result (never a hang).
import { describe, expect, it } from 'vitest';
import { Trap } from '../src/index.ts';
import { instantiate } from './helpers/wat.ts';
import { within } from './helpers/within.ts';

const MiB = 1024 * 1024;
const BIG = 2 ** 28; // one more than Buffer.MAX_LENGTH
const MAX = 2 ** 28 - 1;

function rss(): number {
  return process.memoryUsage().rss;
}

// `copy(n: u32) -> u32` on a stream of element type $T: stream.read or stream.write of n
// elements at address 0 (sync canon, the handle comes in as the parameter), returns the
// packed result. One page of memory.
function copyGuest(elem: string, op: 'read' | 'write', param: 'stream' | 'new'): string {
  const T = elem === '' ? '(stream)' : `(stream ${elem})`;
  const body =
    param === 'stream'
      ? `(func (export "copy") (param $s i32) (param $n i32) (result i32)
           (call $op (local.get $s) (i32.const 0) (local.get $n)))`
      : // An intra-component copy: write n (async, blocks), then read n from the other end.
        `(func (export "copy") (param $n i32) (result i32)
           (local $p i64) (local $r i32)
           (local.set $p (call $new))
           (local.set $r (call $write (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))) (i32.const 0) (local.get $n)))
           (if (i32.ne (local.get $r) (i32.const -1)) (then unreachable))
           (call $read (i32.wrap_i64 (local.get $p)) (i32.const 0) (local.get $n)))`;
  const sig =
    param === 'stream'
      ? `(func (export "copy") (param "s" $T) (param "n" u32) (result u32) (canon lift (core func $m "copy")))`
      : `(func (export "copy") (param "n" u32) (result u32) (canon lift (core func $m "copy")))`;
  return `(component
    (type $T ${T})
    (core module $Mem (memory (export "mem") 1))
    (core instance $mem (instantiate $Mem))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "op" (func $op (param i32 i32 i32) (result i32)))
      (import "" "read" (func $read (param i32 i32 i32) (result i32)))
      (import "" "write" (func $write (param i32 i32 i32) (result i32)))
      (import "" "new" (func $new (result i64)))
      ${body})
    (canon stream.${op} $T async (memory (core memory $mem "mem")) (core func $op))
    (canon stream.read $T async (memory (core memory $mem "mem")) (core func $read))
    (canon stream.write $T async (memory (core memory $mem "mem")) (core func $write))
    (canon stream.new $T (core func $new))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $mem "mem"))
      (export "op" (func $op))
      (export "read" (func $read))
      (export "write" (func $write))
      (export "new" (func $new))))))
    ${sig}
  )`;
}

describe('a guest asking to copy 2^28 elements', () => {
  it('stream.read of 2^28 bytes traps (Buffer.MAX_LENGTH), the host stays up', async () => {
    const inst = await instantiate(copyGuest('u8', 'read', 'stream'));
    expect(() => inst.exports.copy([Uint8Array.of(1)], BIG)).toThrow(Trap);
    expect(() => inst.exports.copy([Uint8Array.of(1)], BIG)).toThrow(/poisoned|trap/i);
  });

  it('stream.read of 2^28 - 1 u32 past the end of memory traps', async () => {
    const inst = await instantiate(copyGuest('u32', 'read', 'stream'));
    expect(() => inst.exports.copy([1, 2, 3], MAX)).toThrow(/out of bounds/);
  });

  it('stream.read of 2^28 - 1 unit elements from the host copies only what the host has', async () => {
    const inst = await instantiate(copyGuest('', 'read', 'stream'));
    const before = rss();
    // Three values are all the host offers: the read completes with 3.
    expect(inst.exports.copy([undefined, undefined, undefined], MAX)).toBe(3 << 4);
    expect(rss() - before).toBeLessThan(64 * MiB);
  });

  it('an intra-component copy of 2^28 - 1 unit elements does not materialise them', async () => {
    const inst = await instantiate(copyGuest('', 'read', 'new'));
    const before = rss();
    const t0 = performance.now();
    // COMPLETED with progress 2^28 - 1: (MAX << 4) as u32.
    expect(inst.exports.copy(MAX)).toBe((MAX * 16) >>> 0);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rss() - before).toBeLessThan(64 * MiB);
  });
});

// leak-streams / leak-sets (sync): n × stream.new or waitable-set.new, never dropped.
// produce: async func(n: u32) -> stream<u8>: returns a stream, writes n bytes in one async
//   write, and traps (unreachable) in the callback that reports the first copy.
// trap-when: async func(f: future<u32>) -> stream<u8>: returns a stream it never writes,
//   waits for f, and traps when f's value arrives (the host's read is pending then).
const BAD = `(component
  (type $S (stream u8))
  (type $F (future u32))
  (core module $Mem (memory (export "mem") 2))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 2))
    (import "" "s.new" (func $s.new (result i64)))
    (import "" "f.read" (func $f.read (param i32 i32) (result i32)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "ret-s" (func $ret-s (param i32)))
    (func (export "leak-streams") (param $n i32) (result i32)
      (local $r i32)
      (block $d (loop $l
        (br_if $d (i32.eqz (local.get $n)))
        (local.set $r (i32.wrap_i64 (call $s.new)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $r))
    (func (export "leak-sets") (param $n i32) (result i32)
      (local $r i32)
      (block $d (loop $l
        (br_if $d (i32.eqz (local.get $n)))
        (local.set $r (call $ws.new))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $r))
    (func (export "produce") (param $n i32) (result i32)
      (local $p i64) (local $w i32) (local $ws i32)
      (local.set $p (call $s.new))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))))
      (call $ret-s (i32.wrap_i64 (local.get $p)))
      (if (i32.ne (call $write (local.get $w) (i32.const 0) (local.get $n)) (i32.const -1)) (then unreachable))
      (local.set $ws (call $ws.new))
      (call $join (local.get $w) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "trap-when") (param $f i32) (result i32)
      (local $p i64) (local $ws i32)
      (local.set $p (call $s.new))
      (call $ret-s (i32.wrap_i64 (local.get $p)))
      (if (i32.ne (call $f.read (local.get $f) (i32.const 0)) (i32.const -1)) (then unreachable))
      (local.set $ws (call $ws.new))
      (call $join (local.get $f) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (canon stream.new $S (core func $s.new))
  (canon future.read $F async (memory (core memory $mem "mem")) (core func $f.read))
  (canon stream.write $S async (memory (core memory $mem "mem")) (core func $write))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable.join (core func $join))
  (canon task.return (result $S) (core func $ret-s))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "s.new" (func $s.new))
    (export "f.read" (func $f.read))
    (export "write" (func $write))
    (export "ws.new" (func $ws.new))
    (export "join" (func $join))
    (export "ret-s" (func $ret-s))))))
  (func (export "leak-streams") (param "n" u32) (result u32) (canon lift (core func $m "leak-streams")))
  (func (export "leak-sets") (param "n" u32) (result u32) (canon lift (core func $m "leak-sets")))
  (func (export "produce") async (param "n" u32) (result $S)
    (canon lift (core func $m "produce") async (callback (core func $m "cb"))))
  (func (export "trap-when") async (param "f" $F) (result $S)
    (canon lift (core func $m "trap-when") async (callback (core func $m "cb"))))
)`;

describe('a guest leaking handles in a loop', () => {
  it('200k streams and 200k waitable sets: the host stays up, memory grows per handle only', async () => {
    const inst = await instantiate(BAD);
    const before = rss();
    const last = inst.exports['leak-streams'](200_000);
    expect(last).toBeGreaterThan(200_000); // two ends per stream
    expect(inst.exports['leak-sets'](200_000)).toBeGreaterThan(last);
    // A few hundred bytes per handle, not more: 600k handles stay well under 512 MiB.
    expect(rss() - before).toBeLessThan(512 * MiB);
  });

  it('a per-instance handle cap: an endless leak traps that instance, not the host', async () => {
    const inst = await instantiate(BAD, {}, { maxHandles: 1000 });
    expect(() => inst.exports['leak-sets'](5000)).toThrow(/handle table is full/);
    expect(() => inst.exports['leak-sets'](1)).toThrow(Trap); // poisoned
    const other = await instantiate(BAD, {}, { maxHandles: 1000 });
    expect(other.exports['leak-sets'](500)).toBeGreaterThan(0);
  });
});

// The spec aborts the whole store on a trap; Weft keeps the host running, so
// the trapped instance's stream/future ends are dropped (ComponentInstance.poison)
// and the host's reads settle instead of hanging.
describe('a guest trapping in the middle of a copy', () => {
  it('the partial copy reaches the host, then the trap poisons the instance only', async () => {
    const inst = await instantiate(BAD);
    const r = await inst.exports.produce(65536);
    const buf = new Uint8Array(4096);
    expect(await within(r.readInto(buf), 2000)).toBe(4096);
    await new Promise((res) => setTimeout(res, 20));
    expect(() => inst.exports['leak-sets'](1)).toThrow(Trap);
    // Other instances of the same component are unaffected.
    const other = await instantiate(BAD);
    expect(other.exports['leak-sets'](1)).toBeGreaterThan(0);
  });

  it('after a partial copy: the host reader sees the end of the stream, no hang', async () => {
    const inst = await instantiate(BAD);
    const r = await inst.exports.produce(65536);
    const buf = new Uint8Array(4096);
    // The first read takes 4 KiB of the guest's 64 KiB write; reporting that to the
    // guest runs its callback, which traps.
    expect(await within(r.readInto(buf), 2000)).toBe(4096);
    const next = await within<{ v: unknown } | { err: unknown }>(
      r.readInto(buf).then(
        (v: unknown) => ({ v }),
        (err: unknown) => ({ err }),
      ),
      500,
    );
    // Either the end of the stream or an error naming the trap; never more data.
    if ('v' in next) expect(next.v).toBeUndefined();
    else expect(String(next.err)).toMatch(/trap|poison/i);
    // The instance is poisoned; the process is fine.
    expect(() => inst.exports['leak-sets'](1)).toThrow(Trap);
  });

  it('while the host read is pending: the read settles, no hang', async () => {
    const inst = await instantiate(BAD);
    let fire!: (v: number) => void;
    const f = new Promise<number>((res) => {
      fire = res;
    });
    const r = await inst.exports['trap-when'](f);
    const pending = r.read().then(
      (v: unknown) => ({ v }),
      (err: unknown) => ({ err }),
    );
    fire(1);
    const got = await within<{ v: unknown } | { err: unknown }>(pending, 500);
    if ('v' in got) expect(got.v).toBeUndefined();
    else expect(String(got.err)).toMatch(/trap|poison/i);
  });
});
