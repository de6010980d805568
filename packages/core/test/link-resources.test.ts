import { describe, expect, it } from 'vitest';
import { LinkError } from '../src/index.ts';
import { HOST_COUNTER } from './helpers/guests.ts';
import { compile, instantiate } from './helpers/wat.ts';

// A component that imports a host resource class and uses it through
// [constructor], [method] and [static] imports, keeping the handle in between.
const USES_HOST_RESOURCE = `(component
${HOST_COUNTER}
  (core func $drop (canon resource.drop $c))
  (core module $m
    (import "h" "new" (func $new (param i32) (result i32)))
    (import "h" "bump" (func $bump (param i32) (result i32)))
    (import "h" "total" (func $total (result i32)))
    (import "h" "drop" (func $drop (param i32)))
    (func (export "run") (param i32) (result i32)
      (local $h i32)
      (local.set $h (call $new (local.get 0)))
      (drop (call $bump (local.get $h)))
      (drop (call $bump (local.get $h)))
      (call $drop (local.get $h))
      (call $total)))
  (core instance $hi (export "new" (func $new')) (export "bump" (func $bump')) (export "total" (func $total')) (export "drop" (func $drop)))
  (core instance $i (instantiate $m (with "h" (instance $hi))))
  (func (export "run") (param "start" u32) (result u32) (canon lift (core func $i "run"))))`;

describe('host resources', () => {
  it('constructs, calls methods and statics, and disposes a host class instance', async () => {
    const disposed: number[] = [];
    class Counter {
      static made = 0;
      n: number;
      constructor(start: number) {
        this.n = start;
        Counter.made++;
      }
      bump() {
        return ++this.n;
      }
      static total() {
        return Counter.made * 100;
      }
      [Symbol.dispose]() {
        disposed.push(this.n);
      }
    }
    const { exports } = await instantiate(USES_HOST_RESOURCE, { 'host:res/counter': { Counter } });
    expect(exports.run(5)).toBe(100);
    expect(disposed).toEqual([7]);
  });

  it('names a missing method in the LinkError', async () => {
    class Counter {}
    await expect(instantiate(USES_HOST_RESOURCE, { 'host:res/counter': { Counter } })).rejects.toThrow(LinkError);
    await expect(instantiate(USES_HOST_RESOURCE, { 'host:res/counter': { Counter } })).rejects.toThrow(/bump/);
  });
});

describe('components as values', () => {
  it('instantiates a component the host passes in as an import', async () => {
    const inner = await compile(`(component
      (import "base" (func $base (result u32)))
      (core func $b (canon lower (func $base)))
      (core module $m (import "h" "b" (func $b (result i32))) (func (export "f") (result i32) call $b i32.const 10 i32.mul))
      (core instance $hi (export "b" (func $b)))
      (core instance $i (instantiate $m (with "h" (instance $hi))))
      (func (export "times-ten") (result u32) (canon lift (core func $i "f"))))`);
    const outer = `(component
      (import "inner" (component $C
        (import "base" (func (result u32)))
        (export "times-ten" (func (result u32)))))
      (import "base" (func $base (result u32)))
      (instance $a (instantiate $C (with "base" (func $base))))
      (export "times-ten" (func $a "times-ten")))`;
    const { exports } = await instantiate(outer, { inner, base: () => 4 });
    expect(exports.timesTen()).toBe(40);
    expect(exports['times-ten']()).toBe(40);
  });

  it('re-exports an instance of a nested component as an interface object', async () => {
    const text = `(component
      (component $C
        (core module $m (func (export "v") (result i32) i32.const 3))
        (core instance $i (instantiate $m))
        (func $v (result u32) (canon lift (core func $i "v")))
        (instance $api (export "get-value" (func $v)))
        (export "my:pkg/api@1.0.0" (instance $api)))
      (instance $c (instantiate $C))
      (export "my:pkg/api@1.0.0" (instance $c "my:pkg/api@1.0.0")))`;
    const { exports } = await instantiate(text);
    expect(exports['my:pkg/api@1.0.0'].getValue()).toBe(3);
  });

  it('gives each instantiation of one component its own resource type', async () => {
    const text = `(component
      (type $r (resource (rep i32)))
      (core func $new (canon resource.new $r))
      (core func $rep (canon resource.rep $r))
      (core module $m
        (import "h" "new" (func $new (param i32) (result i32)))
        (import "h" "rep" (func $rep (param i32) (result i32)))
        (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
        ;; a borrow lowered into the defining instance arrives as the rep itself
        (func (export "read") (param i32) (result i32) (local.get 0)))
      (core instance $hi (export "new" (func $new)) (export "rep" (func $rep)))
      (core instance $i (instantiate $m (with "h" (instance $hi))))
      (export $R "thing" (type $r))
      (func (export "make") (param "v" u32) (result (own $R)) (canon lift (core func $i "make")))
      (func (export "read") (param "t" (borrow $R)) (result u32) (canon lift (core func $i "read"))))`;
    const c = await compile(text);
    const a = (await c.instantiate()).exports;
    const b = (await c.instantiate()).exports;
    const t = a.make(42);
    expect(t).toBeInstanceOf(a.Thing);
    expect(a.read(t)).toBe(42);
    expect(() => b.read(t)).toThrow();
    // The host's mistake does not poison either instance.
    expect(b.read(b.make(1))).toBe(1);
    expect(a.read(t)).toBe(42);
  });
});

describe('resources shared between host interfaces', () => {
  it('keeps the binding of a resource another interface re-exports (WIT `use`)', async () => {
    const text = `(component
      (import "my:io/streams" (instance $s
        (export "stream" (type $st (sub resource)))
        (export "[method]stream.id" (func (param "self" (borrow $st)) (result u32)))))
      (alias export $s "stream" (type $st))
      (alias export $s "[method]stream.id" (func $id))
      (import "my:cli/stdout" (instance $o
        (export "stream" (type $ost (eq $st)))
        (export "get-stdout" (func (result (own $ost))))))
      (alias export $o "get-stdout" (func $get))
      (core func $get' (canon lower (func $get)))
      (core func $id' (canon lower (func $id)))
      (core module $m
        (import "h" "get" (func $get (result i32)))
        (import "h" "id" (func $id (param i32) (result i32)))
        (func (export "run") (result i32) (call $id (call $get))))
      (core instance $hi (export "get" (func $get')) (export "id" (func $id')))
      (core instance $i (instantiate $m (with "h" (instance $hi))))
      (func (export "run") (result u32) (canon lift (core func $i "run"))))`;
    class Stream {
      id() {
        return 7;
      }
    }
    // The stdout interface offers no class of its own: its `stream` is io's.
    const { exports } = await instantiate(text, {
      'my:io/streams': { Stream },
      'my:cli/stdout': { getStdout: () => new Stream() },
    });
    expect(exports.run()).toBe(7);
  });
});
