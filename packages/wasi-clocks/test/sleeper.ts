// A hand-written guest for the tests: `sleep: async func(d: u64) -> u64` calls
// wasi:clocks/monotonic-clock `wait-for(d)` with the async ABI (callback lift,
// waiting on the subtask in a waitable set) and returns `now()` after minus before.
import { parse } from '@bytecodealliance/jco';
import { Component } from '@weft/core';

export const SLEEPER = `(component
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $mono
    (export "now" (func (result u64)))
    (export "wait-for" (func async (param "how-long" u64)))))
  (alias export $mono "now" (func $now))
  (alias export $mono "wait-for" (func $wait-for))
  (core module $M
    (import "" "now" (func $now (result i64)))
    (import "" "wait-for" (func $wait (param i64) (result i32)))
    (import "" "task.return" (func $task.return (param i64)))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (global $start (mut i64) (i64.const 0))
    (func (export "sleep") (param $d i64) (result i32)
      (local $r i32) (local $ws i32)
      (global.set $start (call $now))
      (local.set $r (call $wait (local.get $d)))
      (if (i32.eq (i32.and (local.get $r) (i32.const 0xf)) (i32.const 2))
        (then
          (call $task.return (i64.sub (call $now) (global.get $start)))
          (return (i32.const 0))))
      (local.set $ws (call $ws.new))
      (call $join (i32.shr_u (local.get $r) (i32.const 4)) (local.get $ws))
      (i32.or (i32.const 2) (i32.shl (local.get $ws) (i32.const 4))))
    (func (export "cb") (param $code i32) (param $i i32) (param $p i32) (result i32)
      (if (i32.ne (local.get $code) (i32.const 1)) (then unreachable))
      (if (i32.ne (local.get $p) (i32.const 2)) (then unreachable))
      (call $subtask.drop (local.get $i))
      (call $task.return (i64.sub (call $now) (global.get $start)))
      (i32.const 0))
  )
  (canon lower (func $now) (core func $now'))
  (canon lower (func $wait-for) async (core func $wait'))
  (canon task.return (result u64) (core func $task.return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable.join (core func $join))
  (canon subtask.drop (core func $subtask.drop))
  (core instance $m (instantiate $M (with "" (instance
    (export "now" (func $now'))
    (export "wait-for" (func $wait'))
    (export "task.return" (func $task.return))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable.join" (func $join))
    (export "subtask.drop" (func $subtask.drop))))))
  (func (export "sleep") async (param "d" u64) (result u64)
    (canon lift (core func $m "sleep") async (callback (core func $m "cb"))))
)`;

export async function instantiateSleeper(imports: Record<string, unknown>) {
  const component = await Component.compile((await parse(SLEEPER)) as Uint8Array);
  return component.instantiate(imports);
}
