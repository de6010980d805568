// resetInstance: an idle instance of a component compiled `resettable` goes back to the state
// its instantiation left it in (memories, mutable globals, tables, fuel, handle numbering);
// one that is busy, holds handles, trapped, grew, defines resources or drops segments does not,
// and a refusal changes nothing.
import { describe, expect, it } from 'vitest';
import { Component, resetInstance, Trap } from '../src/index.ts';
import { assemble } from './helpers/wat.ts';

// bump(): g += 1, mem[0] += 10 (a data segment makes it 5), then g*100 + mem[0] + table[0]().
// swap() makes table[0] return 2; grow() grows the memory; hold() makes a stream and keeps both
// ends (it returns the readable end's index), release() drops them; spin(n) loops n times.
const GUEST = `(component
  (type $S (stream u8))
  (core func $s.new (canon stream.new $S))
  (core func $s.drop-r (canon stream.drop-readable $S))
  (core func $s.drop-w (canon stream.drop-writable $S))
  (core module $M
    (import "" "s.new" (func $s.new (result i64)))
    (import "" "s.drop-r" (func $s.drop-r (param i32)))
    (import "" "s.drop-w" (func $s.drop-w (param i32)))
    (memory (export "mem") 1)
    (global $g (mut i32) (i32.const 0))
    (global $ends (mut i64) (i64.const 0))
    (table $t 2 funcref)
    (type $r (func (result i32)))
    (func $one (result i32) (i32.const 1))
    (func $two (result i32) (i32.const 2))
    (elem (i32.const 0) $one)
    (elem declare func $two)
    (data (i32.const 0) "\\05")
    (func (export "bump") (result i32)
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 10)))
      (i32.add
        (i32.add (i32.mul (global.get $g) (i32.const 100)) (i32.load (i32.const 0)))
        (call_indirect (type $r) (i32.const 0))))
    (func (export "swap") (table.set $t (i32.const 0) (ref.func $two)))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "hold") (result i32)
      (global.set $ends (call $s.new))
      (i32.wrap_i64 (global.get $ends)))
    (func (export "release")
      (call $s.drop-r (i32.wrap_i64 (global.get $ends)))
      (call $s.drop-w (i32.wrap_i64 (i64.shr_u (global.get $ends) (i64.const 32)))))
    (func (export "spin") (param $n i32)
      (block $d (loop $l
        (br_if $d (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
    (func (export "boom") unreachable))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "s.new" (func $s.new))
      (export "s.drop-r" (func $s.drop-r))
      (export "s.drop-w" (func $s.drop-w))))))
  (func (export "bump") (result u32) (canon lift (core func $m "bump")))
  (func (export "swap") (canon lift (core func $m "swap")))
  (func (export "grow") (result s32) (canon lift (core func $m "grow")))
  (func (export "hold") (result u32) (canon lift (core func $m "hold")))
  (func (export "release") (canon lift (core func $m "release")))
  (func (export "spin") (param "n" u32) (canon lift (core func $m "spin")))
  (func (export "boom") (canon lift (core func $m "boom")))
)`;

