// The peer section of the bench: Weft against two other runtimes that run components directly
// in JS, wcjs (jellevandenhooff/wcjs) and jsco (pavelsavara/jsco), on the same component bytes
// in the same process. Their prebuilt dist files live outside the repository (WEFT_PEERS_DIR,
// else ../shared/peers beside the repository root, see its README.md) and are imported at run
// time; without that folder the section prints one line and is skipped.
//
//   minimal      test/guests/bench/minimal.wat: sync add, echo(string), echo-bytes(list<u8>).
//                wcjs without jspiMode, jsco with noJspi: both give plain sync calls.
//   bare         the same i32.add as a core module instantiated with WebAssembly and called
//                from JS: the floor for a sync call.
//   streams.wat  test/guests/async/streams.wat with its memory exported as "memory" (jsco looks
//                memory up by that name, whatever the canon options say), for every runtime:
//                the async (callback ABI) add round trip and stream<u8> both ways. For the
//                async call each peer runs in every mode (wcjs with and without jspiMode, jsco
//                noJspi and JSPI); the row keeps the fastest right answer and names its mode.
//
// All sync cases go through the same measure() as bench.ts (bench/measure.ts), each side in a
// fresh copy of the loop and of the call (`fresh`), so none pays for the sides measured before it.
//
// Each peer gets its natural host API. wcjs has no host-side stream API beyond handle numbers:
// host→guest goes through its ComponentState (`$states[0]`: streamNew + streamWriteHost).
// A peer that fails a case, or does not finish a stream probe within PROBE_MS, gets
// `n/a (reason)` in its cell; the bench goes on.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from '@bytecodealliance/jco';
import { fresh, measure, roundTrip } from './measure.ts';

type Fn = (...args: any[]) => any;
type Cell = number | string;
interface SyncSide {
  add: Fn;
  echo: Fn;
  echoBytes: Fn;
  activate?: () => void;
  /** At most this many echo-bytes calls per phase (a side whose guest memory grows per call). */
  listCallCap?: number;
}
interface AsyncSide {
  add: Fn;
  /** host→guest: write `total` bytes in 64 KiB chunks, resolve to the count the guest saw. */
  sink?: (total: number) => Promise<bigint>;
  /** guest→host: read `total` bytes, resolve to the count read. */
  source?: (total: number) => Promise<number>;
  /** Called before each measurement (wcjs keeps its JSPI mode in a module global). */
  activate?: () => void;
  /** Bytes moved by the current stream call so far (to say where a stalled one stopped). */
  moved: number;
}
interface PeerRow {
  op: string;
  weft: Cell;
  wcjs: Cell;
  jsco: Cell;
  bare?: Cell;
  goal: string;
  /** weft / best peer must be at most this (exclusive when `strict`). */
  peerMax?: number;
  strict?: boolean;
  /** weft / bare must be at most this. */
  bareMax?: number;
}

const CHUNK = 64 * 1024;
const PROBE_MS = 5_000;
const CASE_LIMIT_MS = 20_000;
const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 7) & 0xff);

export function peersDir(): string {
  return process.env.WEFT_PEERS_DIR ?? fileURLToPath(new URL('../../../../shared/peers', import.meta.url));
}

// --- failure handling: a peer's error, hang or stray exception becomes its cell's n/a -------

/** Cells running now (several during the stream probes): a stray error fails them all. */
const running = new Set<(err: unknown) => void>();
function onStray(err: unknown): void {
  if (running.size) for (const fail of running) fail(err);
  else console.error(`peers: stray error outside a case: ${message(err)}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function na(err: unknown): string {
  const m = message(err).replace(/\s+/g, ' ');
  return `n/a (${m.length > 90 ? `${m.slice(0, 87)}...` : m})`;
}

/** Runs one cell: its value, or `n/a (reason)` on an error, a stray exception or the time limit. */
async function cell(f: () => Cell | Promise<Cell>, limitMs = CASE_LIMIT_MS, what = 'the case'): Promise<Cell> {
  let timer: NodeJS.Timeout | undefined;
  let fail: ((err: unknown) => void) | undefined;
  try {
    return await new Promise<Cell>((resolve, reject) => {
      fail = reject;
      running.add(reject);
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${limitMs / 1000} s`)), limitMs);
      Promise.resolve().then(f).then(resolve, reject);
    });
  } catch (err) {
    return na(err);
  } finally {
    clearTimeout(timer);
    if (fail) running.delete(fail);
  }
}

