// The async section of the bench: Weft vs jco (its transpile with preview3 async support),
// same process, same components.
//
//   streams.wat  test/guests/async/streams.wat, hand-written callback-ABI guest whose core
//                code does almost nothing: an async call round trip (`add`), a stream<u8>
//                sink (host→guest) and source (guest→host), 64 KiB per read/write.
//   async.wasm   test/guests/async/async.wasm, componentize-qjs with its async runtime:
//                `upper: async func(stream<string>) -> stream<string>` over 5000 strings
//                of 1000 chars.
//
// Each side uses its natural host API: Weft's StreamReader (AsyncIterable of fresh chunks,
// or readInto a reused buffer), jco's Stream#read(65536). jco gets smaller inputs where it
// is slow (throughput is a rate, so the sizes need not match) and one timed run after a
// warm-up; Weft gets the median of three. A jco case that fails or exceeds its time limit
// prints 'n/a' with the reason.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, transpile } from '@bytecodealliance/jco';
import { roundTrip } from './measure.ts';
import { CHUNK, chunks, sinkRun, sourceRun } from './stream-runs.ts';

type Fn = (...args: any[]) => any;
export interface AsyncRow {
  op: string;
  unit: 'ns/op' | 'MiB/s' | 'ms';
  weft: number | string;
  jco: number | string;
  /** Weft's advantage: jco time / Weft time (or Weft rate / jco rate). */
  speedup?: number;
  goal?: string;
  met?: boolean;
}

const JCO_LIMIT_MS = 25_000;
const strings = Array.from({ length: 5000 }, (_, i) => `${i}:`.padEnd(1000, 'the quick brown fox '));

