// A hand-written guest for the tests: `fill: func(n: u64) -> u32` calls
// wasi:random/random `get-random-bytes(n)` and returns the list's length;
// `byte: func(i: u32) -> u32` reads byte i of the last list; `roll: func() -> u64`
// calls `get-random-u64`.
import { parse } from '@bytecodealliance/jco';
import { Component } from '@weft/core';

export const GUEST = `(component
  (import "wasi:random/random@0.3.0" (instance $rnd
    (export "get-random-bytes" (func (param "max-len" u64) (result (list u8))))
    (export "get-random-u64" (func (result u64)))))
  (alias export $rnd "get-random-bytes" (func $bytes))
  (alias export $rnd "get-random-u64" (func $u64))
  (core module $Mem
    (memory (export "mem") 2)
    (global $bump (mut i32) (i32.const 1024))
    ;; a bump allocator that resets for each list
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (global.set $bump (i32.const 1024))
      (global.get $bump)))
  (core instance $mem (instantiate $Mem))
  (core module $M
    (import "" "mem" (memory 2))
    (import "" "bytes" (func $bytes (param i64 i32)))
    (import "" "u64" (func $u64 (result i64)))
    (func (export "fill") (param $n i64) (result i32)
      (call $bytes (local.get $n) (i32.const 16))
      (i32.load (i32.const 20)))
    (func (export "byte") (param $i i32) (result i32)
      (i32.load8_u (i32.add (i32.load (i32.const 16)) (local.get $i))))
    (func (export "roll") (result i64) (call $u64)))
  (canon lower (func $bytes) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc")) (core func $bytes'))
  (canon lower (func $u64) (core func $u64'))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem"))
    (export "bytes" (func $bytes'))
    (export "u64" (func $u64'))))))
  (func (export "fill") (param "n" u64) (result u32) (canon lift (core func $m "fill")))
  (func (export "byte") (param "i" u32) (result u32) (canon lift (core func $m "byte")))
  (func (export "roll") (result u64) (canon lift (core func $m "roll")))
)`;

export async function instantiateGuest(imports: Record<string, unknown>) {
  const component = await Component.compile((await parse(GUEST)) as Uint8Array);
  return component.instantiate(imports) as Promise<{ exports: Record<string, (...a: any[]) => any> }>;
}
