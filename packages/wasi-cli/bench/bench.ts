// pnpm bench (in packages/wasi-cli):
//  1. stdout throughput: the C guest writes 256 MiB through wasi:cli/stdout
//     under `weft run`, piped into this process; `cat` of the same bytes from
//     a file, piped the same way, in the same run. Also in-process (no
//     process start-up, a discarding sink).
//  2. cold start: `weft run` of the componentize-qjs hello component, against
//     a bare `node` start-up.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Component } from '@weft/core';
import { createCliHost, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createRandom } from '@weft/wasi-random';

const SIZE = 256 * 1024 * 1024;
const guests = fileURLToPath(new URL('../test/guests/', import.meta.url));
const BIN = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
const NODE = process.execPath;
const WEFT = [NODE, '--conditions=weft-source', BIN, 'run'];

/** Runs a command, counts the bytes it writes to stdout, and times it (ms). */
function timed(cmd: string[]): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd.join(' ')} exited with ${code}`));
      else resolve({ ms: performance.now() - t0, bytes });
    });
  });
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

// The same bytes the guest writes ("big" mode: a-z repeating, '\n' every 64th byte).
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
const file = join(dir, 'big.txt');
const block = new Uint8Array(1 << 20);
for (let i = 0; i < block.length; i++) block[i] = 97 + (i % 26);
for (let i = 63; i < block.length; i += 64) block[i] = 10;
const all = new Uint8Array(SIZE);
for (let o = 0; o < SIZE; o += block.length) all.set(block, o);
writeFileSync(file, all);

try {
  console.log(`stdout throughput, ${SIZE / 1024 / 1024} MiB piped into the bench process (best of 3):`);
  const cat: { ms: number; bytes: number }[] = [];
  const weft: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < 3; i++) {
    cat.push(await timed(['cat', file]));
    weft.push(await timed([...WEFT, join(guests, 'command.wasm'), 'big', String(SIZE)]));
  }
  const c = best(cat);
  const w = best(weft);
  // Start-up alone (same guest, a one-line write), to separate it from the transfer.
  const startup = best([await timed([...WEFT, join(guests, 'command.wasm'), 'hello']), await timed([...WEFT, join(guests, 'command.wasm'), 'hello'])]);
  if (c.bytes !== SIZE || w.bytes !== SIZE) throw new Error(`byte counts differ: cat ${c.bytes}, weft ${w.bytes}`);
  console.log(`  cat                ${c.ms.toFixed(0).padStart(6)} ms  ${mibps(SIZE, c.ms).toFixed(0).padStart(6)} MiB/s`);
  console.log(`  weft run (process) ${w.ms.toFixed(0).padStart(6)} ms  ${mibps(SIZE, w.ms).toFixed(0).padStart(6)} MiB/s`);
  console.log(`  weft / cat throughput: ${(c.ms / w.ms).toFixed(2)}x end to end (goal >= 0.5)`);
  const xfer = Math.max(1, w.ms - startup.ms);
  console.log(`  weft start-up alone ${startup.ms.toFixed(0).padStart(5)} ms; transfer after start-up ${xfer.toFixed(0)} ms = ${mibps(SIZE, xfer).toFixed(0)} MiB/s, ${(c.ms / xfer).toFixed(2)}x cat`);

  // In process: no start-up, the sink discards.
  const component = await Component.compile(readFileSync(join(guests, 'command.wasm')));
  const inproc: number[] = [];
  for (let i = 0; i < 3; i++) {
    let n = 0;
    const cli = createCliHost({ args: ['command', 'big', String(SIZE)], stdin: 'ignore', stdout: (b) => void (n += b.length), stderr: 'ignore' });
    const instance = await component.instantiate({ ...cli.imports, ...createClocks(), ...createRandom() });
    const t0 = performance.now();
    await runCommand(instance, { drain: cli.drain });
    inproc.push(performance.now() - t0);
    if (n !== SIZE) throw new Error(`in-process run wrote ${n} bytes`);
  }
  const ip = Math.min(...inproc);
  console.log(`  in process         ${ip.toFixed(0).padStart(6)} ms  ${mibps(SIZE, ip).toFixed(0).padStart(6)} MiB/s`);

  console.log('\ncold start (median of 5):');
  const nodeRuns: number[] = [];
  const qjsRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    nodeRuns.push((await timed([NODE, '-e', ''])).ms);
    const r = await timed([...WEFT, join(guests, 'qjs-hello.wasm')]);
    if (r.bytes === 0) throw new Error('the qjs hello component printed nothing');
    qjsRuns.push(r.ms);
  }
  const n = median(nodeRuns);
  const q = median(qjsRuns);
  console.log(`  node -e ''                  ${n.toFixed(0).padStart(5)} ms`);
  console.log(`  weft run qjs-hello.wasm     ${q.toFixed(0).padStart(5)} ms  (${(q / n).toFixed(1)}x a bare node start; ${(q - n).toFixed(0)} ms over it)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