describe('resetInstance', () => {
  it('puts back the memory, globals and tables instantiation left, and handle numbering', async () => {
    const c = await Component.compile(await assemble(GUEST), { resettable: true });
    const i = await c.instantiate();
    expect(i.exports.bump()).toBe(116);
    expect(i.exports.bump()).toBe(226);
    i.exports.swap();
    expect(i.exports.bump()).toBe(337);
    // Its ends went to the free list: a new stream would get other indices.
    const first = i.exports.hold();
    i.exports.release();
    expect(resetInstance(i)).toBe(true);
    expect(i.exports.bump()).toBe(116);
    expect(i.exports.hold()).toBe(first);
    i.exports.release();
    expect(resetInstance(i)).toBe(true);
    expect(i.exports.bump()).toBe(116);
  });

  it('refuses, changing nothing, while the guest holds a handle; resets once it dropped it', async () => {
    const c = await Component.compile(await assemble(GUEST), { resettable: true });
    const i = await c.instantiate();
    expect(i.exports.bump()).toBe(116);
    i.exports.hold();
    expect(resetInstance(i)).toBe(false);
    expect(i.exports.bump()).toBe(226);
    i.exports.release();
    expect(resetInstance(i)).toBe(true);
    expect(i.exports.bump()).toBe(116);
  });

  it('refuses after the memory grew, after a trap, and without `resettable` (compiled or instantiated)', async () => {
    const c = await Component.compile(await assemble(GUEST), { resettable: true });
    const grown = await c.instantiate();
    expect(grown.exports.bump()).toBe(116);
    expect(grown.exports.grow()).toBe(1);
    expect(resetInstance(grown)).toBe(false);
    expect(grown.exports.bump()).toBe(226);

    const trapped = await c.instantiate();
    expect(() => trapped.exports.boom()).toThrow(Trap);
    expect(resetInstance(trapped)).toBe(false);
    expect(() => trapped.exports.bump()).toThrow(Trap);

    const uncopied = await c.instantiate({}, { resettable: false });
    expect(uncopied.exports.bump()).toBe(116);
    expect(resetInstance(uncopied)).toBe(false);
    expect(uncopied.exports.bump()).toBe(226);

    const plain = await (await Component.compile(await assemble(GUEST))).instantiate();
    expect(plain.exports.bump()).toBe(116);
    expect(resetInstance(plain)).toBe(false);
    expect(plain.exports.bump()).toBe(226);
    expect(resetInstance({})).toBe(false);
  });

  it('refuses from a host import the guest is in', async () => {
    const text = `(component
      (import "cb" (func $cb))
      (core func $cb (canon lower (func $cb)))
      (core module $M (import "" "cb" (func $cb)) (global $g (mut i32) (i32.const 0))
        (func (export "bump") (result i32)
          (global.set $g (i32.add (global.get $g) (i32.const 1))) (call $cb) (global.get $g)))
      (core instance $m (instantiate $M (with "" (instance (export "cb" (func $cb))))))
      (func (export "bump") (result u32) (canon lift (core func $m "bump"))))`;
    const c = await Component.compile(await assemble(text), { resettable: true });
    const seen: boolean[] = [];
    const i = await c.instantiate({ cb: () => void seen.push(resetInstance(i)) });
    expect(i.exports.bump()).toBe(1);
    expect(i.exports.bump()).toBe(2);
    expect(seen).toEqual([false, false]);
    expect(resetInstance(i)).toBe(true);
    expect(i.exports.bump()).toBe(1);
  });

  it('gives back the fuel instantiation had', async () => {
    const c = await Component.compile(await assemble(GUEST), { resettable: true, fuel: true });
    const i = await c.instantiate({}, { fuel: 100 });
    i.exports.spin(60);
    expect(resetInstance(i)).toBe(true);
    i.exports.spin(60);
    expect(() => i.exports.spin(60)).toThrow('fuel exhausted');
  });

  it('works with the modules of Component.coreModules given to fromModules', async () => {
    const bytes = await assemble(GUEST);
    const modules = Component.coreModules(bytes, { resettable: true }).map(
      (m) => new WebAssembly.Module(m as Uint8Array<ArrayBuffer>),
    );
    const names = WebAssembly.Module.exports(modules[0]!).map((e) => e.name);
    expect(names.filter((n) => n.startsWith('weft:state/'))).toEqual([
      'weft:state/table/0',
      'weft:state/memory/0',
      'weft:state/global/0',
      'weft:state/global/1',
    ]);
    // Its code writes a table (table.set): the reset restores elements, not only lengths.
    expect([...new Uint8Array(WebAssembly.Module.customSections(modules[0]!, 'weft:state')[0]!)]).toEqual([1]);
    // Alone, `resettable` shifts no index: the function names stay for traps and profiles.
    expect(WebAssembly.Module.customSections(modules[0]!, 'name')).toHaveLength(1);
    const i = Component.fromModules(bytes, modules, { resettable: true }).instantiateSync();
    i.exports.swap();
    expect(i.exports.bump()).toBe(102 + 15);
    expect(resetInstance(i)).toBe(true);
    expect(i.exports.bump()).toBe(116);
  });

  it('never resets a component that defines resource types or drops a data segment', async () => {
    const resources = `(component
      (core module $M (memory (export "mem") 1) (global $g (mut i32) (i32.const 0))
        (func (export "bump") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
      (core instance $m (instantiate $M))
      (type $r (resource (rep i32)))
      (func (export "bump") (result u32) (canon lift (core func $m "bump"))))`;
    const dropper = `(component
      (core module $M (memory 1) (global $g (mut i32) (i32.const 0)) (data $d "x")
        (func (export "bump") (result i32) (data.drop $d) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
      (core instance $m (instantiate $M))
      (func (export "bump") (result u32) (canon lift (core func $m "bump"))))`;
    for (const text of [resources, dropper]) {
      const i = await (await Component.compile(await assemble(text), { resettable: true })).instantiate();
      expect(i.exports.bump()).toBe(1);
      expect(resetInstance(i)).toBe(false);
      expect(i.exports.bump()).toBe(2);
    }
  });
});
