// Behaviours real toolchains' programs rely on (wasi-testsuite, wit-bindgen
// guests): eager completion of host subtasks, task.return's option checks.

import { describe, expect, it } from 'vitest';
import { Component, DecodeError } from '../src/index.ts';
import { instantiate } from './helpers/wat.ts';

// `status: func() -> u32` calls the host's `async func() -> u32` through an
// async lower and returns the status code it got (RETURNED = 2, STARTED = 1),
// plus 100 times the result written to the retptr (0 if not written yet).
const STATUS = `(component
  (import "get" (func $get async (result u32)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $get' (canon lower (func $get) async (memory (core memory $mem "mem"))))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "get" (func $get (param i32) (result i32)))
    (func (export "status") (result i32)
      (local $r i32)
      (local.set $r (call $get (i32.const 16)))
      (i32.add (i32.and (local.get $r) (i32.const 0xf)) (i32.mul (i32.load (i32.const 16)) (i32.const 100)))))
  (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $mem "mem")) (export "get" (func $get'))))))
  (func (export "status") (result u32) (canon lift (core func $m "status")))
)`;

describe('eager completion of async host calls', () => {
  it('a plain value from an async host function completes the subtask at once (RETURNED)', async () => {
    const inst: any = await instantiate(STATUS, { get: () => 7 });
    expect(inst.exports.status()).toBe(2 + 700);
  });

  it('a Promise, even a settled one, is STARTED: JS cannot look inside it', async () => {
    const inst: any = await instantiate(STATUS, { get: () => Promise.resolve(7) });
    expect(inst.exports.status()).toBe(1);
  });
});

// `read-now` gets a stream<u8> from the host and reads it once with an async
// stream.read: the packed result, or BLOCKED (0xffffffff).
const READ_NOW = `(component
  (type $S (stream u8))
  (import "get" (func $get (result $S)))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $get' (canon lower (func $get)))
  (core func $read (canon stream.read $S async (memory (core memory $mem "mem"))))
  (core func $drop (canon stream.drop-readable $S))
  (core module $M
    (import "" "get" (func $get (result i32)))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "read-now") (result i32)
      (local $h i32) (local $r i32)
      (local.set $h (call $get))
      (local.set $r (call $read (local.get $h) (i32.const 0) (i32.const 64)))
      (if (i32.ne (local.get $r) (i32.const -1)) (then (call $drop (local.get $h))))
      (local.get $r)))
  (core instance $m (instantiate $M (with "" (instance
    (export "get" (func $get')) (export "read" (func $read)) (export "drop" (func $drop))))))
  (func (export "read-now") (result u32) (canon lift (core func $m "read-now")))
)`;

describe('eager completion of reads of host streams', () => {
  const BLOCKED = 0xffffffff;
  // An AsyncIterable whose async side never answers, with a synchronous side.
  const source = (readSync?: (max: number) => Uint8Array | null) => ({
    readSync,
    [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => {}) }),
  });

  it('bytes the source has at hand (readSync) complete the read at once', async () => {
    const inst: any = await instantiate(READ_NOW, { get: () => source(() => Uint8Array.of(1, 2, 3)) });
    expect(inst.exports.readNow()).toBe(3 << 4);
    let asked = 0;
    const big: any = await instantiate(READ_NOW, {
      get: () =>
        source((max) => {
          asked = max;
          return new Uint8Array(max);
        }),
    });
    expect(big.exports.readNow()).toBe(64 << 4);
    expect(asked).toBe(64);
  });

  it('the end the source knows of (null) is DROPPED at once', async () => {
    const inst: any = await instantiate(READ_NOW, { get: () => source(() => null) });
    expect(inst.exports.readNow()).toBe(1);
  });

  it('readSyncInto writes straight into the guest buffer; a count past it is clamped', async () => {
    let view: Uint8Array | undefined;
    const into = (n: number) => ({
      readSync: () => {
        throw new Error('readSync must not be used when readSyncInto is offered');
      },
      readSyncInto: (t: Uint8Array) => {
        view = t;
        t.fill(9, 0, Math.min(n, t.length));
        return n;
      },
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Uint8Array>>(() => {}) }),
    });
    const inst: any = await instantiate(READ_NOW, { get: () => into(5) });
    expect(inst.exports.readNow()).toBe(5 << 4);
    // a view of the guest's linear memory at the read's pointer, as long as the read
    expect(view?.length).toBe(64);
    expect(view?.byteOffset).toBe(0);
    expect(view?.buffer.byteLength).toBe(65536);
    const liar: any = await instantiate(READ_NOW, { get: () => into(1 << 20) });
    expect(liar.exports.readNow()).toBe(64 << 4);
    const ended: any = await instantiate(READ_NOW, {
      get: () => ({ ...into(0), readSyncInto: () => null }),
    });
    expect(ended.exports.readNow()).toBe(1);
  });

  it('with nothing at hand, or no synchronous side, the read blocks', async () => {
    const empty: any = await instantiate(READ_NOW, { get: () => source(() => new Uint8Array(0)) });
    expect(empty.exports.readNow()).toBe(BLOCKED);
    const plain: any = await instantiate(READ_NOW, { get: () => source() });
    expect(plain.exports.readNow()).toBe(BLOCKED);
  });
});

