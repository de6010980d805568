// `weft run --fuel N --timeout DURATION` (issue 9): the guest is instrumented and
// stops with a trap (exit 134) when the fuel runs out or the deadline passes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleText } from '@weft/wast';
import { main } from '../src/main.ts';
import { parseDuration, parseRunArgs } from '../src/commands/run-args.ts';
import type { Io } from '../src/io.ts';

const SPIN = `(component
  (core module $m
    (func (export "spin") (loop $l (br $l)))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $d (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $i)))
  (core instance $i (instantiate $m))
  (func (export "spin") (canon lift (core func $i "spin")))
  (func (export "count") (param "n" u32) (result u32) (canon lift (core func $i "count"))))`;

let wasm = '';
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-limits-'));
  wasm = join(dir, 'spin.wasm');
  writeFileSync(wasm, await assembleText(SPIN));
});

async function run(...argv: string[]) {
  const outs: string[] = [];
  const errs: string[] = [];
  const io: Io = { out: (l) => outs.push(l), err: (l) => errs.push(l) };
  const code = await main(['run', ...argv], io);
  return { code, out: outs, err: errs };
}

describe('weft run --fuel / --timeout', () => {
  it('--fuel: enough runs, too little traps "fuel exhausted" (exit 134)', async () => {
    expect(await run('--fuel', '1000', '--invoke', 'count(100)', wasm)).toEqual({ code: 0, out: ['100'], err: [] });
    expect(await run('--fuel=50', '--invoke', 'count(100)', wasm)).toEqual({
      code: 134,
      out: [],
      err: ['weft: Trap: wasm trap: fuel exhausted'],
    });
    expect((await run('--fuel', '100000', '--invoke', 'spin()', wasm)).err).toEqual([
      'weft: Trap: wasm trap: fuel exhausted',
    ]);
  });

  it('--timeout stops a tight loop with "deadline exceeded"', async () => {
    const t0 = performance.now();
    expect(await run('--timeout', '100ms', '--invoke', 'spin()', wasm)).toEqual({
      code: 134,
      out: [],
      err: ['weft: Trap: wasm trap: deadline exceeded'],
    });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('parses durations and fuel', () => {
    expect(parseDuration('--timeout', '500ms')).toBe(500);
    expect(parseDuration('--timeout', '5s')).toBe(5000);
    expect(parseDuration('--timeout', '2m')).toBe(120_000);
    expect(parseDuration('--timeout', '250')).toBe(250);
    expect(() => parseDuration('--timeout', '5h')).toThrow(/expected a duration/);
    expect(parseRunArgs(['--fuel', '12', 'x.wasm']).fuel).toBe(12n);
    expect(() => parseRunArgs(['--fuel', '-1', 'x.wasm'])).toThrow(/whole number/);
  });
});

describe('weft run --max-memory', () => {
  const C = new URL('../../wasi-cli/test/guests/command.wasm', import.meta.url).pathname;

  it('parses sizes into 64 KiB pages and refuses bad ones (exit 2)', async () => {
    expect(parseRunArgs(['--max-memory', '64MiB', 'x.wasm']).maxMemoryPages).toBe(1024);
    expect(parseRunArgs(['--max-memory', '131072', 'x.wasm']).maxMemoryPages).toBe(2);
    for (const bad of ['0', '1KiB', '5GiB', 'lots']) expect((await run('--max-memory', bad, C)).code).toBe(2);
  });

  it('a component needing more memory than allowed fails to compile, naming the limit', async () => {
    const r = await run('--max-memory', '64KiB', C, 'hello');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/more than the limit of 1 \(option maxMemoryPages\)/);
  });
});
