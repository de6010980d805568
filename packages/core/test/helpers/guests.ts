// Component text shared by the async tests (assembled with helpers/wat.ts).

/**
 * The start of a component that imports the host resource `host:res/counter` (`counter`, its
 * [constructor], [method] bump and [static] total) and lowers those three as $new', $bump',
 * $total' (core funcs); `$c` is the resource type.
 */
export const HOST_COUNTER = `  (import "host:res/counter" (instance $h
    (export "counter" (type $c (sub resource)))
    (export "[constructor]counter" (func (param "start" u32) (result (own $c))))
    (export "[method]counter.bump" (func (param "self" (borrow $c)) (result u32)))
    (export "[static]counter.total" (func (result u32)))))
  (alias export $h "counter" (type $c))
  (alias export $h "[constructor]counter" (func $new))
  (alias export $h "[method]counter.bump" (func $bump))
  (alias export $h "[static]counter.total" (func $total))
  (core func $new' (canon lower (func $new)))
  (core func $bump' (canon lower (func $bump)))
  (core func $total' (canon lower (func $total)))`;

// A callback-ABI export `run: async func(x: u32) -> u32` that calls the host's
// async `get: async func() -> u32` with the async ABI, waits for the subtask
// in a waitable set, and returns x + the host's value.
export const CALLBACK = `(component
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
export const STREAM_SUM = `(component
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

// `run: func(x: u32) -> u32` (sync-typed, sync-lifted) calls the host's sync
// `get: func(x: u32) -> u32` through a sync `canon lower` and adds 1; the
// host implements `get` with an async function.
export const SYNC_CALLS_HOST = `(component
  (import "get" (func $get (param "x" u32) (result u32)))
  (core func $get' (canon lower (func $get)))
  (core module $M
    (import "" "get" (func $get (param i32) (result i32)))
    (func (export "run") (param i32) (result i32)
      (i32.add (call $get (local.get 0)) (i32.const 1))))
  (core instance $m (instantiate $M (with "" (instance (export "get" (func $get'))))))
  (func (export "run") (param "x" u32) (result u32) (canon lift (core func $m "run")))
)`;

// `produce: async func() -> stream<u8>`: makes a stream, returns its readable
// end, and writes the bytes 1..5 into it (async write, waiting in a waitable
// set until the host reads), then drops the writable end.
export const STREAM_PRODUCE = `(component
  (type $S (stream u8))
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "stream.new" (func $new (result i64)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "task.return" (func $task.return (param i32)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (data (i32.const 100) "\\01\\02\\03\\04\\05")
    (global $w (mut i32) (i32.const 0))
    (func $done (result i32)
      (call $join (global.get $w) (i32.const 0))
      (call $drop (global.get $w))
      (i32.const 0))
    (func (export "produce") (result i32)
      (local $s i64) (local $r i32) (local $ws i32)
      (local.set $s (call $new))
      (global.set $w (i32.wrap_i64 (i64.shr_u (local.get $s) (i64.const 32))))
      (call $task.return (i32.wrap_i64 (local.get $s)))
      (local.set $r (call $write (global.get $w) (i32.const 100) (i32.const 5)))
      (if (i32.ne (local.get $r) (i32.const -1)) (then (return (call $done))))
      (local.set $ws (call $ws.new))
      (call $join (global.get $w) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "cb") (param $code i32) (param $i i32) (param $p i32) (result i32)
      (if (i32.ne (local.get $code) (i32.const 3)) (then unreachable))
      (call $done))
  )
  (canon stream.new $S (core func $new))
  (canon stream.write $S async (memory (core memory $mem "mem")) (core func $write))
  (canon stream.drop-writable $S (core func $drop))
  (canon task.return (result $S) (core func $task.return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable.join (core func $join))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "stream.new" (func $new))
    (export "write" (func $write))
    (export "drop" (func $drop))
    (export "task.return" (func $task.return))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable.join" (func $join))))))
  (func (export "produce") async (result $S)
    (canon lift (core func $m "produce") async (callback (core func $m "cb"))))
)`;
