// pnpm bench (in packages/wasi-cli). Everything runs through `sh -c`, as a
// user would type it, and weft is compared with `cat` in the same run:
//  1. stdout throughput: the C guest writes 256 MiB through wasi:cli/stdout
//     (1 MiB per stream write) `> /dev/null` and `| cat > /dev/null`; `cat`
//     of a file holding the same bytes, the same two ways. Start-up is
//     measured on its own (the same guest writing one line) and taken off,
//     which gives weft's transfer rate. Also in process (no start-up).
//  2. cold start of `weft run` on the componentize-qjs hello component and on
//     the C guest: first run (empty compile cache), warm runs (cache filled),
//     a bare `node` start for scale, and the CLI bundled to plain JS (what an
//     install from npm runs: no type stripping).
// Options: --quick (fewer repetitions), --no-bundle.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Component } from '@weft/core';
import { createCliHost, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createRandom } from '@weft/wasi-random';

const SIZE = 256 * 1024 * 1024;
const REPS = process.argv.includes('--quick') ? 3 : 5;
const guests = fileURLToPath(new URL('../test/guests/', import.meta.url));
const BIN = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
const C_GUEST = join(guests, 'command.wasm');
const QJS_HELLO = join(guests, 'qjs-hello.wasm');
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const NODE = q(process.execPath);
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
const WEFT = `${NODE} --conditions=weft-source ${q(BIN)} run`;
// One compile cache for the whole run, so "warm" means what a user's second run sees.
const CACHE = join(dir, 'compile-cache');