// An async callback-lifted `f: async func() -> T` whose body calls
// task.return built with the options under test.
function taskReturn(liftOpts: string, retType: string, retOpts: string, call: string): string {
  return `(component
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $Mem2 (memory (export "mem") 1))
  (core instance $mem2 (instantiate $Mem2))
  (core func $ret (canon task.return ${retType} ${retOpts}))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "ret" (func $ret ${retType.includes('string') ? '(param i32 i32)' : '(param i32)'}))
    (func (export "f") (result i32) ${call} (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (core instance $m (instantiate $M (with "" (instance (export "mem" (memory $mem "mem")) (export "ret" (func $ret))))))
  (func (export "f") async ${retType.replace('(result', '(result').trim()}
    (canon lift (core func $m "f") async ${liftOpts} (callback (core func $m "cb"))))
)`;
}

describe('task.return options (LiftOptions.equal)', () => {
  const MEM = '(memory (core memory $mem "mem"))';
  const MEM2 = '(memory (core memory $mem2 "mem"))';

  it('accepts a task.return without memory for a task lifted with one', async () => {
    const inst: any = await instantiate(taskReturn(MEM, '(result u32)', '', '(call $ret (i32.const 5))'));
    expect(await inst.exports.f()).toBe(5);
  });

  it('traps when task.return names another memory, even for a result without lists', async () => {
    const inst: any = await instantiate(taskReturn(MEM, '(result u32)', MEM2, '(call $ret (i32.const 5))'));
    await expect(inst.exports.f()).rejects.toThrow('invalid `task.return` signature and/or options for current task');
  });

  it('traps when the string encodings differ, even for a result without strings', async () => {
    const inst: any = await instantiate(
      taskReturn(`${MEM} string-encoding=utf8`, '(result u32)', 'string-encoding=utf16', '(call $ret (i32.const 5))'),
    );
    await expect(inst.exports.f()).rejects.toThrow('invalid `task.return` signature and/or options for current task');
  });
});

