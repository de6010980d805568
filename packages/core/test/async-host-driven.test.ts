// Guest threads run while the host drives the store (an export call or a
// stream/future read in progress, host work pending), as in wasmtime: a thread
// left ready by a sync export call that returned at once waits for the next
// host-driven activity instead of running in the background.
import { expect, it } from 'vitest';
import { instantiate } from './helpers/wat.ts';

const ARM = `(component
  (import "ran" (func $ran))
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core func $ran' (canon lower (func $ran)))
  (core type $start-ty (func (param i32)))
  (alias core export $table "t" (core table $t))
  (core func $new (canon thread.new-indirect $start-ty (core table $t)))
  (core func $later (canon thread.resume-later))
  (core func $ret (canon task.return))
  (core module $M
    (import "" "ran" (func $ran))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "later" (func $later (param i32)))
    (import "" "ret" (func $ret))
    (import "" "t" (table 1 funcref))
    (func $start (param i32) (call $ran))
    (elem (table 0) (i32.const 0) func $start)
    (func (export "arm") (call $later (call $new (i32.const 0) (i32.const 0))))
    (func (export "poke") (result i32) (i32.const 1))
    (func (export "poke-cb") (param i32 i32 i32) (result i32) (call $ret) (i32.const 0)))
  (core instance $m (instantiate $M (with "" (instance
    (export "ran" (func $ran')) (export "new" (func $new)) (export "later" (func $later))
    (export "ret" (func $ret)) (export "t" (table $t))))))
  (func (export "arm") (canon lift (core func $m "arm")))
  (func (export "poke") async (canon lift (core func $m "poke") async (callback (core func $m "poke-cb"))))
)`;

it('a thread left ready by a sync export call runs at the next host-driven call, not in the background', async () => {
  let ran = 0;
  const inst = await instantiate(ARM, { ran: () => void ran++ });
  inst.exports.arm();
  await new Promise((res) => setTimeout(res, 20));
  expect(ran).toBe(0);
  await inst.exports.poke();
  expect(ran).toBe(1);
});