/** Runs `sh -c script`; resolves with wall time in ms. Fails on a non-zero exit. */
function sh(script: string, env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('sh', ['-c', script], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_COMPILE_CACHE: CACHE, ...env },
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${script} exited with ${code}`));
      else resolve(ms);
    });
  });
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
const rate = (x: number) => `${x.toFixed(0).padStart(6)} MiB/s`;

/** Runs every script REPS times, interleaved (machine noise hits all alike); returns the times. */
async function interleaved(scripts: Record<string, string>, reps = REPS): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(scripts)) out[k] = [];
  for (let i = 0; i < reps; i++) for (const [k, s] of Object.entries(scripts)) out[k]!.push(await sh(s));
  return out;
}

// The same bytes the guest writes ("big" mode: a-z repeating, '\n' every 64th byte).
const file = join(dir, 'big.txt');
const block = new Uint8Array(1 << 20);
for (let i = 0; i < block.length; i++) block[i] = 97 + (i % 26);
for (let i = 63; i < block.length; i += 64) block[i] = 10;
const all = new Uint8Array(SIZE);
for (let o = 0; o < SIZE; o += block.length) all.set(block, o);
writeFileSync(file, all);

try {
  // Warm the compile cache, and check weft writes exactly the file's bytes.
  await sh(`${WEFT} ${q(C_GUEST)} big ${SIZE} | cmp -s - ${q(file)}`);

  console.log(
    `stdout throughput: ${SIZE / 1024 / 1024} MiB, ${REPS} runs each: min (median) ms, MiB/s of the median; all via sh -c`,
  );
  const big = `${q(C_GUEST)} big ${SIZE}`;
  const t = await interleaved({
    catNull: `cat ${q(file)} > /dev/null`,
    weftNull: `${WEFT} ${big} > /dev/null`,
    hello: `${WEFT} ${q(C_GUEST)} hello > /dev/null`,
    catPipe: `cat ${q(file)} | cat > /dev/null`,
    weftPipe: `${WEFT} ${big} | cat > /dev/null`,
    helloPipe: `${WEFT} ${q(C_GUEST)} hello | cat > /dev/null`,
  });
  // Transfer time: each big run less the start-up run next to it (paired, so a
  // noisy moment hits both), the median of those.
  const paired = (w: number[], h: number[]) => Math.max(1, median(w.map((x, i) => x - h[i]!)));
  const xNull = paired(t.weftNull!, t.hello!);
  const xPipe = paired(t.weftPipe!, t.helloPipe!);
  const row = (label: string, xs: number[], xfer?: number) =>
    `  ${label.padEnd(32)} ${ms(min(xs))} (${median(xs).toFixed(0).padStart(4)})  ${rate(mibps(SIZE, xfer ?? median(xs)))}${xfer === undefined ? '' : `  (transfer ${xfer.toFixed(0)} ms, start-up taken off)`}`;
  console.log(row('cat file > /dev/null', t.catNull!));
  console.log(row('weft run big > /dev/null', t.weftNull!, xNull));
  console.log(row('cat file | cat > /dev/null', t.catPipe!));
  console.log(row('weft run big | cat > /dev/null', t.weftPipe!, xPipe));
  console.log(
    `  ${'weft run hello > /dev/null'.padEnd(32)} ${ms(min(t.hello!))} (${median(t.hello!).toFixed(0).padStart(4)})  start-up`,
  );
  console.log(
    `  transfer rate weft / cat (medians): > /dev/null ${(median(t.catNull!) / xNull).toFixed(2)}x, | cat ${(median(t.catPipe!) / xPipe).toFixed(2)}x (goal >= 0.5)`,
  );
  console.log(
    `  end to end, start-up included (medians): > /dev/null ${(median(t.catNull!) / median(t.weftNull!)).toFixed(2)}x, | cat ${(median(t.catPipe!) / median(t.weftPipe!)).toFixed(2)}x`,
  );

  // In process: no start-up; the sink counts and lets its buffer be reused (as the fd sink does).
  const component = await Component.compile(readFileSync(C_GUEST));
  const inproc: number[] = [];
  for (let i = 0; i < REPS; i++) {
    let n = 0;
    const stdout = { releasesChunks: true, write: (b: Uint8Array) => void (n += b.length) };
    const cli = createCliHost({ args: ['command', 'big', String(SIZE)], stdin: 'ignore', stdout, stderr: 'ignore' });
    const instance = await component.instantiate({ ...cli.imports, ...createClocks(), ...createRandom() });
    const t0 = performance.now();
    await runCommand(instance, { drain: cli.drain });
    inproc.push(performance.now() - t0);
    if (n !== SIZE) throw new Error(`in-process run wrote ${n} bytes`);
  }
  console.log(row('in process (no start-up, no fd)', inproc));

  console.log(`\nstart-up, ms (first = empty compile cache; warm = min (median) of ${REPS}):`);
  const startup = async (label: string, weft: string) => {
    const cold: number[] = [];
    for (let i = 0; i < Math.min(REPS, 3); i++) {
      const fresh = mkdtempSync(join(dir, 'cold-'));
      cold.push(await sh(`${weft} ${q(QJS_HELLO)} > /dev/null`, { NODE_COMPILE_CACHE: fresh }));
    }
    const w = await interleaved({
      qjs: `${weft} ${q(QJS_HELLO)} > /dev/null`,
      c: `${weft} ${q(C_GUEST)} hello > /dev/null`,
    });
    console.log(
      `  ${label.padEnd(28)} qjs-hello first ${ms(median(cold))}, warm ${ms(min(w.qjs!))} (${median(w.qjs!).toFixed(0)});  C hello warm ${ms(min(w.c!))} (${median(w.c!).toFixed(0)})`,
    );
  };
  const bare = await interleaved({ node: `${NODE} -e '' > /dev/null` });
  console.log(`  ${"node -e ''".padEnd(28)} ${ms(min(bare.node!))} (${median(bare.node!).toFixed(0)})`);
  await startup('weft (TypeScript sources)', WEFT);
  if (!process.argv.includes('--no-bundle')) {
    const bundle = join(dir, 'weft.mjs');
    const esbuild = fileURLToPath(new URL('../../../node_modules/.bin/esbuild', import.meta.url));
    const r = spawnSync(
      esbuild,
      [
        BIN,
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--conditions=weft-source',
        '--external:@bytecodealliance/*',
        `--outfile=${bundle}`,
        '--log-level=error',
      ],
      { stdio: 'inherit' },
    );
    if (r.status === 0) {
      // The bundle lives in the temp dir: resolve preview2-shim from here.
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      spawnSync('ln', [
        '-s',
        fileURLToPath(new URL('../../wasi-p2/node_modules', import.meta.url)),
        join(dir, 'node_modules'),
      ]);
      await startup('weft (bundled JS)', `${NODE} ${q(bundle)} run`);
    } else console.log('  (esbuild failed: no bundled measurement)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
