import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWast, runWastFile } from '../src/runner.ts';

const fixture = new URL('./fixtures/basic.wast', import.meta.url).pathname;

describe('runWast end to end', () => {
  it('passes a script of our own', async () => {
    const r = await runWastFile(fixture);
    expect(r.failure).toBeUndefined();
    expect(r.passed).toBe(true);
    expect(r.directives).toBe(21);
  });

  it('reports the failing directive and line from a temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-wast-'));
    const file = join(dir, 'bad.wast');
    writeFileSync(
      file,
      [
        '(component',
        '  (core module $m (func (export "f") (result i32) (i32.const 7)))',
        '  (core instance $i (instantiate $m))',
        '  (func (export "f") (result u32) (canon lift (core func $i "f"))))',
        '(assert_return (invoke "f") (u32.const 7))',
        '',
        '(assert_return (invoke "f") (u32.const 8))',
        '(assert_return (invoke "f") (u32.const 7))',
      ].join('\n'),
    );
    const r = await runWastFile(file);
    expect(r.passed).toBe(false);
    expect(r.failure).toMatchObject({ directive: 'assert_return', line: 7 });
    expect(r.failure!.reason).toMatch(/returned 7, expected \(u32.const 8\)/);
    expect(r.directives).toBe(3);
  });

  it('fails traps with the wrong message, missing exports and wrong arity', async () => {
    const comp =
      '(component (core module $m (func (export "f") unreachable)) (core instance $i (instantiate $m)) (func (export "f") (canon lift (core func $i "f"))))\n';
    expect((await runWast(`${comp}(assert_trap (invoke "f") "out of bounds")`)).failure?.reason).toMatch(
      /expected trap "out of bounds", got/,
    );
    expect((await runWast(`${comp}(assert_return (invoke "g"))`)).failure?.reason).toMatch(/no exported function "g"/);
    expect((await runWast(`${comp}(assert_return (invoke "f" (u8.const 1)))`)).failure?.reason).toMatch(
      /takes 0 arguments/,
    );
    expect((await runWast(`${comp}(assert_return (invoke "f"))`)).failure?.reason).toMatch(/failed: Trap/);
  });

  it('fails assert_invalid when the component is fine, and reports syntax errors', async () => {
    const r = await runWast('(assert_invalid (component) "oops")');
    expect(r.failure).toMatchObject({ directive: 'assert_invalid', line: 1 });
    const s = await runWast('\n(component', 'x.wast');
    expect(s.failure).toMatchObject({ directive: 'parse', line: 2 });
  });
});
