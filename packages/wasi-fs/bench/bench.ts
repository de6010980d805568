// pnpm bench (in packages/wasi-fs): wasi:filesystem@0.3.0 streams against Node's own file
// streams, on the same files in the same run (issue 10's goal: at least 0.8x Node both ways,
// memory bounded).
//
//   read   the C guest (test/guests/fs.wasm `readbench`) reads a file to the end through
//          read-via-stream, 1 MiB per stream read, on a NodeBackend preopen; Node reads it
//          with fs.createReadStream (default 64 KiB chunks, and 1 MiB for scale).
//   write  the guest writes the same number of bytes into a new file through write-via-stream
//          (`writebench`, 1 MiB per stream write); Node with fs.createWriteStream, 1 MiB writes,
//          waiting for 'drain'.
//   Also a plain fs.readSync / fs.writeSync loop of 1 MiB: the ceiling for Weft, whose
//   backends do synchronous I/O (Node's streams go through the libuv thread pool).
//
// Every measurement runs in a fresh child process, so each gets its own RSS high-water mark:
// "peak" is the child's maxRSS (getrusage), "growth" the highest RSS during the transfer (sampled
// every 5 ms, and maxRSS if the transfer raised it) less the RSS just before it; "loop stall" the longest the event loop went without
// a turn during the transfer (other work in the process waits that long). Rates are in MB/s (10^6 bytes); the median of the
// runs, interleaved so machine noise hits every case alike. The input file is written once
// before the runs (so it sits in the page cache for all of them); output files are removed
// before each run.
//
// Options (env): WEFT_BENCH_FS_BYTES (default 1 GiB; accepts 64M, 1G, ...), WEFT_BENCH_FS_REPS
// (default 3). --profile writes a V8 CPU profile of the Weft transfers (the last run of each)
// to $TMPDIR/weft-bench-fs-profiles/ (kept) and prints the functions with the most self time.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const GUEST = fileURLToPath(new URL('../test/guests/fs.wasm', import.meta.url));
const MiB = 1 << 20;
const CHUNK = MiB;

function parseSize(s: string | undefined, dflt: number): number {
  if (!s) return dflt;
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(s.trim());
  if (!m) throw new Error(`WEFT_BENCH_FS_BYTES: cannot read ${JSON.stringify(s)}`);
  const unit = { '': 1, k: 1024, m: MiB, g: 1024 * MiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

/** The bytes both sides write: the guest's `writebench` pattern, 'a' + i % 26 with '\n' at every 64th byte, per 1 MiB block. */
function block(): Uint8Array {
  const b = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) b[i] = (i & 63) === 63 ? 10 : 97 + (i % 26);
  return b;
}

/** What `readbench` prints as its sample: every 4096th byte of the file, folded h = h * 31 + b (u64). */
function sampleOf(file: string): bigint {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK);
  let h = 0n;
  try {
    for (let pos = 0; ; pos += CHUNK) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      for (let i = 0; i < n; i += 4096) h = (h * 31n + BigInt(buf[i]!)) & 0xffff_ffff_ffff_ffffn;
    }
  } finally {
    fs.closeSync(fd);
  }
  return h;
}

// ---- one measurement, in a child process ----

interface Result {
  ms: number;
  bytes: number;
  /** RSS just before the transfer, bytes. */
  base: number;
  /** Highest RSS during the transfer (samples, and the high-water mark if the transfer raised it), bytes. */
  sampled: number;
  /** getrusage maxRSS of the whole child, bytes. */
  peak: number;
  /** Longest the event loop went without a turn during the transfer, ms. */
  stall: number;
  out?: string;
}

type Case =
  | 'weft-read'
  | 'node-read'
  | 'node-read-1m'
  | 'node-readsync'
  | 'weft-write'
  | 'node-write'
  | 'node-writesync';