// --- loaders ------------------------------------------------------------------------------

async function importFrom(dir: string, rel: string): Promise<any> {
  return import(pathToFileURL(join(dir, rel)).href);
}

interface Wcjs {
  instantiate: (bytes: Uint8Array, jspiMode: boolean) => Promise<any>;
  setJspiMode: (on: boolean) => void;
}

async function loadWcjs(dir: string): Promise<Wcjs> {
  const codegen = await importFrom(dir, 'wcjs/dist/src/codegen/index.js');
  const runtime = await importFrom(dir, 'wcjs/dist/src/runtime/index.js');
  return {
    async instantiate(bytes, jspiMode) {
      const result = codegen.generateCode(codegen.parseComponent(bytes), 'bench', { jspiMode, mode: 'js' });
      const core = new Map<string, Uint8Array>(result.coreModules.map((m: any) => [m.fileName, m.bytes]));
      // wcjs's own way to run a component in-process (its `run` command does the same).
      const instantiate = new Function('runtime', result.source)(runtime);
      const inst = await instantiate(
        (path: string) => new WebAssembly.Module(core.get(path) as Uint8Array<ArrayBuffer>),
        {},
      );
      runtime.setJspiMode(false);
      return inst;
    },
    setJspiMode: (on) => runtime.setJspiMode(on),
  };
}

type Jsco = (bytes: Uint8Array, noJspi: boolean) => Promise<any>;

async function loadJsco(dir: string): Promise<Jsco> {
  const jsco = await importFrom(dir, 'jsco/dist/release/index.js');
  // jsco takes a Uint8Array for an already parsed component; bytes go in as a plain array.
  return async (bytes, noJspi) =>
    (await (await jsco.createComponent(Array.from(bytes), { noJspi })).instantiate({})).exports;
}

// --- the sides ----------------------------------------------------------------------------

async function weftExports(bytes: Uint8Array): Promise<any> {
  const { Component } = await import('@weft/core');
  return ((await (await Component.compile(bytes)).instantiate({})) as { exports: any }).exports;
}

/**
 * Weft as `weft bundle` output runs it: core modules compiled on their own, the binary stripped
 * of their code, `Component.fromModules`, the plain sync lifts registered compiled ahead of time
 * (a bundle's module holds them as code; evaluated here only because there is no module to write)
 * and `codegen: false`.
 */
async function weftBundleExports(bytes: Uint8Array): Promise<any> {
  const core = await import('@weft/core');
  const modules = core.Component.coreModules(bytes).map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>));
  const component = core.Component.fromModules(core.Component.stripCoreCode(bytes), modules);
  const recording = core.recordCompiledLifts();
  await component.instantiate({}, { codegen: false });
  for (const [shape, source] of recording.stop())
    core.registerCompiledLifts({ [shape]: new Function(`return ${source}`)() });
  return ((await component.instantiate({}, { codegen: false })) as { exports: any }).exports;
}

function weftAsync(e: any): AsyncSide {
  const side: AsyncSide = {
    add: e.add,
    moved: 0,
    // A sync iterable, as bench/async.ts gives it: Weft takes one.
    sink: (total) => e.sink(syncChunks(side, total)),
    async source(total) {
      side.moved = 0;
      for await (const c of await e.source(total)) side.moved += c.length;
      return side.moved;
    },
  };
  return side;
}

function wcjsAsync(w: Wcjs, inst: any, jspi: boolean): AsyncSide {
  const state = inst.$states[0];
  // stream<u8> is the component's type 0; a handle pair packs readable | writable << 32.
  const STREAM = 0;
  const side: AsyncSide = {
    add: inst.add.add,
    moved: 0,
    activate: () => w.setJspiMode(jspi),
    sink(total) {
      const packed: bigint = state.streamNew(STREAM);
      const readable = Number(packed & 0xffffffffn);
      const writable = Number(packed >> 32n);
      const done = inst.sink.sink(readable);
      side.moved = 0;
      const pump = () => {
        if (side.moved >= total) return state.streamDropWritable(STREAM, writable);
        side.moved += CHUNK;
        state.streamWriteHost(STREAM, writable, chunk, pump);
      };
      pump();
      return done;
    },
    async source(total) {
      // The handle only arrives when the export's promise resolves, which wcjs does at task exit.
      const handle = await inst.source.source(total);
      throw new Error(`source() resolved (${handle}) but wcjs has no host reader for it`);
    },
  };
  return side;
}

