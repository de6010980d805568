// What one instantiation costs: µs (wall, and the main thread's CPU time) and JS heap bytes
// allocated per `instantiate` of a few guests, each compiled plain and `{ interruptible: true }`
// (then instantiated with `timeSlice: true`, as `weft serve` does), the modes interleaved round
// by round in one process so both see the same machine. Each instance is dropped at once.
//
//   minimal  test/guests/bench/minimal.wat (assembled with jco `parse`): no imports, two core funcs
//   values   test/guests/values/values.wasm (componentize-qjs): a large guest with resources
//   hello-c  ../wasi-http/test/guests/hello-c.wasm with createHttp() (skipped without wasi-http):
//            the guest `weft serve` makes an instance of every 128 requests
//
//   node --conditions=weft-source bench/instantiate.ts [guest] [plain|sliced] [count]
//
// With a guest (and mode) named it runs only those, for a profiler (`--cpu-prof`).
import { readFile } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { parse } from '@bytecodealliance/jco';
import { Component, type InstantiateOptions } from '@weft/core';

interface Guest {
  name: string;
  bytes: Uint8Array;
  imports: () => Promise<Record<string, unknown>>;
}

const here = (p: string) => new URL(p, import.meta.url);

async function guests(): Promise<Guest[]> {
  const list: Guest[] = [
    {
      name: 'minimal',
      bytes: await parse(await readFile(here('../test/guests/bench/minimal.wat'), 'utf8')),
      imports: async () => ({}),
    },
    {
      name: 'values',
      bytes: new Uint8Array(await readFile(here('../test/guests/values/values.wasm'))),
      imports: async () => ({}),
    },
  ];
  try {
    const bytes = new Uint8Array(await readFile(here('../../wasi-http/test/guests/hello-c.wasm')));
    const http = (await import(here('../../wasi-http/src/index.ts').href)) as {
      createHttp(): Record<string, unknown>;
    };
    list.push({ name: 'hello-c', bytes, imports: async () => http.createHttp() });
  } catch (e) {
    console.log(`hello-c skipped (${(e as Error).message.split('\n')[0]})`);
  }
  return list;
}

interface Mode {
  name: 'plain' | 'sliced';
  compile: { interruptible?: boolean };
  options: InstantiateOptions;
}

const MODES: Mode[] = [
  { name: 'plain', compile: {}, options: {} },
  { name: 'sliced', compile: { interruptible: true }, options: { timeSlice: true } },
];

const [onlyGuest, onlyMode, countArg] = process.argv.slice(2);
const ROUNDS = onlyGuest ? 1 : 7;
const PER_ROUND = Number(countArg ?? (onlyGuest ? 3000 : 200));

/** The main thread's CPU time in µs (not the watchdog's or the GC helpers'): steadier than wall time on a shared machine. */
const threadCpu = (): number => {
  const u = (process as unknown as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage?.();
  return u === undefined ? Number.NaN : u.user + u.system;
};

/** Wall µs, main-thread CPU µs and heap bytes per instantiate of one batch. */
function batch(c: Component, imports: Record<string, unknown>, options: InstantiateOptions, n: number) {
  const a0 = getHeapStatistics().total_allocated_bytes;
  const c0 = threadCpu();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) c.instantiateSync(imports, options);
  const us = ((performance.now() - t0) * 1000) / n;
  return { us, cpu: (threadCpu() - c0) / n, bytes: (getHeapStatistics().total_allocated_bytes - a0) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const g of await guests()) {
  if (onlyGuest && g.name !== onlyGuest) continue;
  const modes = MODES.filter((m) => !onlyMode || m.name === onlyMode);
  const compiled = await Promise.all(modes.map((m) => Component.compile(g.bytes, m.compile)));
  const imports = await g.imports();
  // Warm-up: the first instantiations compile the JS and the shim modules.
  for (let i = 0; i < modes.length; i++) batch(compiled[i]!, imports, modes[i]!.options, 20);
  const us: number[][] = modes.map(() => []);
  const cpu: number[][] = modes.map(() => []);
  const bytes: number[][] = modes.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < modes.length; i++) {
      const b = batch(compiled[i]!, imports, modes[i]!.options, PER_ROUND);
      us[i]!.push(b.us);
      cpu[i]!.push(b.cpu);
      bytes[i]!.push(b.bytes);
    }
  }
  const cells = modes.map(
    (m, i) =>
      `${m.name} ${median(us[i]!).toFixed(0).padStart(5)} µs (cpu ${median(cpu[i]!).toFixed(0).padStart(5)}) ${(median(bytes[i]!) / 1024).toFixed(1).padStart(6)} KB`,
  );
  console.log(`${g.name.padEnd(8)} ${cells.join('   ')}   (median of ${ROUNDS} x ${PER_ROUND})`);
}