async function child(kind: Case, file: string, size: number, profileTo?: string): Promise<void> {
  let transfer: () => Promise<{ bytes: number; out?: string }>;
  if (kind === 'weft-read' || kind === 'weft-write') {
    const { Component } = await import('@weft/core');
    const { CaptureSink, createCliHost, runCommand } = await import('@weft/wasi-cli');
    const { createFilesystem } = await import('@weft/wasi-fs');
    const component = await Component.compile(fs.readFileSync(GUEST));
    const name = file.slice(file.lastIndexOf('/') + 1);
    const args = kind === 'weft-read' ? ['readbench', name] : ['writebench', name, String(size)];
    const stdout = new CaptureSink();
    const cli = createCliHost({ stdin: 'ignore', stdout, stderr: 'inherit', args: ['fs', ...args] });
    const instance = await component.instantiate({
      ...cli.imports,
      ...createFilesystem({ preopens: { '/': file.slice(0, file.lastIndexOf('/')) } }),
      'wasi:clocks/system-clock@0.3.0': {},
    });
    transfer = async () => {
      const code = await runCommand(instance, { drain: cli.drain });
      const out = stdout.text();
      if (code !== 0) throw new Error(`guest exited ${code}: ${out}`);
      return { bytes: Number(/(?:read|wrote) (\d+)/.exec(out)?.[1]), out };
    };
  } else if (kind === 'node-read' || kind === 'node-read-1m') {
    transfer = () =>
      new Promise((resolve, reject) => {
        let bytes = 0;
        const s = fs.createReadStream(file, kind === 'node-read-1m' ? { highWaterMark: MiB } : {});
        s.on('data', (c) => {
          bytes += c.length;
        });
        s.on('error', reject);
        s.on('end', () => resolve({ bytes }));
      });
  } else if (kind === 'node-readsync') {
    transfer = async () => {
      const fd = fs.openSync(file, 'r');
      const buf = new Uint8Array(CHUNK);
      let bytes = 0;
      for (let n = 1; n > 0; bytes += n) n = fs.readSync(fd, buf, 0, CHUNK, bytes);
      fs.closeSync(fd);
      return { bytes };
    };
  } else if (kind === 'node-writesync') {
    const data = block();
    transfer = async () => {
      const fd = fs.openSync(file, 'w');
      for (let left = size; left > 0; left -= CHUNK) fs.writeSync(fd, data, 0, Math.min(left, CHUNK));
      fs.closeSync(fd);
      return { bytes: size };
    };
  } else {
    const data = block();
    transfer = () =>
      new Promise((resolve, reject) => {
        const s = fs.createWriteStream(file);
        let left = size;
        s.on('error', reject);
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, CHUNK);
            left -= n;
            if (!s.write(n === CHUNK ? data : data.subarray(0, n))) return void s.once('drain', pump);
          }
          s.end(() => resolve({ bytes: size }));
        };
        pump();
      });
  }
  // --profile: the transfer only (not start-up or compiling), through the inspector
  let session: import('node:inspector/promises').Session | undefined;
  if (profileTo) {
    const { Session } = await import('node:inspector/promises');
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const base = process.memoryUsage.rss();
  const hw0 = process.resourceUsage().maxRSS * 1024;
  let sampled = base;
  let fires = 0;
  const timer = setInterval(() => {
    fires++;
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 5);
  const t0 = performance.now();
  const r = await transfer();
  const ms = performance.now() - t0;
  clearInterval(timer);
  loop.disable();
  // the delay is measured when the timer finally runs: a transfer that never yields shows as one long delay
  const stall = Math.max(loop.max / 1e6, fires === 0 ? ms : 0);
  sampled = Math.max(sampled, process.memoryUsage.rss());
  const peak = process.resourceUsage().maxRSS * 1024;
  // a transfer that never yields gets no samples: the high-water mark, if it rose, still saw its peak
  if (peak > hw0) sampled = Math.max(sampled, peak);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(profileTo!.slice(0, profileTo!.lastIndexOf('/')), { recursive: true });
    fs.writeFileSync(profileTo!, JSON.stringify(profile));
    session.disconnect();
  }
  process.stdout.write(
    `${JSON.stringify({ ms, bytes: r.bytes, base, sampled, peak, stall, out: r.out } satisfies Result)}\n`,
  );
}

