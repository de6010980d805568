import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import type { Io } from '../src/io.ts';

function capture(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

describe('weft main', () => {
  it('prints help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.outs.join('\n')).toMatch(/weft run/);
  });
  it('rejects unknown commands and bad options with exit 2', async () => {
    const io = capture();
    expect(await main(['frob'], io)).toBe(2);
    expect(io.errs[0]).toBe('weft: unknown command "frob"');
    expect(await main(['run', '--bogus', 'x.wasm'], io)).toBe(2);
    expect(await main(['wast'], io)).toBe(2);
  });
  it('reports a missing file on one line with exit 1', async () => {
    const io = capture();
    expect(await main(['inspect', '/nonexistent/x.wasm'], io)).toBe(1);
    expect(io.errs).toEqual(['weft: cannot read /nonexistent/x.wasm: ENOENT']);
  });
  it('fails a wast file that does not parse', async () => {
    const io = capture();
    expect(await main(['wast', '-j', '0', '/nonexistent/a.wast'], io)).toBe(1);
    expect(io.outs[0]).toMatch(/^FAIL \/nonexistent\/a.wast: read: /);
    expect(io.outs.at(-1)).toBe('0 passed, 1 failed');
  });

  it('runs wast files in workers and stops a synchronous hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-cli-'));
    const ok = join(dir, 'ok.wast');
    const hang = join(dir, 'hang.wast');
    const comp = (body: string) =>
      `(component (core module $m (func (export "f") (result i32) ${body})) (core instance $i (instantiate $m)) (func (export "f") (result u32) (canon lift (core func $i "f"))))\n`;
    writeFileSync(ok, `${comp('(i32.const 3)')}(assert_return (invoke "f") (u32.const 3))`);
    writeFileSync(hang, `${comp('(loop $l (br $l)) (i32.const 0)')}(assert_return (invoke "f") (u32.const 0))`);
    const io = capture();
    expect(await main(['wast', '--file-timeout', '2000', ok, hang], io)).toBe(1);
    expect(io.outs).toEqual([`PASS ${ok}`, `FAIL ${hang}: file: timed out after 2000 ms`, '1 passed, 1 failed']);
  });
});