function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function timeMs(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function loadJco(
  bytes: Uint8Array,
  name: string,
  imports: object,
): Promise<{ inst: any; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `weft-bench-jco-${name}-`));
  const { files } = await transpile(bytes, { name, instantiation: 'async', quiet: true, noTypescript: true });
  const core = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const [file, data] of Object.entries(files)) {
    const base = file.replace(/^.*\//, '');
    await writeFile(join(dir, base), data);
    if (base.endsWith('.wasm')) core.set(base, new Uint8Array(data));
  }
  const mod = await import(pathToFileURL(join(dir, `${name}.js`)).href);
  const inst = await mod.instantiate((p: string) => WebAssembly.compile(core.get(p)!), imports);
  return { inst, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function loadWeft(bytes: Uint8Array): Promise<any> {
  const { Component } = await import('@weft/core');
  return (await (await Component.compile(bytes)).instantiate({})).exports;
}

// ---- the cases, one function per side ----

async function weftSink(e: any, total: number): Promise<number> {
  const ms = await timeMs(() => sinkRun(e, total));
  return total / 2 ** 20 / (ms / 1000);
}

async function weftSource(e: any, total: number, into: boolean): Promise<number> {
  const ms = await timeMs(() => sourceRun(e, total, into));
  return total / 2 ** 20 / (ms / 1000);
}

async function jcoSink(inst: any, total: number): Promise<number> {
  const ms = await timeMs(async () => {
    if ((await inst.sink(chunks(total))) !== BigInt(total)) throw new Error('wrong count');
  });
  return total / 2 ** 20 / (ms / 1000);
}

async function jcoSource(inst: any, total: number): Promise<number> {
  const ms = await timeMs(async () => {
    const r = await inst.source(total);
    let n = 0;
    for (;;) {
      const x = await r.read(CHUNK);
      if (x === undefined || x.done) break;
      n += (x.value ?? x).length;
    }
    if (n !== total) throw new Error(`wrong count ${n}`);
  });
  return total / 2 ** 20 / (ms / 1000);
}

async function transform(upper: Fn, input: string[]): Promise<number> {
  return timeMs(async () => {
    const out = await upper(input);
    let n = 0;
    let last = '';
    for await (const s of out) {
      n++;
      last = s;
    }
    if (n !== input.length || last !== input[input.length - 1]!.toUpperCase())
      throw new Error(`wrong output (${n} strings)`);
  });
}

function reason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return `n/a (${m.length > 70 ? `${m.slice(0, 67)}...` : m})`;
}

async function attempt<T>(f: () => Promise<T>): Promise<T | string> {
  try {
    return await f();
  } catch (err) {
    return reason(err);
  }
}

export async function runAsyncBench(): Promise<AsyncRow[]> {
  const streamsBytes = await parse(
    await readFile(new URL('../test/guests/async/streams.wat', import.meta.url), 'utf8'),
  );
  const qjsBytes = new Uint8Array(await readFile(new URL('../test/guests/async/async.wasm', import.meta.url)));
  const hostImports = { 'weft-test:async-guest/host': { mix: (a: number, b: number) => (a + b) >>> 0 } };

  const weft = await attempt(() => loadWeft(streamsBytes));
  const weftQjs = await attempt(async () => {
    const { Component } = await import('@weft/core');
    return (await (await Component.compile(qjsBytes)).instantiate(hostImports)).exports;
  });
  const jco = await attempt(() => loadJco(streamsBytes, 'streams', {}));
  const jcoQjs = await attempt(() => loadJco(qjsBytes, 'qjs', hostImports));
  const w = typeof weft === 'string' ? undefined : (weft as any);
  const j = typeof jco === 'string' ? undefined : (jco as { inst: any }).inst;
  const wq = typeof weftQjs === 'string' ? undefined : (weftQjs as any);
  const jq = typeof jcoQjs === 'string' ? undefined : (jcoQjs as { inst: any }).inst;
  const rows: AsyncRow[] = [];
  const weftOr = <T>(side: unknown, f: () => Promise<T>) =>
    side === undefined ? Promise.resolve(reason(weft)) : attempt(f);
  const jcoOr = <T>(side: unknown, setup: unknown, what: string, f: () => Promise<T>) =>
    side === undefined ? Promise.resolve(setup as string) : attempt(() => withLimit(f(), JCO_LIMIT_MS, what));

  // async (callback) call round trip
  {
    const wv = await weftOr(w, () => roundTrip(w.add, 1500));
    const jv = await jcoOr(j, jco, 'the round trip', () => roundTrip(j.add, 1500));
    rows.push(row('async call round trip add(u32, u32)', 'ns/op', wv, jv, 'time', 5, '≤ 1/5 of jco'));
  }
  // stream<u8> host→guest
  {
    const wv = await weftOr(w, async () => {
      await weftSink(w, 64 << 20);
      return median([await weftSink(w, 512 << 20), await weftSink(w, 512 << 20), await weftSink(w, 512 << 20)]);
    });
    const jv = await jcoOr(j, jco, 'the 8 MiB write', async () => {
      await jcoSink(j, 1 << 20);
      return jcoSink(j, 8 << 20);
    });
    rows.push(row('stream<u8> host→guest, 64 KiB chunks', 'MiB/s', wv, jv, 'rate', 10, '≥ 1 GiB/s and ≥ 10× jco'));
  }
  // stream<u8> guest→host
  {
    const wv = await weftOr(w, async () => {
      await weftSource(w, 64 << 20, false);
      return median([
        await weftSource(w, 256 << 20, false),
        await weftSource(w, 256 << 20, false),
        await weftSource(w, 256 << 20, false),
      ]);
    });
    const wi = await weftOr(w, async () => {
      await weftSource(w, 64 << 20, true);
      return median([
        await weftSource(w, 512 << 20, true),
        await weftSource(w, 512 << 20, true),
        await weftSource(w, 512 << 20, true),
      ]);
    });
    const jv = await jcoOr(j, jco, 'the 4 MiB read', async () => {
      await jcoSource(j, 1 << 20);
      return jcoSource(j, 4 << 20);
    });
    rows.push(
      row(
        'stream<u8> guest→host, 64 KiB chunks (for await: fresh chunks)',
        'MiB/s',
        wv,
        jv,
        'rate',
        10,
        '≥ 1 GiB/s and ≥ 10× jco',
      ),
    );
    rows.push(
      row(
        'stream<u8> guest→host, 64 KiB chunks (readInto one buffer)',
        'MiB/s',
        wi,
        jv,
        'rate',
        10,
        '≥ 1 GiB/s and ≥ 10× jco',
      ),
    );
  }
  // componentize-qjs stream<string> transform
  {
    const warm = strings.slice(0, 500);
    const wv =
      wq === undefined
        ? reason(weftQjs)
        : await attempt(async () => {
            await transform(wq.upper, warm);
            return median([
              await transform(wq.upper, strings),
              await transform(wq.upper, strings),
              await transform(wq.upper, strings),
            ]);
          });
    const jv = await jcoOr(jq, jcoQjs, 'the transform', async () => {
      await transform(jq.upper, warm);
      return transform(jq.upper, strings);
    });
    rows.push(
      row('stream<string> transform, 5000 × 1000 chars (componentize-qjs)', 'ms', wv, jv, 'time', 10, '≥ 10× jco'),
    );
  }
  if (typeof jco !== 'string') await (jco as { cleanup: () => Promise<void> }).cleanup();
  if (typeof jcoQjs !== 'string') await (jcoQjs as { cleanup: () => Promise<void> }).cleanup();
  return rows;
}

function row(
  op: string,
  unit: AsyncRow['unit'],
  weft: number | string,
  jco: number | string,
  kind: 'time' | 'rate',
  factor: number,
  goal: string,
): AsyncRow {
  const r: AsyncRow = { op, unit, weft, jco, goal };
  if (typeof weft === 'number' && typeof jco === 'number') r.speedup = kind === 'time' ? jco / weft : weft / jco;
  const fastEnough = kind === 'rate' ? typeof weft === 'number' && weft >= 1024 : true;
  // Goals against jco count as met when jco cannot run the case at all.
  r.met = fastEnough && (r.speedup === undefined ? typeof weft === 'number' : r.speedup >= factor);
  return r;
}

export function printAsyncTable(rows: AsyncRow[]): void {
  const fmt = (v: number | string, unit: string) =>
    typeof v !== 'number'
      ? v
      : unit === 'MiB/s'
        ? `${v.toFixed(0)} MiB/s (${(v / 1024).toFixed(2)} GiB/s)`
        : unit === 'ms'
          ? `${v.toFixed(0)} ms`
          : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ns`;
  const table = [
    ['op', 'weft', 'jco', 'weft vs jco', 'goal'],
    ...rows.map((r) => [
      r.op,
      fmt(r.weft, r.unit),
      fmt(r.jco, r.unit),
      r.speedup === undefined ? '-' : `${r.speedup.toFixed(1)}× faster`,
      `${r.goal ?? ''} ${r.met ? '✓' : '✗'}`,
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((x) => x[c]!.length)));
  const line = (x: string[]) =>
    x.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(table[0]!));
  console.log(widths.map((wd) => '-'.repeat(wd)).join('  '));
  for (const x of table.slice(1)) console.log(line(x));
}

export function asyncSummary(rows: AsyncRow[]): string {
  const short = (op: string) => op.replace(/ add\(.*\)$/, '').split(',')[0]!;
  const parts = rows.map(
    (r) =>
      `${short(r.op)}${r.op.includes('readInto') ? ' (readInto)' : r.op.includes('for await') ? ' (for await)' : ''} ${r.speedup === undefined ? 'n/a' : `${r.speedup.toFixed(1)}×`}`,
  );
  const met = rows.filter((r) => r.met).length;
  return `async: ${parts.join(', ')} — goals met ${met}/${rows.length}`;
}
