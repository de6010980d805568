// The bench's page in Chromium (bundled by browser.ts): Weft's sync call, async call round trip
// and stream<u8> throughput, measured as bench.ts and async.ts measure them on Node (a warm-up,
// then a run sized to a time budget; streams: the median of three), with performance.now().

import { Component } from '@weft/core';
import { sinkRun, sourceRun } from './stream-runs.ts';

type Fn = (...args: any[]) => any;

let sink = 0;

async function load(url: string): Promise<Record<string, Fn>> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  return (await (await Component.compile(bytes)).instantiate({})).exports;
}

/** ns per call of `fn`: 300 ms of warm-up, then as many calls as fit in 1.5 s (at most `max`). */
function perCall(fn: () => unknown, max: number): number {
  let warm = 0;
  const w0 = performance.now();
  while (performance.now() - w0 < 300 && warm < max) {
    if (fn()) sink++;
    warm++;
  }
  const n = Math.max(3, Math.min(max, Math.floor(1500 / ((performance.now() - w0) / warm))));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (fn()) sink++;
  return ((performance.now() - t0) * 1e6) / n;
}

async function roundTrip(add: Fn, budgetMs: number): Promise<number> {
  if ((await add(40, 2)) !== 42) throw new Error('wrong result');
  const warmEnd = performance.now() + budgetMs / 5;
  while (performance.now() < warmEnd) await add(1, 2);
  let n = 0;
  const t0 = performance.now();
  const end = t0 + budgetMs;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) await add(i, 1);
    n += 64;
  }
  return ((performance.now() - t0) * 1e6) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** MiB/s of `run(total)`: one warm-up run of a quarter, then the median of three. */
async function rate(run: (total: number) => Promise<void>, total: number): Promise<number> {
  await run(total / 4);
  const r: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run(total);
    r.push(total / 2 ** 20 / ((performance.now() - t0) / 1000));
  }
  return median(r);
}

/** Each case by name, for the Node side to call one at a time. */
const cases: Record<string, () => Promise<number>> = {
  'sync-minimal': async () => {
    const e = await load('minimal.wasm');
    if (e.add!(20, 22) !== 42) throw new Error('wrong result');
    return perCall(() => e.add!(20, 22), 20_000_000);
  },
  'sync-values': async () => {
    const e = await load('values.wasm');
    if (e.add!(20, 22) !== 42) throw new Error('wrong result');
    return perCall(() => e.add!(20, 22), 20_000_000);
  },
  'async-add': async () => roundTrip((await load('streams.wasm')).add!, 1500),
  sink: async () => {
    const e = await load('streams.wasm');
    return rate((t) => sinkRun(e, t), 256 << 20);
  },
  'source-for-await': async () => {
    const e = await load('streams.wasm');
    return rate((t) => sourceRun(e, t, false), 256 << 20);
  },
  'source-read-into': async () => {
    const e = await load('streams.wasm');
    return rate((t) => sourceRun(e, t, true), 256 << 20);
  },
};

/** The figure, and the sink (so no call is dead code). */
(globalThis as { weftBench?: unknown }).weftBench = async (name: string) => ({ value: await cases[name]!(), sink });
