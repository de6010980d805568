// The host half of instrumentation (instrument/): one `weft:guard` core
// import object per top-level instantiation, shared by all its core instances
// (nested components' too): the fuel global and the interrupt flag.

import { Trap } from '../host/errors.ts';
import type { InstrumentOptions } from '../instrument/index.ts';

export interface GuardOptions {
  fuel?: bigint | number;
  timeout?: number;
  signal?: AbortSignal;
}

const MAX_FUEL = 2n ** 63n - 1n;
const DEADLINE = 1;
const INTERRUPTED = 2;

/** The import object of `weft:guard` for an instantiation of a component compiled with `compiled`. */
export function createGuard(compiled: InstrumentOptions, o: GuardOptions): Record<string, unknown> | undefined {
  if (o.fuel !== undefined && !compiled.fuel)
    throw new TypeError('instantiate option fuel needs a component compiled with { fuel: true }');
  if ((o.timeout !== undefined || o.signal !== undefined) && !compiled.interruptible)
    throw new TypeError(
      'instantiate options timeout and signal need a component compiled with { interruptible: true }',
    );
  if (!compiled.fuel && !compiled.interruptible) return undefined;
  const guard: Record<string, unknown> = {};
  if (compiled.fuel) {
    let fuel = o.fuel === undefined ? MAX_FUEL : BigInt(o.fuel);
    if (fuel < 0n) throw new RangeError('fuel must not be negative');
    if (fuel > MAX_FUEL) fuel = MAX_FUEL;
    guard.fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, fuel);
    guard['out-of-fuel'] = () => {
      throw new Trap('wasm trap: fuel exhausted');
    };
  }
  if (compiled.interruptible) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const flag = new Int32Array(memory.buffer, 0, 1);
    guard.flag = memory;
    guard.interrupted = () => {
      throw new Trap(`wasm trap: ${Atomics.load(flag, 0) === INTERRUPTED ? 'interrupted' : 'deadline exceeded'}`);
    };
    const set = (v: number) => void Atomics.compareExchange(flag, 0, 0, v);
    if (o.signal) {
      if (o.signal.aborted) set(INTERRUPTED);
      else o.signal.addEventListener('abort', () => set(INTERRUPTED), { once: true });
    }
    if (o.timeout !== undefined) {
      if (!(o.timeout >= 0)) throw new RangeError('timeout must be a number of milliseconds');
      const at = Date.now() + o.timeout;
      // On this thread for a guest that yields; from the watchdog for one in a tight loop.
      const t = setTimeout(() => set(DEADLINE), o.timeout) as { unref?: () => void };
      t.unref?.();
      watchdog()?.postMessage({ buffer: memory.buffer, at });
    }
  }
  return guard;
}

interface Watchdog {
  postMessage(m: unknown): void;
}

const WATCHDOG_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ buffer, at }) => {
  const flag = new Int32Array(buffer, 0, 1);
  setTimeout(() => Atomics.compareExchange(flag, 0, 0, ${DEADLINE}), Math.max(0, at - Date.now()));
});`;

let dog: Watchdog | null | undefined;

/** The realm's watchdog worker (Node), started on first use; it never keeps the process alive. */
function watchdog(): Watchdog | undefined {
  if (dog !== undefined) return dog ?? undefined;
  dog = null;
  try {
    const wt = (
      globalThis as {
        process?: { getBuiltinModule?: (m: string) => any };
      }
    ).process?.getBuiltinModule?.('node:worker_threads');
    if (wt?.Worker) {
      const w = new wt.Worker(WATCHDOG_SOURCE, { eval: true });
      w.unref();
      dog = w;
    }
  } catch {
    dog = null;
  }
  return dog ?? undefined;
}
