import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleText } from '@weft/wast';
import { main } from '../src/main.ts';
import type { Io } from '../src/io.ts';

const GREETER = `(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      ;; keep the old contents when shrinking or growing
      (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0)
        (select (local.get 1) (local.get 3) (i32.lt_u (local.get 1) (local.get 3))))))
      (local.get $p))
    (data (i32.const 0) "Hello, ")
    (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
      (memory.copy (i32.const 2048) (i32.const 0) (i32.const 7))
      (memory.copy (i32.const 2055) (local.get $ptr) (local.get $len))
      (i32.store8 (i32.add (i32.const 2055) (local.get $len)) (i32.const 33))
      (i32.store (i32.const 512) (i32.const 2048))
      (i32.store (i32.const 516) (i32.add (local.get $len) (i32.const 8)))
      (i32.const 512))
    (func (export "sum") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "half") (param $n i32) (result i32)
      (if (i32.and (local.get $n) (i32.const 1))
        (then (i32.store (i32.const 600) (i32.const 1)) (i32.store (i32.const 604) (local.get $n)))
        (else (i32.store (i32.const 600) (i32.const 0)) (i32.store (i32.const 604) (i32.shr_u (local.get $n) (i32.const 1)))))
      (i32.const 600))
    (func (export "nothing")))
  (core instance $i (instantiate $m))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $i "greet") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (type $point' (record (field "x" s32) (field "y-pos" s32)))
  (export $point "point" (type $point'))
  (func (export "sum") (param "p" $point) (result s32) (canon lift (core func $i "sum")))
  (func (export "half") (param "n" u32) (result (result u32 (error u32)))
    (canon lift (core func $i "half") (memory (core memory $i "mem"))))
  (func (export "nothing") (canon lift (core func $i "nothing"))))`;

function capture(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

let wasm = '';
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-run-'));
  wasm = join(dir, 'greeter.wasm');
  writeFileSync(wasm, await assembleText(GREETER));
});

async function run(invoke: string) {
  const io = capture();
  const code = await main(['run', '--invoke', invoke, wasm], io);
  return { code, out: io.outs, err: io.errs };
}

describe('weft run', () => {
  it('calls an export with WAVE arguments and prints the result', async () => {
    expect(await run('greet("World")')).toEqual({ code: 0, out: ['"Hello, World!"'], err: [] });
    expect(await run('greet("\\"q\\" é")')).toEqual({ code: 0, out: ['"Hello, \\"q\\" é!"'], err: [] });
    expect(await run('sum({x: 2, y-pos: -5})')).toEqual({ code: 0, out: ['-3'], err: [] });
    expect(await run('half(10)')).toEqual({ code: 0, out: ['ok(5)'], err: [] });
    expect(await run('half(7)')).toEqual({ code: 0, out: ['err(7)'], err: [] });
    expect(await run('nothing()')).toEqual({ code: 0, out: [], err: [] });
  });

  it('reports bad invocations on one line', async () => {
    const r = await run('greet(42)');
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['weft: WaveError: expected a string at offset 1']);
    expect((await run('nope()')).err[0]).toMatch(/^weft: no exported function "nope"; exports: /);
  });
});

describe('weft inspect', () => {
  it('prints the world as WIT', async () => {
    const io = capture();
    expect(await main(['inspect', wasm], io)).toBe(0);
    const wit = io.outs.join('\n');
    expect(wit).toMatch(/^world root \{/);
    expect(wit).toContain('  export greet: func(name: string) -> string;');
    expect(wit).toContain('  record point { x: s32, y-pos: s32 }');
    expect(wit).toContain('  export sum: func(p: point) -> s32;');
    expect(wit).toContain('  export half: func(n: u32) -> result<u32, u32>;');
    expect(wit).toContain('  export nothing: func();');
  });
});
