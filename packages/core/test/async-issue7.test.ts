// Behaviours real toolchains' programs rely on (wasi-testsuite, wit-bindgen
// guests): eager completion of host subtasks, task.return's option checks.

import { describe, expect, it } from 'vitest';
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
