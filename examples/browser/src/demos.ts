// The component demos both pages run, each given a way to instantiate its component: page 1
// compiles the .wasm it fetches (Component.compile), the CSP page calls `weft bundle` output.
//
//   values    componentize-qjs guest (QuickJS inside): scalars, strings, records, a result's
//             error as a ComponentError with its payload
//   streams   callback-ABI guest: stream<u8> each way, every byte checked, async calls alongside
//   trap      a component that traps: the error is shown, and the instance stays poisoned

import { ComponentError } from '@weft/core';

export type Exports = Record<string, any>;
export type Instantiate = () => Promise<{ exports: Exports }>;

export interface DemoResult {
  ok: boolean;
  lines: string[];
}

/** `error: Trap: wasm trap: unreachable` (name and message of anything thrown). */
export function describeError(e: unknown): string {
  if (e instanceof ComponentError) return `error: ComponentError: payload ${JSON.stringify(e.payload)}`;
  if (e instanceof Error) return `error: ${e.name}: ${e.message.trim()}`;
  return `error: ${String(e)}`;
}

export async function valuesDemo(instantiate: Instantiate): Promise<DemoResult> {
  const e = (await instantiate()).exports;
  const api = e['weft-test:values/api'];
  const lines = [
    `add(20, 22) = ${e.add(20, 22)}`,
    `echo("héllo, 🌍") = ${JSON.stringify(e.echo('héllo, 🌍'))}`,
    `concat("we", "ft") = ${JSON.stringify(api.concat('we', 'ft'))}`,
    `translate({x: 1, y: 2}, 10, 20) = ${JSON.stringify(api.translate({ x: 1, y: 2 }, 10, 20))}`,
    `reverse-bytes([1, 2, 3]) = [${[...api.reverseBytes(new Uint8Array([1, 2, 3]))].join(', ')}]`,
    `checked-div(84, 2) = ${api.checkedDiv(84, 2)}`,
  ];
  try {
    api.checkedDiv(1, 0);
    lines.push('checked-div(1, 0) returned');
  } catch (err) {
    lines.push(`checked-div(1, 0) → ${describeError(err)}`);
  }
  return { ok: true, lines };
}

const CHUNK = 64 * 1024;

/** `total` bytes in 64 KiB chunks, byte k = k & 0xff (what the guest's source writes too). */
function* pattern(total: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(CHUNK).map((_, i) => i & 0xff);
  for (let sent = 0; sent < total; sent += CHUNK) yield sent + CHUNK <= total ? chunk : chunk.subarray(0, total - sent);
}

/** Reads the guest's source(n) to the end, checking every byte; returns the count. */
async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== ((n + i) & 0xff)) throw new Error(`byte ${n + i} is ${chunk[i]}, expected ${(n + i) & 0xff}`);
    }
    n += chunk.length;
  }
  return n;
}

export async function streamsDemo(instantiate: Instantiate, mib = 32): Promise<DemoResult> {
  const e = (await instantiate()).exports;
  const total = mib * 1024 * 1024;
  const t0 = performance.now();
  // One direction at a time (the guest keeps one waitable set for both), with async calls
  // going on alongside the first.
  const [received, sum] = await Promise.all([
    e.source(total).then(drain),
    Promise.all(Array.from({ length: 100 }, (_, i) => e.add(i, 1))),
  ]);
  const sunk = await e.sink(pattern(total));
  const ms = performance.now() - t0;
  const adds = (sum as number[]).reduce((a, b) => a + b, 0);
  const lines = [
    `source(${total}) → page: ${received} bytes, each checked`,
    `page → sink: ${sunk} bytes counted by the guest`,
    `100 concurrent async add(i, 1): sum ${adds}`,
    `${((2 * total) / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s (${ms.toFixed(0)} ms)`,
  ];
  const ok = received === total && sunk === BigInt(total) && adds === 5050;
  return { ok, lines };
}

export async function trapDemo(instantiate: Instantiate): Promise<DemoResult> {
  const lines: string[] = [];
  const e = (await instantiate()).exports;
  lines.push(`ok() = ${e.ok()}`);
  for (const [call, f] of [
    ['boom()', () => e.boom()],
    ['ok() after the trap', () => e.ok()],
  ] as const) {
    try {
      lines.push(`${call} = ${f()}`);
    } catch (err) {
      lines.push(`${call} → ${describeError(err)}`);
    }
  }
  try {
    lines.push(`divide(1, 0) = ${(await instantiate()).exports.divide(1, 0)}`);
  } catch (err) {
    lines.push(`divide(1, 0) on a new instance → ${describeError(err)}`);
  }
  // The page shows a trap as an error.
  return { ok: false, lines };
}
