// Weft vs jco, same process, same components. jco's transpiled JS is generated into a temp
// dir at start-up, so both sides run the same guest code; only the host runtime differs.
//
// Two guests:
//   values   test/guests/values/values.wasm, componentize-qjs: QuickJS runs inside each call,
//            so it shows what a real JS guest costs end to end.
//   minimal  test/guests/bench/minimal.wat, assembled here with jco `parse`: the core functions
//            are trivial (i32.add, return the argument's ptr/len), so what is measured is the
//            runtime's own lifting/lowering/call overhead.
//
// "compile + instantiate": both sides compile every core module from bytes on each iteration
// (Weft: Component.compile → WebAssembly.compile per core module; jco: its generated
// instantiate() with a WebAssembly.compile loader), then instantiate. Neither side caches.
//
// Then the async section (bench/async.ts): an async call round trip, stream<u8> throughput
// both ways, and a componentize-qjs stream<string> transform.
//
// Then the peers (bench/peers.ts): the other JS component runtimes wcjs and jsco, loaded at run
// time from WEFT_PEERS_DIR or ../shared/peers beside the repository (skipped when absent), timed
// with Weft and a bare JS→wasm call on the minimal guest and on streams.wat, against the goals.
//
// Last, Chromium (bench/browser.ts): Weft's sync call, async call and byte streams measured in
// Debian's headless Chromium, next to Node's figures from this run (skipped without Chromium).
//
//   pnpm bench        (root: turbo runs this script in packages/core)
//   node --conditions=weft-source bench/bench.ts
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, transpile } from '@bytecodealliance/jco';
import { asyncSummary, printAsyncTable, runAsyncBench } from './async.ts';
import { type NodeFigures, runBrowserBench } from './browser.ts';
import { guardSummary, runGuardBench } from './guard.ts';
import { consume, fresh, measure, sinkValue, WARMUP_NS } from './measure.ts';
import { runPeerBench } from './peers.ts';