function jscoAsync(e: any): AsyncSide {
  const side: AsyncSide = {
    add: e.add,
    moved: 0,
    // jsco pumps a host→guest stream only from an async iterable.
    sink: async (total) => e.sink(asyncChunks(side, total)),
    async source(total) {
      side.moved = 0;
      for await (const c of await e.source(total)) side.moved += c.length;
      return side.moved;
    },
  };
  return side;
}

function* syncChunks(side: AsyncSide, total: number): Generator<Uint8Array> {
  for (side.moved = 0; side.moved < total; side.moved += CHUNK) yield chunk;
}

async function* asyncChunks(side: AsyncSide, total: number): AsyncGenerator<Uint8Array> {
  for (side.moved = 0; side.moved < total; side.moved += CHUNK) yield chunk;
}

/** ns per 64 KiB chunk moved through one stream of `total` bytes. */
async function perChunk(f: (total: number) => Promise<unknown>, total: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const got = await f(total);
  const ns = Number(process.hrtime.bigint() - t0);
  if (BigInt(got as number | bigint) !== BigInt(total)) throw new Error(`wrong count ${got}`);
  return ns / (total / CHUNK);
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
}

// --- run ----------------------------------------------------------------------------------

export async function runPeerBench(minimalBytes: Uint8Array, str100: string, bytes64k: Uint8Array): Promise<void> {
  const dir = peersDir();
  if (!existsSync(dir)) {
    console.log(`\npeers: skipped, no peer runtimes at ${dir} (set WEFT_PEERS_DIR to a folder with wcjs/ and jsco/)`);
    return;
  }
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  try {
    const rows = await runCases(dir, minimalBytes, str100, bytes64k);
    console.log('\npeers: Weft vs wcjs and jsco (same component bytes, same process; lower ns is better)');
    printTable(rows);
    console.log(
      'notes: wcjs never calls post-return, so each echo-bytes call leaves 64 KiB more guest memory (timed over ≤ 2000 calls per phase);',
    );
    console.log(
      '       wcjs host→guest goes through $states[0] (streamNew, streamWriteHost); jsco returns list<u8> as a JS array.',
    );
    console.log(`\n${summary(rows)}`);
  } finally {
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
  }
}

async function setup<T>(f: () => Promise<T>): Promise<T | string> {
  try {
    return await f();
  } catch (err) {
    return na(err);
  }
}

/** The fastest of a peer's modes that gives the right answer, with that mode's label. */
async function fastest(modes: Array<[string, () => Promise<Cell>]>): Promise<{ v: Cell; mode: string }> {
  let best: { v: Cell; mode: string } | undefined;
  const failed: string[] = [];
  for (const [mode, run] of modes) {
    const v = await cell(run);
    if (typeof v === 'number') {
      if (best === undefined || typeof best.v !== 'number' || v < best.v) best = { v, mode };
    } else failed.push(`${mode}: ${v}`);
  }
  return best ?? { v: `n/a (${failed.join('; ')})`, mode: '?' };
}

