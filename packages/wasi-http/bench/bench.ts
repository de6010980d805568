// pnpm bench (in packages/wasi-http): requests per second of a minimal wasi:http handler under
// `weft serve` against a bare node:http server returning the same bytes, in the same run
// (issue 11's goal: at least 0.5x bare Node with one worker, near-linear with workers), and the
// componentize-qjs handler under `weft serve` against the same component under jco +
// @bytecodealliance/preview3-shim's server.
//
//   bare node:http              bench/bare-server.mjs: 200, `content-type: text/plain`, "hello"
//   bare node:http ×2           the same, two node:cluster workers on one port
//   weft serve hello-c          test/guests/hello-c.wasm (C, raw ABI): the same status and bytes
//   weft serve --workers 2 hello-c
//   weft serve hello (qjs)      test/guests/hello.wasm (componentize-qjs)
//   jco + preview3-shim hello (qjs)  the same component, transpiled by jco, on preview3-shim's HttpServer
//
// Each server is its own process; autocannon (in this process) drives it with the same
// connections for the same time after a warm-up, and counts only 2xx responses with the body
// "hello". Runs are interleaved over the repetitions; the median is reported.
//
// Options (env): WEFT_BENCH_HTTP_SECONDS (default 5), WEFT_BENCH_HTTP_CONNECTIONS (default
// 100), WEFT_BENCH_HTTP_REPS (default 1), WEFT_BENCH_HTTP_CASES (a comma-separated subset of
// bare, bare2, weft, weft2, weft-qjs, jco-qjs). Without `weft serve` (packages/cli/src/commands/
// serve.ts) the weft cases are skipped, saying so.

import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { guest, launch, type Served, serve, serveExists } from '../test/guests/serve.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env.WEFT_BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.WEFT_BENCH_HTTP_CONNECTIONS ?? 100);
const REPS = Number(process.env.WEFT_BENCH_HTTP_REPS ?? 1);
const WARMUP_SECONDS = 1;