// One component holding both ends of a stream<u8> and a future<u32>: each
// export runs a sequence of async copies, drops and cancels and returns the
// last result (or traps if an earlier step gave an unexpected code).
const ENDS = `(component
  (type $S (stream u8))
  (type $F (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $s.new (canon stream.new $S))
  (core func $s.read (canon stream.read $S async (memory (core memory $mem "mem"))))
  (core func $s.write (canon stream.write $S async (memory (core memory $mem "mem"))))
  (core func $s.cancel-read (canon stream.cancel-read $S async))
  (core func $s.cancel-write (canon stream.cancel-write $S async))
  (core func $s.drop-r (canon stream.drop-readable $S))
  (core func $s.drop-w (canon stream.drop-writable $S))
  (core func $f.new (canon future.new $F))
  (core func $f.write (canon future.write $F async (memory (core memory $mem "mem"))))
  (core func $f.cancel-write (canon future.cancel-write $F async))
  (core func $f.drop-r (canon future.drop-readable $F))
  (core func $f.drop-w (canon future.drop-writable $F))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "s.new" (func $s.new (result i64)))
    (import "" "s.read" (func $s.read (param i32 i32 i32) (result i32)))
    (import "" "s.write" (func $s.write (param i32 i32 i32) (result i32)))
    (import "" "s.cancel-read" (func $s.cancel-read (param i32) (result i32)))
    (import "" "s.cancel-write" (func $s.cancel-write (param i32) (result i32)))
    (import "" "s.drop-r" (func $s.drop-r (param i32)))
    (import "" "s.drop-w" (func $s.drop-w (param i32)))
    (import "" "f.new" (func $f.new (result i64)))
    (import "" "f.write" (func $f.write (param i32 i32) (result i32)))
    (import "" "f.cancel-write" (func $f.cancel-write (param i32) (result i32)))
    (import "" "f.drop-r" (func $f.drop-r (param i32)))
    (import "" "f.drop-w" (func $f.drop-w (param i32)))
    (global $r (mut i32) (i32.const 0))
    (global $w (mut i32) (i32.const 0))
    (func $pair (param i64)
      (global.set $r (i32.wrap_i64 (local.get 0)))
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32)))))
    (func $blocked (param i32) (if (i32.ne (local.get 0) (i32.const -1)) (then unreachable)))
    ;; the reader drops while the writer's future.write is pending: a later cancel reports DROPPED
    (func (export "future-reader-drops") (result i32)
      (local $x i32)
      (call $pair (call $f.new))
      (call $blocked (call $f.write (global.get $w) (i32.const 0)))
      (call $f.drop-r (global.get $r))
      (local.set $x (call $f.cancel-write (global.get $w)))
      (call $f.drop-w (global.get $w))
      (local.get $x))
    ;; the same with a stream
    (func (export "stream-reader-drops") (result i32)
      (local $x i32)
      (call $pair (call $s.new))
      (call $blocked (call $s.write (global.get $w) (i32.const 0) (i32.const 8)))
      (call $s.drop-r (global.get $r))
      (local.set $x (call $s.cancel-write (global.get $w)))
      (call $s.drop-w (global.get $w))
      (local.get $x))
    ;; a read of 8 that the writer filled, then cancelled: CANCELLED | 8 << 4, not COMPLETED
    (func (export "cancel-after-complete") (result i32)
      (local $x i32)
      (call $pair (call $s.new))
      (call $blocked (call $s.read (global.get $r) (i32.const 100) (i32.const 8)))
      (if (i32.ne (call $s.write (global.get $w) (i32.const 0) (i32.const 8)) (i32.const 0x80)) (then unreachable))
      (local.set $x (call $s.cancel-read (global.get $r)))
      (call $s.drop-r (global.get $r))
      (call $s.drop-w (global.get $w))
      (local.get $x))
    ;; a read of 8 given 4, then the writer drops before the event is delivered: DROPPED | 4 << 4
    (func (export "dropped-wins") (result i32)
      (local $x i32)
      (call $pair (call $s.new))
      (call $blocked (call $s.read (global.get $r) (i32.const 100) (i32.const 8)))
      (if (i32.ne (call $s.write (global.get $w) (i32.const 0) (i32.const 4)) (i32.const 0x40)) (then unreachable))
      (call $s.drop-w (global.get $w))
      (local.set $x (call $s.cancel-read (global.get $r)))
      (call $s.drop-r (global.get $r))
      (local.get $x))
  )
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "s.new" (func $s.new)) (export "s.read" (func $s.read)) (export "s.write" (func $s.write))
    (export "s.cancel-read" (func $s.cancel-read)) (export "s.cancel-write" (func $s.cancel-write))
    (export "s.drop-r" (func $s.drop-r)) (export "s.drop-w" (func $s.drop-w))
    (export "f.new" (func $f.new)) (export "f.write" (func $f.write)) (export "f.cancel-write" (func $f.cancel-write))
    (export "f.drop-r" (func $f.drop-r)) (export "f.drop-w" (func $f.drop-w))))))
  (func (export "future-reader-drops") (result u32) (canon lift (core func $m "future-reader-drops")))
  (func (export "stream-reader-drops") (result u32) (canon lift (core func $m "stream-reader-drops")))
  (func (export "cancel-after-complete") (result u32) (canon lift (core func $m "cancel-after-complete")))
  (func (export "dropped-wins") (result u32) (canon lift (core func $m "dropped-wins")))
)`;