async function runCases(dir: string, minimalBytes: Uint8Array, str100: string, bytes64k: Uint8Array) {
  const wcjs = await setup(() => loadWcjs(dir));
  const jsco = await setup(() => loadJsco(dir));
  const streamsText = await readFile(new URL('../test/guests/async/streams.wat', import.meta.url), 'utf8');
  const streamsBytes = new Uint8Array(await parse(streamsText.replaceAll('"mem"', '"memory"')));
  const rows: PeerRow[] = [];
  /** The better of two measurements of one cell (a number beats a failure). */
  const bestOf = (a: Cell, b: Cell): Cell =>
    typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : typeof a === 'number' ? a : b;

  // ---- sync calls on the minimal guest ----
  const weftSync = await setup(async (): Promise<SyncSide> => {
    const e = await weftExports(minimalBytes);
    return { add: e.add, echo: e.echo, echoBytes: e['echo-bytes'] };
  });
  const weftBundleSync = await setup(async (): Promise<SyncSide> => {
    const e = await weftBundleExports(minimalBytes);
    return { add: e.add, echo: e.echo, echoBytes: e['echo-bytes'] };
  });
  const wcjsSync =
    typeof wcjs === 'string'
      ? wcjs
      : await setup(async (): Promise<SyncSide> => {
          const i = await wcjs.instantiate(minimalBytes, false);
          return {
            add: i.add.add,
            echo: i.echo.echo,
            echoBytes: i['echo-bytes'].echoBytes,
            activate: () => wcjs.setJspiMode(false),
            // wcjs does not call the post-return function, so the guest's bump heap is never
            // reset: 64 KiB more guest memory per echo-bytes call, past 2 GiB after ~32k calls.
            listCallCap: 2_000,
          };
        });
  const jscoSync =
    typeof jsco === 'string'
      ? jsco
      : await setup(async (): Promise<SyncSide> => {
          const e = await jsco(minimalBytes, true);
          return { add: e.add, echo: e.echo, echoBytes: e['echo-bytes'] };
        });
  const bare = await setup(async () => {
    const text = '(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))';
    // jco `parse` assembles core module text too (41 bytes here).
    const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(await parse(text))));
    return instance.exports.add as Fn;
  });
  const syncCell = (
    side: SyncSide | string,
    run: (s: SyncSide) => unknown,
    check: (r: unknown) => boolean,
    max: number,
    list: boolean,
  ) =>
    typeof side === 'string'
      ? Promise.resolve(side)
      : cell(() => {
          side.activate?.();
          const r = run(side);
          if (!check(r)) throw new Error(`wrong result (${typeof r})`);
          return measure(fresh(run, { str100, bytes64k }), list ? Math.min(max, side.listCallCap ?? max) : max, side);
        });
  const ops: Array<{
    op: string;
    run: (s: SyncSide) => unknown;
    check: (r: unknown) => boolean;
    max: number;
    goal: Partial<PeerRow> & { goal: string };
  }> = [
    {
      op: 'add(u32, u32) sync [wcjs no jspiMode, jsco noJspi]',
      run: (s) => s.add(20, 22),
      check: (r) => r === 42,
      max: 20_000_000,
      goal: { goal: '≤ 0.8× best peer and ≤ 2× bare', peerMax: 0.8, bareMax: 2 },
    },
    {
      op: 'echo(string), 100 chars',
      run: (s) => s.echo(str100),
      check: (r) => r === str100,
      max: 5_000_000,
      goal: { goal: 'faster than every peer', peerMax: 1, strict: true },
    },
    {
      op: 'echo-bytes(list<u8>), 64 KiB',
      run: (s) => s.echoBytes(bytes64k),
      // jsco returns a plain array of numbers for list<u8>
      check: (r) =>
        (r as ArrayLike<number>)?.length === bytes64k.length && (r as ArrayLike<number>)[12345] === bytes64k[12345],
      max: 500_000,
      goal: { goal: '(none)' },
    },
  ];
  for (const { op, run, check, max, goal } of ops) {
    const list = op.startsWith('echo-bytes');
    // Every side twice, in one order and then the other, the better of its two kept: a side
    // measured late is not judged on a process that earlier sides warmed, grew or slowed.
    const sides: Array<[string, () => Promise<Cell>]> = [
      ['weft', () => syncCell(weftSync, run, check, max, list)],
      ['bundle', () => (list ? Promise.resolve('-') : syncCell(weftBundleSync, run, check, max, false))],
      ['wcjs', () => syncCell(wcjsSync, run, check, max, list)],
      ['jsco', () => syncCell(jscoSync, run, check, max, list)],
      [
        'bare',
        () =>
          !op.startsWith('add') || typeof bare === 'string'
            ? Promise.resolve(typeof bare === 'string' ? bare : '-')
            : cell(() => {
                if (bare(20, 22) !== 42) throw new Error('wrong result');
                return measure(() => bare(20, 22), max);
              }),
      ],
    ];
    const got = new Map<string, Cell>();
    for (const [name, f] of [...sides, ...[...sides].reverse()]) {
      const v = await f();
      const prev = got.get(name);
      got.set(name, prev === undefined ? v : bestOf(prev, v));
    }
    const row: PeerRow = { op, weft: got.get('weft')!, wcjs: got.get('wcjs')!, jsco: got.get('jsco')!, ...goal };
    if (op.startsWith('add')) row.bare = got.get('bare')!;
    rows.push(row);
    // Bundle mode: the same op with Weft as `weft bundle` output runs (the peers' cells as above).
    if (!list) rows.push({ ...row, op: `${op}, Weft in bundle mode`, weft: got.get('bundle')! });
  }

  // ---- async (callback ABI) add round trip on streams.wat ----
  const weftE = await setup(() => weftExports(streamsBytes));
  const weftA = typeof weftE === 'string' ? weftE : weftAsync(weftE);
  const ROUND_TRIP_MS = 1000;
  const weftAdd = typeof weftA === 'string' ? weftA : await cell(() => roundTrip(weftA.add, ROUND_TRIP_MS));
  const weftBundleE = await setup(() => weftBundleExports(streamsBytes));
  const bundleAdd = () =>
    typeof weftBundleE === 'string' ? weftBundleE : cell(() => roundTrip(weftBundleE.add, ROUND_TRIP_MS));
  const weftBundleAdd = await bundleAdd();
  const wcjsAdd =
    typeof wcjs === 'string'
      ? { v: wcjs, mode: '?' }
      : await fastest(
          [false, true].map((jspi): [string, () => Promise<Cell>] => [
            jspi ? 'jspiMode' : 'no jspiMode',
            async () => {
              const side = wcjsAsync(wcjs, await wcjs.instantiate(streamsBytes, jspi), jspi);
              side.activate?.();
              try {
                return await roundTrip(side.add, ROUND_TRIP_MS);
              } finally {
                wcjs.setJspiMode(false);
              }
            },
          ]),
        );
  const jscoAdd =
    typeof jsco === 'string'
      ? { v: jsco, mode: '?' }
      : await fastest(
          [true, false].map((noJspi): [string, () => Promise<Cell>] => [
            noJspi ? 'noJspi' : 'JSPI',
            async () => roundTrip(jscoAsync(await jsco(streamsBytes, noJspi)).add, ROUND_TRIP_MS),
          ]),
        );
  // Each peer had two runs (one per mode, the faster kept): Weft gets a second one in each mode
  // too, after theirs, so none is judged only on the run that warmed the shared loop up.
  const weftAddAgain = typeof weftA === 'string' ? weftA : await cell(() => roundTrip(weftA.add, ROUND_TRIP_MS));
  const weftBundleAddAgain = await bundleAdd();
  const weftBest = bestOf(weftAdd, weftAddAgain);
  rows.push({
    op: `async callback call add(u32, u32) [wcjs ${wcjsAdd.mode}, jsco ${jscoAdd.mode}]`,
    weft: weftBest,
    wcjs: wcjsAdd.v,
    jsco: jscoAdd.v,
    goal: '≤ 0.8× best peer',
    peerMax: 0.8,
  });
  rows.push({
    op: `async callback call add(u32, u32), Weft in bundle mode`,
    weft: bestOf(weftBundleAdd, weftBundleAddAgain),
    wcjs: wcjsAdd.v,
    jsco: jscoAdd.v,
    goal: '≤ 0.8× best peer',
    peerMax: 0.8,
  });

  // ---- stream<u8> both ways on streams.wat ----
  // A probe of 1 MiB per side and direction, each on a fresh instance, all at once, so the
  // peers that hang cost PROBE_MS in all. Then the sides that passed are timed one by one.
  type Dir = 'sink' | 'source';
  const freshSides: Record<string, () => Promise<AsyncSide>> = {
    weft: async () => weftAsync(await weftExports(streamsBytes)),
    wcjs: async () => {
      if (typeof wcjs === 'string') throw new Error(wcjs);
      return wcjsAsync(wcjs, await wcjs.instantiate(streamsBytes, false), false);
    },
    jsco: async () => {
      if (typeof jsco === 'string') throw new Error(jsco);
      return jscoAsync(await jsco(streamsBytes, true));
    },
  };
  const streamRows: Record<Dir, PeerRow> = {
    sink: {
      op: 'stream<u8> host→guest, per 64 KiB chunk',
      weft: '',
      wcjs: '',
      jsco: '',
      goal: 'faster than every peer',
      peerMax: 1,
      strict: true,
    },
    source: {
      op: 'stream<u8> guest→host, per 64 KiB chunk',
      weft: '',
      wcjs: '',
      jsco: '',
      goal: 'faster than every peer',
      peerMax: 1,
      strict: true,
    },
  };
  const probes: Array<{ who: 'weft' | 'wcjs' | 'jsco'; dir: Dir; side?: AsyncSide; probe: Promise<Cell> }> = [];
  for (const who of ['weft', 'wcjs', 'jsco'] as const) {
    for (const dir of ['sink', 'source'] as const) {
      const p: (typeof probes)[number] = { who, dir, probe: Promise.resolve(0) };
      const loadFailed = who === 'wcjs' ? wcjs : who === 'jsco' ? jsco : undefined;
      p.probe =
        typeof loadFailed === 'string'
          ? Promise.resolve(loadFailed)
          : cell(
              async () => {
                p.side = await freshSides[who]!();
                return perChunk(p.side[dir]!, 1 << 20);
              },
              PROBE_MS,
              dir === 'sink' ? 'a 1 MiB write' : 'a 1 MiB read',
            );
      probes.push(p);
    }
  }
  await Promise.all(probes.map((p) => p.probe));
  for (const { who, dir, side, probe: probed } of probes) {
    const probe = await probed;
    const f = side?.[dir];
    if (typeof probe === 'string' || side === undefined || f === undefined) {
      streamRows[dir][who] =
        side && typeof probe === 'string' && probe.includes('did not finish')
          ? probe.replace(/\)$/, `; ${side.moved >> 10} KiB had moved)`)
          : probe;
      continue;
    }
    streamRows[dir][who] = await cell(async () => {
      side.activate?.();
      // ~300 ms per timed run, from the probe's rate; median of three.
      const n = Math.max(16, Math.min(8192, Math.round(300e6 / probe)));
      await perChunk(f, Math.min(n, 64) * CHUNK);
      return median([await perChunk(f, n * CHUNK), await perChunk(f, n * CHUNK), await perChunk(f, n * CHUNK)]);
    });
  }
  rows.push(streamRows.sink, streamRows.source);
  return rows;
}