function runChild(kind: Case, file: string, size: number, profileTo?: string): Promise<Result> {
  const args = ['--conditions=weft-source', fileURLToPath(import.meta.url), '--child', kind, file, String(size)];
  if (profileTo) args.push(profileTo);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: HERE });
    let text = '';
    p.stdout.on('data', (c) => {
      text += c;
    });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${kind} child exited with ${code}`));
      else resolve(JSON.parse(text.trim().split('\n').pop()!));
    });
  });
}

// ---- --profile: the hottest functions of a .cpuprofile ----

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

function topFunctions(file: string, n = 15): string[] {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    // the profiler starting (its own Session.post) is no part of the transfer
    if (functionName === 'post' && url === 'node:inspector') return;
    const where = url ? `${url.replace(/^.*\/packages\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

// ---- the parent: files, runs, table ----

async function main(): Promise<void> {
  const size = parseSize(process.env.WEFT_BENCH_FS_BYTES, 1024 * MiB);
  const reps = Number(process.env.WEFT_BENCH_FS_REPS ?? 3);
  const profile = process.argv.includes('--profile');
  const dir = fs.mkdtempSync(join(tmpdir(), 'weft-bench-fs-'));
  const profileDir = profile ? join(tmpdir(), 'weft-bench-fs-profiles') : undefined;
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  try {
    const input = join(dir, 'input.bin');
    const data = block();
    // the input: pseudo-random 1 MiB blocks so the guest's sample checks real content
    {
      const fd = fs.openSync(input, 'w');
      const buf = new Uint8Array(CHUNK);
      let x = 0x9e3779b9;
      for (let left = size; left > 0; left -= CHUNK) {
        for (let i = 0; i < CHUNK; i += 4) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          buf[i] = x;
          buf[i + 1] = x >>> 8;
          buf[i + 2] = x >>> 16;
          buf[i + 3] = x >>> 24;
        }
        fs.writeSync(fd, buf, 0, Math.min(left, CHUNK));
      }
      fs.closeSync(fd);
    }
    const expectSample = sampleOf(input);
    const out = (kind: Case) => join(dir, `${kind}.out`);

    console.log(
      `wasi:filesystem@0.3.0 streams vs Node fs streams: ${(size / MiB).toFixed(0)} MiB, ${reps} runs each (median), one child process per run`,
    );
    const cases: Case[] = [
      'node-read',
      'node-read-1m',
      'node-readsync',
      'weft-read',
      'node-write',
      'node-writesync',
      'weft-write',
    ];
    const results: Record<string, Result[]> = {};
    for (const c of cases) results[c] = [];
    for (let i = 0; i < reps; i++) {
      for (const c of cases) {
        const write = c.includes('write');
        if (write) fs.rmSync(out(c), { force: true });
        const prof = profileDir && c.startsWith('weft') ? join(profileDir, `${c}.cpuprofile`) : undefined;
        const r = await runChild(c, write ? out(c) : input, size, prof);
        if (r.bytes !== size) throw new Error(`${c}: moved ${r.bytes} bytes, not ${size}`);
        if (c === 'weft-read' && !r.out?.includes(`sample ${expectSample}\n`))
          throw new Error(`weft-read: content differs (${r.out?.trim()}, want sample ${expectSample})`);
        if (write) {
          if (fs.statSync(out(c)).size !== size) throw new Error(`${c}: file has the wrong size`);
          const fd = fs.openSync(out(c), 'r');
          const head = new Uint8Array(Math.min(CHUNK, size));
          fs.readSync(fd, head, 0, head.length, 0);
          fs.closeSync(fd);
          if (Buffer.compare(head, data.subarray(0, head.length)) !== 0) throw new Error(`${c}: wrong content`);
          fs.rmSync(out(c));
        }
        results[c]!.push(r);
      }
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const mbps = (c: Case) => size / 1e6 / (median(results[c]!.map((r) => r.ms)) / 1000);
    const mb = (x: number) => `${(x / MiB).toFixed(0).padStart(5)} MiB`;
    const label: Record<Case, string> = {
      'node-read': 'Node createReadStream (64 KiB)',
      'node-read-1m': 'Node createReadStream (1 MiB)',
      'node-readsync': 'Node fs.readSync loop (1 MiB)',
      'weft-read': 'Weft read-via-stream (1 MiB)',
      'node-write': 'Node createWriteStream (1 MiB)',
      'node-writesync': 'Node fs.writeSync loop (1 MiB)',
      'weft-write': 'Weft write-via-stream (1 MiB)',
    };
    console.log(`  ${''.padEnd(32)} ${'MB/s'.padStart(7)}  ${'ms'.padStart(6)}  peak RSS   growth  loop stall`);
    for (const c of cases) {
      const rs = results[c]!;
      console.log(
        `  ${label[c].padEnd(32)} ${mbps(c).toFixed(0).padStart(7)}  ${median(rs.map((r) => r.ms))
          .toFixed(0)
          .padStart(
            6,
          )}  ${mb(Math.max(...rs.map((r) => r.peak)))}  ${mb(Math.max(...rs.map((r) => r.sampled - r.base)))}  ${Math.max(
          ...rs.map((r) => r.stall),
        )
          .toFixed(0)
          .padStart(7)} ms`,
      );
    }
    const ratio = (w: Case, n: Case) => (mbps(w) / mbps(n)).toFixed(2);
    console.log(
      `  Weft / Node streams: read ${ratio('weft-read', 'node-read')}x (1 MiB chunks ${ratio('weft-read', 'node-read-1m')}x), write ${ratio('weft-write', 'node-write')}x  (goal >= 0.8)`,
    );
    console.log(
      `  Weft / Node's sync loop (the ceiling: Weft's backend reads and writes synchronously): read ${ratio('weft-read', 'node-readsync')}x, write ${ratio('weft-write', 'node-writesync')}x`,
    );
    if (profileDir) {
      for (const f of fs.readdirSync(profileDir).sort()) {
        console.log(`\n${join(profileDir, f)} (the last run's transfer), self time:`);
        for (const l of topFunctions(join(profileDir, f))) console.log(`  ${l}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) {
  const [kind, file, size, profileTo] = process.argv.slice(at + 1);
  await child(kind as Case, file!, Number(size), profileTo);
} else {
  await main();
}
