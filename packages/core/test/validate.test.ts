import { describe, expect, it } from 'vitest';
import { parse } from '@bytecodealliance/jco';
import { decodeComponent } from '../src/binary/decode.ts';
import { ValidationError } from '../src/host/errors.ts';
import { Component } from '../src/index.ts';
import { elaborate } from '../src/types/elaborate.ts';
import type { ElaboratedComponent } from '../src/types/elaborated.ts';

async function build(body: string): Promise<ElaboratedComponent> {
  return elaborate(decodeComponent(await parse(`(component ${body})`)));
}

async function invalid(body: string, phrase: string | RegExp): Promise<void> {
  const err = await build(body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ValidationError mentioning ${phrase}`).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toMatch(phrase);
}

// A core module with a memory, a bump realloc and functions of common shapes.
const LIB = `
  (core module $lib
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
    (func (export "nop"))
    (func (export "i32->") (param i32))
    (func (export "->i32") (result i32) i32.const 0)
    (func (export "i32->i32") (param i32) (result i32) local.get 0)
    (func (export "ptr,len->") (param i32 i32)))
  (core instance $lib (instantiate $lib))
  (alias core export $lib "mem" (core memory $mem))
  (alias core export $lib "realloc" (core func $realloc))
  (alias core export $lib "nop" (core func $nop))
  (alias core export $lib "i32->" (core func $i32->))
  (alias core export $lib "->i32" (core func $->i32))`;

describe('elaborate: index spaces', () => {
  it('builds resolved types for every space', async () => {
    const el = await build(`${LIB}
      (type $point (record (field "x" s32) (field "y" s32)))
      (export $p "point" (type $point))
      (func $get (param "p" $p) (canon lift (core func $lib "ptr,len->")))
      (export "get" (func $get))`);
    expect(el.coreModules).toHaveLength(1);
    expect(el.coreModules[0]!.exports.get('i32->i32')).toEqual({
      kind: 'func',
      type: { kind: 'func', params: ['i32'], results: ['i32'] },
    });
    expect(el.coreMemories).toHaveLength(1);
    const get = el.type.exports.get('get');
    expect(get?.kind).toBe('func');
    if (get?.kind === 'func') expect(get.type.params[0]!.type).toMatchObject({ kind: 'record' });
    expect(el.funcs).toHaveLength(2); // the lift and its export
    expect(el.coreFuncs).toHaveLength(5); // four aliases plus the inline one the lift uses
  });

  it('gives each resource definition and sub-resource import a distinct identity', async () => {
    const el = await build(`
      (import "host-res" (type $h (sub resource)))
      (type $a (resource (rep i32)))
      (type $b (resource (rep i32)))`);
    const [a, b] = [...el.definedResources.values()];
    expect(a).not.toBe(b);
    expect(el.importedResources.get(0)).toMatchObject({ kind: 'resource', name: 'host-res' });
    expect(el.type.importedResources).toEqual([el.importedResources.get(0)]);
  });

  it('makes fresh exported resources per instantiation and substitutes imported ones', async () => {
    const el = await build(`
      (type $mine (resource (rep i32)))
      (component $child
        (import "in" (type $in (sub resource)))
        (type $own (resource (rep i32)))
        (export "in-again" (type $in))
        (export "out" (type $own)))
      (instance $one (instantiate $child (with "in" (type $mine))))
      (instance $two (instantiate $child (with "in" (type $mine))))`);
    const [one, two] = el.instances;
    const t = (i: typeof one, n: string) => {
      const e = i!.exports.get(n);
      return e?.kind === 'type' ? e.type : undefined;
    };
    expect(t(one, 'in-again')).toBe(el.definedResources.get(0));
    expect(t(one, 'out')).not.toBe(t(two, 'out'));
    expect(el.nested.size).toBe(1);
  });
});

describe('elaborate: defined types', () => {
  it('rejects empty and malformed compound types', async () => {
    await invalid('(type (record))', 'record type must have at least one field');
    await invalid('(type (variant))', 'variant type must have at least one case');
    await invalid('(type (enum))', 'enum type must have at least one variant');
    await invalid('(type (flags))', 'flags must have at least one entry');
    await invalid(`(type (flags ${Array.from({ length: 33 }, (_, i) => `"f${i}"`).join(' ')}))`, 'more than 32 flags');
    await invalid('(type (record (field "Mixed-case" u8)))', 'not in kebab case');
    await invalid('(type (enum "up" "UP"))', 'conflicts with previous');
  });

  it('bounds how deeply value types nest (a chain of 5000 definitions is a ValidationError, not a stack overflow)', async () => {
    const chain = (n: number) => {
      let t = '(type $t0 (list u8))';
      for (let i = 1; i < n; i++) t += ` (type $t${i} (list $t${i - 1}))`;
      return t;
    };
    await build(chain(99)); // 100 levels: list × 99 over u8
    await invalid(chain(100), /type nesting is too deep \(more than 100 levels; compile option maxTypeDepth\)/);
    await invalid(chain(5000), /type nesting is too deep \(more than 100 levels; compile option maxTypeDepth\)/);
    // settable: a lower limit trips sooner, a higher one lets deeper types through
    const lower = await Component.compile(await parse(`(component ${chain(10)})`), { maxTypeDepth: 5 }).catch(
      (e: Error) => e,
    );
    expect((lower as Error).message).toMatch(/more than 5 levels/);
    await Component.compile(await parse(`(component ${chain(150)})`), { maxTypeDepth: 200 });
  });

  it('checks handle and valtype references', async () => {
    await invalid('(type $r (record (field "a" u8))) (type (own $r))', 'not a resource type');
    await invalid('(type $f (func)) (type (list $f))', 'not a defined type');
    await invalid('(type (list 7))', 'type index out of bounds');
  });

  it('rejects borrows in results and stream elements, and stream<char>', async () => {
    await invalid(
      '(type $r (resource (rep i32))) (type (func (result (borrow $r))))',
      'result cannot contain a `borrow`',
    );
    await invalid('(type $r (resource (rep i32))) (type (stream (borrow $r)))', 'cannot contain a `borrow`');
    await invalid('(type (stream char))', 'stream<char>');
    await build('(type $r (resource (rep i32))) (type (func (param "x" (borrow $r))))');
  });

  it('allows resources only in concrete components, with an [i32] -> [] destructor', async () => {
    await invalid('(type (instance (type (resource (rep i32)))))', 'only be defined within a concrete component');
    await invalid(`${LIB} (type (resource (rep i32) (dtor $->i32)))`, 'destructor');
    await build(`${LIB} (type (resource (rep i32) (dtor $i32->)))`);
  });
});

describe('elaborate: names', () => {
  it('accepts plain, annotated and interface names', async () => {
    await build(`
      (import "log-line" (func))
      (import "wasi:clocks/wall-clock@0.3.0" (instance))
      (import "my-ns:my-pkg/api" (instance))
      (import "wasi:clocks/wall-clock@1.2.3-rc.1+build.5" (instance))`);
  });

  it('rejects malformed and non-unique names', async () => {
    await invalid('(import "notKebab" (func))', 'not in kebab case');
    await invalid('(import "a:b/c@1.02.0" (func))', 'leading zero');
    await invalid('(import "a:b/c/d" (func))', 'trailing characters');
    await invalid('(import "run" (func)) (import "RUN" (func))', 'conflicts with previous name');
    await invalid('(import "[method]thing" (func))', 'failed to find `.`');
  });

  it('enforces [constructor]/[method]/[static] typing', async () => {
    const res = '(import "blob" (type $b (sub resource)))';
    await build(`${res}
      (import "[constructor]blob" (func (result (own $b))))
      (import "[method]blob.size" (func (param "self" (borrow $b)) (result u32)))
      (import "[static]blob.empty" (func (result (own $b))))`);
    await invalid(`${res} (import "[constructor]blob" (func (result u32)))`, 'should return `(own $T)`');
    await invalid(`${res} (import "[method]blob.size" (func (param "this" (borrow $b))))`, 'called `self`');
    await invalid(`${res} (import "[static]other.make" (func))`, 'static resource name is not known');
    await invalid(
      `${res} (import "other" (type $o (sub resource)))
      (import "[constructor]blob" (func (result (own $o))))`,
      'does not match expected resource name',
    );
  });
});

describe('elaborate: core modules and instances', () => {
  it('checks instantiation arguments against the module imports', async () => {
    const user = `(core module $user (import "env" "f" (func (param i32))))`;
    await build(
      `${LIB} ${user} (core instance (instantiate $user (with "env" (instance $lib))))`.replace('"f"', '"i32->"'),
    );
    await invalid(`${LIB} ${user} (core instance (instantiate $user))`, 'missing module instantiation argument');
    await invalid(
      `${LIB} ${user} (core instance (instantiate $user (with "env" (instance $lib))))`,
      'does not export an item named `f`',
    );
    await invalid(
      `${LIB} ${user.replace('"f"', '"->i32"')} (core instance (instantiate $user (with "env" (instance $lib))))`,
      'type mismatch',
    );
  });

  it('checks core export aliases', async () => {
    await invalid(`${LIB} (alias core export $lib "missing" (core func))`, 'no export named `missing`');
    await invalid(`${LIB} (alias core export $lib "mem" (core func))`, 'is not a func');
  });
});

describe('elaborate: canon', () => {
  it('checks lift signatures against flatten_functype', async () => {
    await build(`${LIB} (func (param "x" u32) (canon lift (core func $lib "i32->")))`);
    await invalid(`${LIB} (func (param "x" u32) (canon lift (core func $lib "nop")))`, 'lowered parameter types');
    await invalid(`${LIB} (func (result u64) (canon lift (core func $lib "->i32")))`, 'result types');
  });

  it('requires memory and realloc where strings need them', async () => {
    await invalid(
      `${LIB} (func (param "s" string) (canon lift (core func $lib "ptr,len->")))`,
      '`realloc` is required',
    );
    await build(
      `${LIB} (func (param "s" string) (canon lift (core func $lib "ptr,len->") (memory $mem) (realloc $realloc)))`,
    );
    await invalid(
      `${LIB} (import "f" (func $f (param "s" string))) (core func (canon lower (func $f)))`,
      '`memory` is required',
    );
    await build(`${LIB} (import "f" (func $f (param "s" string))) (core func (canon lower (func $f) (memory $mem)))`);
  });

  it('rejects misplaced or mistyped options', async () => {
    await invalid(
      `${LIB} (import "f" (func $f)) (core func (canon lower (func $f) (post-return $nop)))`,
      'post-return',
    );
    await invalid(
      `${LIB} (func (param "x" u32) (canon lift (core func $lib "i32->") (memory $mem) (realloc $nop)))`,
      'incorrect signature',
    );
    await invalid(
      `${LIB} (func (param "x" u32) (canon lift (core func $lib "i32->") async (callback $nop)))`,
      'incorrect signature',
    );
    await invalid(
      `${LIB} (func (param "x" u32) (canon lift (core func $lib "i32->") async))`,
      'requires an async function type',
    );
  });

  it('gives resource builtins their core types and requires local resources', async () => {
    const el = await build(`(type $r (resource (rep i32)))
      (core func (canon resource.new $r)) (core func (canon resource.drop $r)) (core func (canon resource.rep $r))`);
    expect(el.coreFuncs.map((f) => [f.params, f.results])).toEqual([
      [['i32'], ['i32']],
      [['i32'], []],
      [['i32'], ['i32']],
    ]);
    await invalid('(import "r" (type $r (sub resource))) (core func (canon resource.new $r))', 'not a local resource');
  });
});

describe('elaborate: instantiation and subtyping', () => {
  const child = `(component $c
    (import "f" (func (param "x" u32)))
    (import "t" (type (eq $t))))`;
  it('requires every import with a subtype', async () => {
    const pre = `(type $t (record (field "a" u8))) (import "t-name" (type $tn (eq $t))) ${LIB}
      (func $good (param "x" u32) (canon lift (core func $lib "i32->")))
      (func $bad (canon lift (core func $lib "nop")))`;
    await build(`${pre} ${child} (instance (instantiate $c (with "f" (func $good)) (with "t" (type $t))))`);
    await invalid(`${pre} ${child} (instance (instantiate $c (with "t" (type $t))))`, 'missing import named `f`');
    await invalid(
      `${pre} ${child} (instance (instantiate $c (with "f" (func $bad)) (with "t" (type $t))))`,
      'expected 1 parameters',
    );
  });

  it('checks resource identity when supplying type imports', async () => {
    await invalid(
      `(type $a (resource (rep i32))) (type $b (resource (rep i32)))
      (component $c (import "x" (type $x (sub resource))) (import "y" (type (eq $x))))
      (instance (instantiate $c (with "x" (type $a)) (with "y" (type $b))))`,
      'resource types are not the same',
    );
  });

  it('checks export ascriptions are supertypes', async () => {
    await build('(import "i" (instance $i (export "f" (func)))) (export "j" (instance $i) (instance))');
    await invalid(
      '(import "i" (instance $i)) (export "j" (instance $i) (instance (export "f" (func))))',
      'not compatible',
    );
  });
});

describe('elaborate: external visibility and aliases', () => {
  it('requires resources and named types in exports to have external names', async () => {
    const pre = `${LIB} (type $r (resource (rep i32)))`;
    await invalid(
      `${pre} (func $f (result (own $r)) (canon lift (core func $lib "->i32"))) (export "f" (func $f))`,
      'not valid to be used as export',
    );
    await build(
      `${pre} (export $r2 "r" (type $r)) (func $f (result (own $r2)) (canon lift (core func $lib "->i32"))) (export "f" (func $f))`,
    );
    await invalid(
      `(type $e (enum "a" "b")) (type $l (list $e)) (export "l" (type $l))`,
      'not valid to be used as export',
    );
    await invalid(
      `(type $r (resource (rep i32))) (export $x "r" (type $r)) (import "f" (func (result (own $x))))`,
      'not valid to be used as import',
    );
  });

  it('keeps a named type inside another visible through a nested instantiation (componentize-qjs re-exports its inner handler)', async () => {
    // An imported instance's record `p`, inside its variant `e`; an inner component shims them
    // into an instance (as wit-component does) and the outer one re-exports that instance.
    const T = `(type $T (instance
      (export "r" (type (sub resource)))
      (type $pr (record (field "a" u8)))
      (export "p" (type (eq $pr)))
      (type $v (variant (case "x" 2) (case "y")))
      (export "e" (type (eq $v)))))`;
    const shim = `(component $shim
      (import "ir" (type $ir (sub resource)))
      (type $pr (record (field "a" u8)))
      (import "ip" (type $ip (eq $pr)))
      (type $v (variant (case "x" $ip) (case "y")))
      (import "ie" (type $ie (eq $v)))
      (type $o (own $ir))
      (type $f (func (param "r" $o) (result $ie)))
      (import "f" (func $f0 (type $f)))
      (export $er "r" (type $ir))
      (export $ee "e" (type $ie))
      (type $o2 (own $er))
      (type $f2 (func (param "r" $o2) (result $ee)))
      (export "f" (func $f0) (func (type $f2))))`;
    const inner = `${T}
      (import "t" (instance $t (type $T)))
      (alias export $t "r" (type $r))
      (alias export $t "p" (type $p))
      (alias export $t "e" (type $e))
      (type $fty (func (param "r" (own $r)) (result $e)))
      (import "impl" (func $impl (type $fty)))`;
    await build(`${inner} ${shim}
      (instance $si (instantiate $shim (with "ir" (type $r)) (with "ip" (type $p)) (with "ie" (type $e)) (with "f" (func $impl))))
      (export "h" (instance $si))`);
    await build(`${inner}
      (component $mid ${inner} ${shim}
        (instance $si (instantiate $shim (with "ir" (type $r)) (with "ip" (type $p)) (with "ie" (type $e)) (with "f" (func $impl))))
        (export "h" (instance $si)))
      (instance $m (instantiate $mid (with "t" (instance $t)) (with "impl" (func $impl))))
      (alias export $m "h" (instance $h))
      (export "h" (instance $h))`);
  });

  it('checks outer aliases', async () => {
    await build('(type $t u32) (component (alias outer 1 $t (type)))');
    await invalid('(type $r (resource (rep i32))) (component (alias outer 1 $r (type)))', 'refers to resources');
    await invalid('(component (alias outer 5 0 (type)))', 'invalid outer alias count');
  });

  it('checks export aliases of instances', async () => {
    await build('(import "i" (instance $i (export "f" (func)))) (alias export $i "f" (func))');
    await invalid('(import "i" (instance $i (export "f" (func)))) (alias export $i "g" (func))', 'no export named `g`');
  });
});