// --- table --------------------------------------------------------------------------------

function fmt(v: Cell | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : v;
}

function bestPeer(r: PeerRow): number | undefined {
  const xs = [r.wcjs, r.jsco].filter((v): v is number => typeof v === 'number');
  return xs.length ? Math.min(...xs) : undefined;
}

function verdict(r: PeerRow): { vsPeer: string; vsBare: string; met: string } {
  if (r.peerMax === undefined && r.bareMax === undefined) return { vsPeer: vsPeerText(r), vsBare: '', met: '-' };
  if (typeof r.weft !== 'number') return { vsPeer: '-', vsBare: '-', met: 'not met (weft n/a)' };
  const best = bestPeer(r);
  const bare = typeof r.bare === 'number' ? r.bare : undefined;
  let ok = true;
  const notes: string[] = [];
  if (r.peerMax !== undefined) {
    if (best === undefined) notes.push('no peer ran it');
    else ok &&= r.strict ? r.weft / best < r.peerMax : r.weft / best <= r.peerMax;
  }
  if (r.bareMax !== undefined) {
    if (bare === undefined) notes.push('no bare figure');
    else ok &&= r.weft / bare <= r.bareMax;
  }
  return {
    vsPeer: vsPeerText(r),
    vsBare: bare === undefined ? '' : `${(r.weft / bare).toFixed(2)}×`,
    met: `${ok ? 'met' : 'not met'}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  };
}

function vsPeerText(r: PeerRow): string {
  const best = bestPeer(r);
  return typeof r.weft === 'number' && best !== undefined ? `${(r.weft / best).toFixed(2)}×` : '-';
}

function printTable(rows: PeerRow[]): void {
  const table = [
    ['op', 'weft ns/op', 'wcjs ns/op', 'jsco ns/op', 'bare ns/op', 'weft/best peer', 'weft/bare', 'goal', ''],
    ...rows.map((r) => {
      const v = verdict(r);
      return [r.op, fmt(r.weft), fmt(r.wcjs), fmt(r.jsco), fmt(r.bare), v.vsPeer, v.vsBare, r.goal, v.met];
    }),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((x) => x[c]!.length)));
  const left = new Set([0, 7, 8]);
  const line = (x: string[]) =>
    x
      .map((s, c) => (left.has(c) ? s.padEnd(widths[c]!) : s.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  console.log(line(table[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const x of table.slice(1)) console.log(line(x));
}

function summary(rows: PeerRow[]): string {
  const parts = rows.map((r) => {
    const short = r.op.replace(/\s*\(.*$/, '').replace(/,.*$/, '');
    const best = bestPeer(r);
    const bare =
      typeof r.bare === 'number' && typeof r.weft === 'number' ? `, /bare ${(r.weft / r.bare).toFixed(2)}` : '';
    return `${short} ${typeof r.weft === 'number' && best !== undefined ? (r.weft / best).toFixed(2) : 'n/a'}${bare}`;
  });
  const goals = rows.filter((r) => r.peerMax !== undefined || r.bareMax !== undefined);
  const met = goals.filter((r) => verdict(r).met.startsWith('met')).length;
  return `ratios weft/best peer (lower is better) — ${parts.join('; ')} — goals met ${met}/${goals.length}`;
}