interface Case {
  id: string;
  label: string;
  start(): Promise<Served>;
  /** Why it cannot run here, if it cannot. */
  skip?: string;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

const weftSkip = serveExists() ? undefined : 'weft serve does not exist yet (packages/cli/src/commands/serve.ts)';

const CASES: Case[] = [
  { id: 'bare', label: 'bare node:http', start: () => launch([join(HERE, 'bare-server.mjs')], 'bare node:http') },
  {
    id: 'bare2',
    label: 'bare node:http ×2 (cluster)',
    start: () => launch([join(HERE, 'bare-server.mjs'), '--workers', '2'], 'bare node:http ×2'),
  },
  { id: 'weft', label: 'weft serve hello-c', start: () => serve(guest('hello-c')), skip: weftSkip },
  {
    id: 'weft2',
    label: 'weft serve --workers 2 hello-c',
    start: () => serve(guest('hello-c'), ['--workers', '2']),
    skip: weftSkip,
  },
  { id: 'weft-qjs', label: 'weft serve hello (qjs)', start: () => serve(guest('hello')), skip: weftSkip },
  { id: 'jco-qjs', label: 'jco + preview3-shim hello (qjs)', start: startJco },
];

/** Transpiles the qjs hello with jco into a temp dir where its shims resolve, and serves it. */
async function startJco(): Promise<Served> {
  const dir = join(tmpdir(), `weft-bench-http-jco-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules/@bytecodealliance'), { recursive: true });
  // jco and its shims are devDependencies of the workspace root, the shims one level down.
  const jco = packageDir(HERE, '@bytecodealliance/jco');
  const transpiler = packageDir(jco, '@bytecodealliance/jco-transpile');
  for (const shim of ['preview2-shim', 'preview3-shim'])
    symlinkSync(packageDir(transpiler, `@bytecodealliance/${shim}`), join(dir, 'node_modules/@bytecodealliance', shim));
  const { transpile } = (await import(pathToFileURL(join(jco, 'dist/api.js')).href)) as {
    transpile(bytes: Uint8Array, opts: object): Promise<{ files: Record<string, Uint8Array> }>;
  };
  const { files } = await transpile(readFileSync(guest('hello')), {
    name: 'hello',
    asyncMode: 'jspi',
    asyncExports: ['wasi:http/handler@0.3.0#handle'],
    map: { 'wasi:http/*': '@bytecodealliance/preview3-shim/http#*' },
  });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const shim = join(dir, 'node_modules/@bytecodealliance/preview3-shim/dist/nodejs/http.js');
  const served = await launch([join(HERE, 'jco-server.mjs'), join(dir, 'hello.js'), shim], 'jco + preview3-shim');
  const stop = served.stop;
  served.stop = async (grace) => {
    try {
      return await stop(grace);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return served;
}

/** Where `name` resolves from `from` (Node's node_modules walk), real path. */
function packageDir(from: string, name: string): string {
  for (let d = from; ; d = dirname(d)) {
    const p = join(d, 'node_modules', name);
    if (existsSync(join(p, 'package.json'))) return realpathSync(p);
    if (dirname(d) === d) throw new Error(`cannot find ${name} from ${from}`);
  }
}

async function measure(c: Case): Promise<Run> {
  const server = await c.start();
  try {
    await autocannon({ url: server.url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    const r = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      expectBody: 'hello',
    });
    const bad = r.errors + r.timeouts + r.non2xx + r.mismatches;
    // Only good answers count.
    return { rps: (r.requests.total - bad) / r.duration, p50: r.latency.p50, p99: r.latency.p99, bad };
  } finally {
    await server.stop();
  }
}

function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const wanted = process.env.WEFT_BENCH_HTTP_CASES?.split(',').map((s) => s.trim());
const cases = CASES.filter((c) => !wanted || wanted.includes(c.id));
const results = new Map<string, Run[]>();
const failed = new Map<string, string>();

console.log(
  `wasi-http bench: ${CONNECTIONS} connections, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up, median of ${REPS} (Node ${process.version}, ${cpus().length} cpus; autocannon in the bench process)`,
);
for (let rep = 0; rep < REPS; rep++) {
  for (const c of cases) {
    if (c.skip || failed.has(c.id)) continue;
    try {
      const run = await measure(c);
      const runs = results.get(c.id) ?? [];
      runs.push(run);
      results.set(c.id, runs);
    } catch (e) {
      failed.set(c.id, (e as Error).message.split('\n').slice(0, 3).join(' | '));
    }
  }
}

const rps = (id: string): number | undefined => {
  const runs = results.get(id);
  return runs ? med(runs.map((r) => r.rps)) : undefined;
};

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `${pad('case', 34)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'bad'.padStart(7)}`,
);
for (const c of cases) {
  const runs = results.get(c.id);
  if (!runs) {
    console.log(`${pad(c.label, 34)}  ${c.skip ? `skipped: ${c.skip}` : `failed: ${failed.get(c.id)}`}`);
    continue;
  }
  const m = (f: (r: Run) => number) => med(runs.map(f));
  console.log(
    `${pad(c.label, 34)}${Math.round(m((r) => r.rps))
      .toString()
      .padStart(10)}${m((r) => r.p50)
      .toString()
      .padStart(9)}${m((r) => r.p99)
      .toString()
      .padStart(9)}${runs
      .reduce((n, r) => n + r.bad, 0)
      .toString()
      .padStart(7)}`,
  );
}

const ratio = (label: string, a: string, b: string, goal?: string) => {
  const x = rps(a);
  const y = rps(b);
  if (x === undefined || y === undefined || y === 0) return;
  console.log(`  ${pad(label, 52)}${(x / y).toFixed(2)}×${goal ? `  (${goal})` : ''}`);
};
console.log('ratios (req/s):');
ratio('weft serve hello-c / bare node:http', 'weft', 'bare', 'goal: at least 0.5');
ratio('weft serve --workers 2 / weft serve (1 worker)', 'weft2', 'weft', 'goal: near 2 with the cores to spare');
ratio('weft serve --workers 2 / bare node:http ×2', 'weft2', 'bare2');
ratio('bare node:http ×2 / bare node:http', 'bare2', 'bare', 'what 2 workers give Node itself here');
ratio('weft serve hello (qjs) / jco + preview3-shim (qjs)', 'weft-qjs', 'jco-qjs');
ratio('weft serve hello (qjs) / weft serve hello-c', 'weft-qjs', 'weft', 'what QuickJS costs');