type Fn = (...args: any[]) => any;
interface Side {
  add: Fn;
  echo: Fn;
  echoBytes: Fn;
}
interface Row {
  op: string;
  weft: number | string;
  jco: number | string;
}
interface Guest {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

const valuesBytes = new Uint8Array(await readFile(new URL('../test/guests/values/values.wasm', import.meta.url)));
const minimalBytes = new Uint8Array(
  await parse(await readFile(new URL('../test/guests/bench/minimal.wat', import.meta.url), 'utf8')),
);
const guests: Guest[] = [
  { name: 'values', bytes: valuesBytes },
  { name: 'minimal', bytes: minimalBytes },
];

/** compile + instantiate: smaller budget, the slow side bounds it by iteration count. */
const INST_BUDGET_NS = 1_500_000_000n;

async function measureAsync(fn: () => Promise<unknown>, maxIters: number): Promise<number> {
  let warm = 0;
  const w0 = process.hrtime.bigint();
  while (warm < 2 || (process.hrtime.bigint() - w0 < WARMUP_NS && warm < maxIters)) {
    consume(await fn());
    warm++;
  }
  const perIter = Number(process.hrtime.bigint() - w0) / warm;
  const n = Math.max(3, Math.min(maxIters, Math.floor(Number(INST_BUDGET_NS) / perIter)));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(await fn());
  return Number(process.hrtime.bigint() - t0) / n;
}

// --- jco: transpile once per guest, import the generated ES module ---------------------

interface JcoSetup {
  side: Side;
  instantiate: () => Promise<unknown>;
  cleanup: () => Promise<void>;
}

async function setupJco(g: Guest): Promise<JcoSetup> {
  const dir = await mkdtemp(join(tmpdir(), `weft-bench-jco-${g.name}-`));
  const { files } = await transpile(g.bytes, { name: g.name, instantiation: 'async', quiet: true, noTypescript: true });
  for (const [name, data] of Object.entries(files)) {
    await writeFile(join(dir, name.replace(/^.*\//, '')), data);
  }
  const mod = await import(pathToFileURL(join(dir, `${g.name}.js`)).href);
  const coreBytes = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith('.wasm')) coreBytes.set(name.replace(/^.*\//, ''), new Uint8Array(data));
  }
  // Compile core modules from bytes on every instantiation, like Weft's compile step does.
  const instantiate = () => mod.instantiate((path: string) => WebAssembly.compile(coreBytes.get(path)!), {});
  const inst = await instantiate();
  return {
    side: { add: inst.add, echo: inst.echo, echoBytes: inst.echoBytes },
    instantiate,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

// --- Weft ------------------------------------------------------------------------------

async function setupWeft(g: Guest): Promise<{ side: Side; instantiate: () => Promise<unknown> }> {
  // Imported here so a broken core still lets the jco column run.
  const { Component } = await import('@weft/core');
  const instantiate = async () => (await Component.compile(g.bytes)).instantiate({});
  const inst: any = await instantiate();
  const e = inst.exports;
  return { side: { add: e.add, echo: e.echo, echoBytes: e['echo-bytes'] }, instantiate };
}

// --- run -------------------------------------------------------------------------------

const str100 = 'Weft bench: the quick brown fox jumps over the lazy dog — ünïcödé 🌍 text '
  .padEnd(100, '.')
  .slice(0, 100);
const bytes64k = new Uint8Array(64 * 1024).map((_, i) => (i * 7) & 0xff);

const ops: Array<{ op: string; run: (s: Side) => unknown; check: (r: unknown) => boolean; max: number }> = [
  { op: 'add(u32, u32)', run: (s) => s.add(20, 22), check: (r) => r === 42, max: 20_000_000 },
  { op: 'echo(string), 100 chars', run: (s) => s.echo(str100), check: (r) => r === str100, max: 5_000_000 },
  {
    op: 'echo-bytes(list<u8>), 64 KiB',
    run: (s) => s.echoBytes(bytes64k),
    check: (r) => r instanceof Uint8Array && r.length === bytes64k.length && r[12345] === bytes64k[12345],
    max: 500_000,
  },
];

async function guarded<T>(label: string, f: () => Promise<T>): Promise<T | string> {
  try {
    return await f();
  } catch (err) {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    console.error(`${label} failed: ${msg}`);
    return `error (${(err as Error)?.name ?? 'throw'})`;
  }
}

async function runGuest(g: Guest): Promise<Row[]> {
  const jco = await setupJco(g);
  const weft = await guarded(`weft ${g.name} setup`, () => setupWeft(g));
  const rows: Row[] = [];
  for (const { op, run, check, max } of ops) {
    const jcoNs = await guarded(`jco ${g.name} ${op}`, async () => {
      if (!check(run(jco.side))) throw new Error('wrong result');
      return measure(fresh(run, { str100, bytes64k }), max, jco.side);
    });
    const weftNs =
      typeof weft === 'string'
        ? 'n/a'
        : await guarded(`weft ${g.name} ${op}`, async () => {
            if (!check(run(weft.side))) throw new Error('wrong result');
            return measure(fresh(run, { str100, bytes64k }), max, weft.side);
          });
    rows.push({ op, weft: weftNs, jco: jcoNs });
  }
  const op = `compile + instantiate (${(g.bytes.length / 1024).toFixed(0)} KiB)`;
  const jcoNs = await guarded(`jco ${g.name} ${op}`, () => measureAsync(jco.instantiate, 200));
  const weftNs =
    typeof weft === 'string' ? 'n/a' : await guarded(`weft ${g.name} ${op}`, () => measureAsync(weft.instantiate, 200));
  rows.push({ op, weft: weftNs, jco: jcoNs });
  await jco.cleanup();
  return rows;
}

const started = process.hrtime.bigint();
const summary: string[] = [];
const nodeFigures: NodeFigures = {};
for (const g of guests) {
  const rows = await runGuest(g);
  nodeFigures[`sync-${g.name}`] = rows.find((r) => r.op === 'add(u32, u32)')?.weft;
  console.log(`\n${g.name}`);
  printTable(rows);
  summary.push(`${g.name}: ${rows.map((r) => `${r.op.split('(')[0]!.trim()} ${ratio(r)}`).join(', ')}`);
}
console.log(`\nratios weft/jco (lower is better) — ${summary.join('; ')}`);

// Fuel and deadline checks: bench/guard.ts.
console.log(`\n${guardSummary(await runGuardBench(valuesBytes, measure, str100))}`);

// The async ABI: bench/async.ts (streams.wat and the componentize-qjs async guest).
const asyncRows = await runAsyncBench();
console.log('\nasync (callback ABI, streams)');
printAsyncTable(asyncRows);
console.log(`\n${asyncSummary(asyncRows)}`);

// The peer runtimes wcjs and jsco, when present: bench/peers.ts.
await runPeerBench(minimalBytes, str100, bytes64k);

// Chromium, beside Node's figures above: bench/browser.ts.
const asyncWeft = (part: string) => asyncRows.find((r) => r.op.includes(part))?.weft;
nodeFigures['async-add'] = asyncWeft('async call round trip');
nodeFigures.sink = asyncWeft('host→guest');
nodeFigures['source-for-await'] = asyncWeft('(for await');
nodeFigures['source-read-into'] = asyncWeft('(readInto');
const streamsBytes = await parse(await readFile(new URL('../test/guests/async/streams.wat', import.meta.url), 'utf8'));
await runBrowserBench({ minimal: minimalBytes, values: valuesBytes, streams: streamsBytes }, nodeFigures);
console.log(
  `(node ${process.version}; total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s; sink ${sinkValue() > 0 ? 'ok' : sinkValue()})`,
);
// A jco case that timed out may still hold the event loop.
process.exit(0);

function ratio(r: Row): string {
  return typeof r.weft === 'number' && typeof r.jco === 'number' ? (r.weft / r.jco).toFixed(2) : '-';
}

function printTable(rs: Row[]): void {
  const fmt = (v: number | string) => (typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : v);
  const table = [
    ['op', 'weft ns/op', 'jco ns/op', 'ratio (weft/jco)'],
    ...rs.map((r) => [r.op, fmt(r.weft), fmt(r.jco), ratio(r)]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(table[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table.slice(1)) console.log(line(row));
}