describe('stream and future ends after component-model #708 and #719', () => {
  const DROPPED = 1;
  const CANCELLED = 2;

  it('a writer whose reader dropped mid-copy gets DROPPED (a later cancel reports it)', async () => {
    const inst: any = await instantiate(ENDS);
    expect(inst.exports.futureReaderDrops()).toBe(DROPPED);
    expect(inst.exports.streamReaderDrops()).toBe(DROPPED);
  });

  it('CANCELLED wins over COMPLETED after a cancelled stream copy', async () => {
    const inst: any = await instantiate(ENDS);
    expect(inst.exports.cancelAfterComplete()).toBe(CANCELLED | (8 << 4));
  });

  it('DROPPED is delivered promptly, with the progress made', async () => {
    const inst: any = await instantiate(ENDS);
    expect(inst.exports.droppedWins()).toBe(DROPPED | (4 << 4));
  });
});

// Idle ends told of a drop (component-model #720): the writer of a stream or
// future sits in a waitable set, idle, when the reader drops.
const IDLE_DROP = `(component
  (type $S (stream u8))
  (type $F (future u32))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core func $s.new (canon stream.new $S))
  (core func $s.write (canon stream.write $S async (memory (core memory $mem "mem"))))
  (core func $s.drop-r (canon stream.drop-readable $S))
  (core func $f.new (canon future.new $F))
  (core func $f.drop-r (canon future.drop-readable $F))
  (core func $f.drop-w (canon future.drop-writable $F))
  (core func $ws.new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $poll (canon waitable-set.poll (memory (core memory $mem "mem"))))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "s.new" (func $s.new (result i64)))
    (import "" "s.write" (func $s.write (param i32 i32 i32) (result i32)))
    (import "" "s.drop-r" (func $s.drop-r (param i32)))
    (import "" "f.new" (func $f.new (result i64)))
    (import "" "f.drop-r" (func $f.drop-r (param i32)))
    (import "" "f.drop-w" (func $f.drop-w (param i32)))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "poll" (func $poll (param i32 i32) (result i32)))
    (global $w (mut i32) (i32.const 0))
    ;; event code | index << 8 | payload << 16 of the first poll after the reader dropped
    (func $event (param $pair i64) (param $drop i32) (result i32)
      (local $ws i32) (local $code i32)
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $pair) (i64.const 32))))
      (local.set $ws (call $ws.new))
      (call $join (global.get $w) (local.get $ws))
      (if (i32.ne (call $poll (local.get $ws) (i32.const 0)) (i32.const 0)) (then unreachable))
      (if (i32.eqz (local.get $drop))
        (then (call $s.drop-r (i32.wrap_i64 (local.get $pair))))
        (else (call $f.drop-r (i32.wrap_i64 (local.get $pair)))))
      (local.set $code (call $poll (local.get $ws) (i32.const 0)))
      (call $join (global.get $w) (i32.const 0))
      (i32.or (local.get $code) (i32.or
        (i32.shl (i32.eq (i32.load (i32.const 0)) (global.get $w)) (i32.const 8))
        (i32.shl (i32.load (i32.const 4)) (i32.const 16)))))
    (func (export "stream-idle") (result i32) (call $event (call $s.new) (i32.const 0)))
    (func (export "stream-write-after") (drop (call $s.write (global.get $w) (i32.const 0) (i32.const 1))))
    (func (export "future-idle") (result i32)
      (local $r i32)
      (local.set $r (call $event (call $f.new) (i32.const 1)))
      ;; DONE: the writer may go without writing a value
      (call $f.drop-w (global.get $w))
      (local.get $r))
  )
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "s.new" (func $s.new)) (export "s.write" (func $s.write)) (export "s.drop-r" (func $s.drop-r))
    (export "f.new" (func $f.new)) (export "f.drop-r" (func $f.drop-r)) (export "f.drop-w" (func $f.drop-w))
    (export "ws.new" (func $ws.new)) (export "join" (func $join)) (export "poll" (func $poll))))))
  (func (export "stream-idle") (result u32) (canon lift (core func $m "stream-idle")))
  (func (export "stream-write-after") (canon lift (core func $m "stream-write-after")))
  (func (export "future-idle") (result u32) (canon lift (core func $m "future-idle")))
)`;

