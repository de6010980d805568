// Memory and table limits (issue 9, as Wasmtime's ResourceLimiter): a
// compile option caps every memory and table a component's core modules
// define; growing past it fails (-1), needing more from the start is a
// ValidationError naming the limit.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Component, ValidationError } from '../src/index.ts';
import { assemble } from './helpers/wat.ts';

const guest = (minPages: number) => `(component
  (core module $M
    (memory ${minPages})
    (table 1 funcref)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow-table") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
  (core instance $m (instantiate $M))
  (func (export "grow") (param "n" u32) (result s32) (canon lift (core func $m "grow")))
  (func (export "grow-table") (param "n" u32) (result s32) (canon lift (core func $m "grow-table")))
)`;

describe('resource limits', () => {
  it('memory.grow past maxMemoryPages fails with -1; without the option it succeeds', async () => {
    const limited: any = await (await Component.compile(await assemble(guest(1)), { maxMemoryPages: 4 })).instantiate();
    expect(limited.exports.grow(2)).toBe(1);
    expect(limited.exports.grow(2)).toBe(-1);
    expect(limited.exports.grow(1)).toBe(3);
    const free: any = await (await Component.compile(await assemble(guest(1)))).instantiate();
    expect(free.exports.grow(2)).toBe(1);
    expect(free.exports.grow(2)).toBe(3);
  });

  it('a memory that needs more pages from the start is a ValidationError naming the limit', async () => {
    const err = await Component.compile(await assemble(guest(10)), { maxMemoryPages: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/needs 10 memory pages, more than the limit of 4 \(option maxMemoryPages\)/);
  });

  it('table.grow past maxTableElements fails with -1', async () => {
    const c: any = await (await Component.compile(await assemble(guest(1)), { maxTableElements: 2 })).instantiate();
    expect(c.exports.growTable(1)).toBe(1);
    expect(c.exports.growTable(1)).toBe(-1);
  });

  it('limits combine with fuel instrumentation, and bad values are refused', async () => {
    const c: any = await (
      await Component.compile(await assemble(guest(1)), { maxMemoryPages: 2, fuel: true })
    ).instantiate({}, { fuel: 100 });
    expect(c.exports.grow(1)).toBe(1);
    expect(c.exports.grow(1)).toBe(-1);
    await expect(Component.compile(await assemble(guest(1)), { maxMemoryPages: -1 })).rejects.toThrow(RangeError);
  });

  it('a real guest (componentize-qjs) runs under generous limits', async () => {
    const bytes = readFileSync(new URL('./guests/values/values.wasm', import.meta.url));
    const c: any = await (
      await Component.compile(bytes, { maxMemoryPages: 1024, maxTableElements: 100_000 })
    ).instantiate();
    expect(c.exports.add(2, 3)).toBe(5);
    expect(c.exports.echo('x'.repeat(100_000))).toHaveLength(100_000);
  });
});
