import { describe, expect, it } from 'vitest';
import { ComponentError, LinkError, Trap, ValidationError } from '../src/index.ts';
import { compile, instantiate } from './helpers/wat.ts';

const ADD = `(component
  (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))`;

describe('linking and calling', () => {
  it('calls a lifted export', async () => {
    const { exports } = await instantiate(ADD);
    expect(exports.add(2, 40)).toBe(42);
    expect(exports.add(0xffffffff, 1)).toBe(0);
  });

  it('calls a host import through canon lower', async () => {
    const text = `(component
      (import "double" (func $double (param "x" u32) (result u32)))
      (core func $d (canon lower (func $double)))
      (core module $m
        (import "host" "double" (func $d (param i32) (result i32)))
        (func (export "quad") (param i32) (result i32) local.get 0 call $d call $d))
      (core instance $hi (export "double" (func $d)))
      (core instance $i (instantiate $m (with "host" (instance $hi))))
      (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad"))))`;
    const { exports } = await instantiate(text, { double: (x: number) => x * 2 });
    expect(exports.quad(5)).toBe(20);
  });

  it('names a missing import in the LinkError', async () => {
    const text = `(component (import "wasi:cli/stdout@0.3.0" (instance (export "f" (func)))))`;
    await expect(instantiate(text, {})).rejects.toThrow(LinkError);
    await expect(instantiate(text, {})).rejects.toThrow(/wasi:cli\/stdout@0\.3\.0/);
  });

  it('needs no host object for an imported instance of plain types only', async () => {
    const types = `(import "wasi:clocks/system-clock@0.3.0" (instance $c
        (type $i (record (field "seconds" s64) (field "nanoseconds" u32))) (export "instant" (type (eq $i)))))`;
    const text = `(component ${types}
      (core module $m (func (export "one") (result i32) i32.const 1))
      (core instance $i (instantiate $m))
      (func (export "one") (result u32) (canon lift (core func $i "one"))))`;
    expect((await instantiate(text, {})).exports.one()).toBe(1);
    // A resource type (or any function) still needs the host's.
    const res = '(component (import "r" (instance (export "t" (type (sub resource))))))';
    await expect(instantiate(res, {})).rejects.toThrow(/missing import `r`/);
  });

  it('serves a versioned import from a compatible newer version', async () => {
    const text = `(component
      (import "ns:pkg/iface@0.3.0" (instance $i (export "get" (func (result u32)))))
      (alias export $i "get" (func $get))
      (core func $g (canon lower (func $get)))
      (core module $m (import "h" "get" (func $g (result i32))) (func (export "run") (result i32) call $g))
      (core instance $hi (export "get" (func $g)))
      (core instance $ci (instantiate $m (with "h" (instance $hi))))
      (func (export "run") (result u32) (canon lift (core func $ci "run"))))`;
    const { exports } = await instantiate(text, { 'ns:pkg/iface@0.3.4': { get: () => 7 } });
    expect(exports.run()).toBe(7);
  });

  it('wires one child component into another through a parent', async () => {
    const text = `(component
      (component $provider
        (core module $m (func (export "v") (result i32) i32.const 41))
        (core instance $i (instantiate $m))
        (func (export "value") (result u32) (canon lift (core func $i "v"))))
      (component $consumer
        (import "value" (func $value (result u32)))
        (core func $v (canon lower (func $value)))
        (core module $m (import "h" "v" (func $v (result i32))) (func (export "next") (result i32) call $v i32.const 1 i32.add))
        (core instance $hi (export "v" (func $v)))
        (core instance $i (instantiate $m (with "h" (instance $hi))))
        (func (export "next") (result u32) (canon lift (core func $i "next"))))
      (instance $p (instantiate $provider))
      (instance $c (instantiate $consumer (with "value" (func $p "value"))))
      (export "next" (func $c "next")))`;
    const { exports } = await instantiate(text);
    expect(exports.next()).toBe(42);
  });

  it('rejects a lift whose core signature does not match the flattened type', async () => {
    const text = `(component
      (core module $m (func (export "f") (param i32) (result i32) local.get 0))
      (core instance $i (instantiate $m))
      (type $r (result u32 (error u32)))
      (func (export "check") (param "x" u32) (result $r) (canon lift (core func $i "f"))))`;
    // result<u32, u32> flattens to two values, so a lift returns it through memory (one i32 pointer)
    // and needs a memory option: without it the definition is invalid.
    await expect(instantiate(text)).rejects.toThrow(ValidationError);
  });

  it('poisons an instance after a trap', async () => {
    const text = `(component
      (core module $m (func (export "boom") unreachable) (func (export "ok") (result i32) i32.const 1))
      (core instance $i (instantiate $m))
      (func (export "boom") (canon lift (core func $i "boom")))
      (func (export "ok") (result u32) (canon lift (core func $i "ok"))))`;
    const { exports } = await instantiate(text);
    expect(() => exports.boom()).toThrow(Trap);
    expect(() => exports.ok()).toThrow(/poison|trap/i);
    const fresh = await instantiate(text);
    expect(fresh.exports.ok()).toBe(1);
  });

  it('throws ComponentError with the payload for an err result', async () => {
    const text = `(component
      (core module $m
        (memory (export "mem") 1)
        (func (export "f") (param i32) (result i32)
          (i32.store (i32.const 8) (i32.ne (local.get 0) (i32.const 0)))
          (i32.store (i32.const 12) (local.get 0))
          i32.const 8))
      (core instance $i (instantiate $m))
      (type $r (result u32 (error u32)))
      (func (export "check") (param "x" u32) (result $r) (canon lift (core func $i "f") (memory (core memory $i "mem")))))`;
    const { exports } = await instantiate(text);
    expect(exports.check(0)).toBe(0);
    try {
      exports.check(9);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ComponentError);
      expect((e as ComponentError).payload).toBe(9);
    }
  });
});

describe('instance limit', () => {
  // Each level instantiates the one inside it twice: 2^30 instances at 30 levels.
  const bomb = (levels: number) => {
    let c = '(component)';
    for (let k = 0; k < levels; k++) c = `(component ${c} (instance (instantiate 0)) (instance (instantiate 0)))`;
    return `(component ${c} (instance (instantiate 0)))`;
  };

  it('stops a component that would make 2^30 instances with a LinkError naming the limit', async () => {
    const c = await compile(bomb(30));
    const t0 = performance.now();
    await expect(c.instantiate({})).rejects.toThrow(
      'instance count exceeds the limit of 10000 (instantiate option maxInstances)',
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    // the limit is per instantiation and settable
    await c.instantiate({}, { maxInstances: 1 }).catch((e: Error) => expect(e.name).toBe('LinkError'));
    await (await compile(bomb(3))).instantiate({}, { maxInstances: 16 });
    await expect((await compile(bomb(3))).instantiate({}, { maxInstances: 15 })).rejects.toThrow('limit of 15');
  });
});