describe('DROPPED reaches an idle end (component-model #720)', () => {
  const STREAM_WRITE = 3;
  const FUTURE_WRITE = 5;
  const DROPPED = 1;

  it('an idle stream writer gets a DROPPED event; writing after it traps', async () => {
    const inst: any = await instantiate(IDLE_DROP);
    expect(inst.exports.streamIdle()).toBe(STREAM_WRITE | (1 << 8) | (DROPPED << 16));
    expect(() => inst.exports.streamWriteAfter()).toThrow(
      'cannot write to stream after being notified that the readable end dropped',
    );
  });

  it('an idle future writer gets a DROPPED event and may then drop without writing', async () => {
    const inst: any = await instantiate(IDLE_DROP);
    expect(inst.exports.futureIdle()).toBe(FUTURE_WRITE | (1 << 8) | (DROPPED << 16));
  });
});

// `run` sets context slot 0 to 42, then calls the host's `get() -> string`;
// lowering the string calls realloc, which records the slot it sees and
// overwrites it. Returns what realloc saw | (the slot afterwards << 16).
const REALLOC_CONTEXT = `(component
  (import "get" (func $get (result string)))
  (core module $Mem
    (import "" "context.get" (func $ctx.get (result i32)))
    (import "" "context.set" (func $ctx.set (param i32)))
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (global $seen (export "seen") (mut i32) (i32.const -1))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (global.set $seen (call $ctx.get))
      (call $ctx.set (i32.const 0xfeed))
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p)))
  (core func $ctx.get (canon context.get i32 0))
  (core func $ctx.set (canon context.set i32 0))
  (core instance $mem (instantiate $Mem (with "" (instance
    (export "context.get" (func $ctx.get)) (export "context.set" (func $ctx.set))))))
  (core func $get' (canon lower (func $get) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "seen" (global $seen (mut i32)))
    (import "" "get" (func $get (param i32)))
    (import "" "context.get" (func $ctx.get (result i32)))
    (import "" "context.set" (func $ctx.set (param i32)))
    (func (export "run") (result i32)
      (call $ctx.set (i32.const 42))
      (call $get (i32.const 16))
      (i32.or (global.get $seen) (i32.shl (call $ctx.get) (i32.const 16)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "seen" (global $mem "seen")) (export "get" (func $get'))
    (export "context.get" (func $ctx.get)) (export "context.set" (func $ctx.set))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
)`;

describe('realloc runs on a fresh thread (component-model #680)', () => {
  it('sees context slots of 0, and its writes do not reach the caller', async () => {
    const inst: any = await instantiate(REALLOC_CONTEXT, { get: () => 'hello' });
    expect(inst.exports.run()).toBe(0 | (42 << 16));
    // and again: the slots realloc wrote are not kept for the next call either
    expect(inst.exports.run()).toBe(0 | (42 << 16));
  });
});

describe('the cancellable immediate (component-model #716)', () => {
  // preamble + a canon section holding one thread.yield with the given flag byte
  const yieldWith = (flag: number) =>
    Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x08, 0x03, 0x01, 0x0c, flag);

  it('must be 0 in binaries', async () => {
    await Component.compile(yieldWith(0));
    const err = await Component.compile(yieldWith(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).message).toMatch(
      /^the `cancellable` immediate must be 0 \(removed by component-model #716/,
    );
    expect((err as DecodeError).offset).toBe(12);
    await expect(Component.compile(yieldWith(2))).rejects.toThrow('invalid boolean value');
  });

  it('is accepted in binaries made before #716 with legacyCancellable', async () => {
    await Component.compile(yieldWith(1), { legacyCancellable: true });
  });

  it('backpressure.set (0x08, removed by #683) is an unallocated opcode', async () => {
    const bytes = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x08, 0x02, 0x01, 0x08);
    await expect(Component.compile(bytes)).rejects.toThrow('invalid leading byte (0x8) for canonical function');
  });
});
