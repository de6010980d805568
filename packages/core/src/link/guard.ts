// The host half of instrumentation (instrument/): one `weft:guard` core
// import object per top-level instantiation, shared by all its core instances
// (nested components' too): the fuel global and the interrupt flag.
//
// The flag is word 0 of a one-page shared memory that every instrumented
// loop header (and tail-calling function entry) loads; any non-zero value
// calls `interrupted`:
//   DEADLINE / INTERRUPTED: the guest traps ("deadline exceeded" / "interrupted").
//   SLICE: time slicing (instantiate's `timeSlice`). The watchdog worker sets
//     it every SLICE_MS in every slicing flag; `interrupted` clears it and, if
//     the guest is on a JSPI stack of this store and has kept the JS event
//     loop from a macrotask for about 4 ms (Store.fairnessDue), pauses that
//     stack for one macrotask turn (Thread.pauseJspi) so timers, I/O and other
//     instances run; else the loop just goes on.
// Words 2-3 (a BigInt64 at byte 8) hold the current deadline (epoch ms, 0 for
// none), which the host may move (`setDeadline`): the watchdog's timer reads
// it when it fires, so a later deadline set meanwhile is never cut short.

import { Trap } from '../host/errors.ts';
import type { InstrumentOptions } from '../instrument/index.ts';
import { running, STORE, type Store } from '../runtime/store.ts';
import { Thread } from '../runtime/thread.ts';

export interface GuardOptions {
  fuel?: bigint | number;
  timeout?: number;
  signal?: AbortSignal;
  timeSlice?: boolean;
}

const MAX_FUEL = 2n ** 63n - 1n;
const DEADLINE = 1;
const INTERRUPTED = 2;
const SLICE = 3;
/** How often the watchdog asks a slicing guest to look at the clock (ms). */
const SLICE_MS = 2;

/** The (non-enumerable) key of an `Instance`'s deadline control. */
export const DEADLINE_CONTROL = Symbol('weft.deadline');

/** Moves an instantiation's deadline (see `setDeadline`). */
export interface DeadlineControl {
  set(ms: number | undefined): void;
}

/** The guard of an instantiation: its `weft:guard` imports and, if interruptible, its deadline control. */
export interface Guard {
  imports: Record<string, unknown>;
  deadline: DeadlineControl | undefined;
}

/** Sets the flag unless it holds a trap already (a pending SLICE is overridden). */
function raise(flag: Int32Array, v: number): void {
  for (;;) {
    const cur = Atomics.load(flag, 0);
    if (cur === DEADLINE || cur === INTERRUPTED) return;
    if (Atomics.compareExchange(flag, 0, cur, v) === cur) return;
  }
}

let nextId = 0;

/** Whether an instantiation's flag (its `weft:guard` imports) holds a trap its guest has yet to meet. */
export function flagHoldsTrap(guard: Record<string, unknown>): boolean {
  const memory = guard.flag as WebAssembly.Memory | undefined;
  if (memory === undefined) return false;
  const v = Atomics.load(new Int32Array(memory.buffer, 0, 1), 0);
  return v === DEADLINE || v === INTERRUPTED;
}

/** The guard of an instantiation of a component compiled with `compiled`, in `store`. */
export function createGuard(compiled: InstrumentOptions, o: GuardOptions, store?: Store): Guard | undefined {
  if (o.fuel !== undefined && !compiled.fuel)
    throw new TypeError('instantiate option fuel needs a component compiled with { fuel: true }');
  if ((o.timeout !== undefined || o.signal !== undefined || o.timeSlice) && !compiled.interruptible)
    throw new TypeError(
      'instantiate options timeout, signal and timeSlice need a component compiled with { interruptible: true }',
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
  if (!compiled.interruptible) return { imports: guard, deadline: undefined };
  if (o.timeout !== undefined && !(o.timeout >= 0)) throw new RangeError('timeout must be a number of milliseconds');
  const slicing = store?.timeSlice === true;
  const dog = watchdog();
  // A slicing flag is watched from the start: one the watchdog has been given already.
  const stocked = slicing && dog !== undefined ? slicingFlag(dog) : undefined;
  const memory = stocked?.memory ?? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const flag = new Int32Array(memory.buffer, 0, 1);
  const at64 = new BigInt64Array(memory.buffer, 8, 1);
  // A stocked flag may hold a SLICE the watchdog set while it waited (never a trap: no deadline).
  if (stocked !== undefined) Atomics.store(flag, 0, 0);
  guard.flag = memory;
  // Lives as long as anything of this instantiation that may touch the flag: every closure
  // below that does (`interrupted`, which the core instances import, the deadline control, the
  // abort listener, the timers) names it, so it is reachable from each. Once it is collected,
  // a stocked flag goes back to the stock (`recycled`).
  const life: object = {};
  const trap = () =>
    new Trap(`wasm trap: ${Atomics.load(flag, 0) === INTERRUPTED ? 'interrupted' : 'deadline exceeded'}`);
  if (slicing) {
    const plain = () => {
      if (Atomics.load(flag, 0) !== SLICE || life === undefined) throw trap();
      // A deadline raised meanwhile stays: the next check traps.
      Atomics.compareExchange(flag, 0, SLICE, 0);
      const t = running.current;
      if (!(t instanceof Thread) || !t.jspi || t.store !== store || t.done || t.offStack) return undefined;
      // A call pauses only once it has run across two slice ticks (a short call never
      // does, so it returns its value synchronously) and the event loop has been kept
      // from a macrotask for a while (by it or by whatever ran before it).
      const due = store.fairnessDue(true);
      const now = performance.now();
      const seen = t.sliceSeen;
      if (seen === 0) t.sliceSeen = now;
      if (seen !== 0 && now - seen >= SLICE_MS / 2 && due) {
        t.sliceSeen = 0;
        t.slicePauses++;
        store.slicedThread = t;
        store.slicedAt = now;
        return t.pauseJspi(() => undefined, undefined);
      }
      return undefined;
    };
    guard.interrupted = store.blockable(plain, [], []);
  } else {
    guard.interrupted = () => {
      // A SLICE cannot be set here (only slicing flags get one), but be safe.
      if (Atomics.load(flag, 0) === SLICE) return void Atomics.compareExchange(flag, 0, SLICE, 0);
      throw trap();
    };
  }
  if (o.signal) {
    if (o.signal.aborted) raise(flag, INTERRUPTED);
    else o.signal.addEventListener('abort', () => life && raise(flag, INTERRUPTED), { once: true });
  }
  const id = stocked?.id ?? nextId++;
  let watching = false;
  const watch = () => {
    if (watching || dog === undefined) return;
    watching = true;
    if (stocked !== undefined) return void recycled.register(life, stocked);
    dog.postMessage({ kind: 'add', id, buffer: memory.buffer, slice: slicing });
    // When the instantiation is gone, so is its entry in the watchdog.
    watched.register(memory, id);
  };
  // On this thread for a guest that yields; from the watchdog for one in a tight loop.
  // Both timers re-read the shared deadline when they fire and re-arm for a later one, so
  // moving it later needs neither touched: a host that moves it on every request (the
  // wasi-http pool) posts to the watchdog only when it moves earlier than what the watchdog
  // was last told, or that has passed, and never for a slicing flag (read every slice tick).
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = 0;
  let posted = 0;
  const fire = () => {
    timer = undefined;
    if (life === undefined) return;
    const at = Number(Atomics.load(at64, 0));
    if (at === 0) return;
    const left = at - Date.now();
    if (left > 0) arm(at, left);
    else raise(flag, DEADLINE);
  };
  const arm = (at: number, ms: number) => {
    timerAt = at;
    timer = setTimeout(fire, ms);
    (timer as { unref?: () => void }).unref?.();
  };
  const deadline: DeadlineControl = {
    set(ms) {
      if (life === undefined) return;
      if (ms !== undefined && !(ms >= 0)) throw new RangeError('a deadline must be a number of milliseconds');
      const now = Date.now();
      const at = ms === undefined ? 0 : Math.max(1, now + Math.ceil(ms));
      Atomics.store(at64, 0, BigInt(at));
      if (at === 0) return;
      if (timer === undefined || at < timerAt) {
        if (timer !== undefined) clearTimeout(timer);
        arm(at, at - now);
      }
      // A slicing flag's deadline is read by the watchdog at each slice tick: nothing to post.
      if (slicing || dog === undefined || (posted !== 0 && at >= posted && now < posted)) return;
      posted = at;
      watch();
      dog.postMessage({ kind: 'deadline', id, at });
    },
  };
  if (slicing) watch();
  if (o.timeout !== undefined) deadline.set(o.timeout);
  return { imports: guard, deadline };
}

const watched = new FinalizationRegistry<number>((id) => dog?.postMessage({ kind: 'drop', id }));

/** How many slicing flags `slicingFlag` makes (and posts to the watchdog in one message) at a time. */
const STOCK_BATCH = 8;
/** Most flags kept for reuse; more are dropped from the watchdog. */
const STOCK_MAX = 256;
/** How long a recycled flag waits before reuse: a raise the watchdog based on its last owner's deadline has landed by then. */
const QUARANTINE_MS = 50;

interface StockFlag {
  memory: WebAssembly.Memory;
  id: number;
  /** When it came back (performance.now()); 0 for a new one. */
  freed: number;
}

/**
 * Slicing flags the watchdog watches already, not given to an instantiation: new ones, and
 * those of instantiations that are gone (oldest first). Realm-wide, as the watchdog is.
 */
const stock: StockFlag[] = [];

/**
 * A slicing flag the watchdog watches already: a recycled one, or a fresh one. Fresh ones are
 * made in batches, each posted in one message (posting a shared buffer, and making one, were
 * a fifth of a sliced instantiation). A waiting flag holds no deadline, so the watchdog only
 * ever sets SLICE in it.
 */
function slicingFlag(w: Watchdog): StockFlag {
  const now = performance.now();
  while (stock.length > 0 && now - stock[0]!.freed >= QUARANTINE_MS) {
    const f = stock.shift()!;
    const cur = Atomics.load(new Int32Array(f.memory.buffer, 0, 1), 0);
    if (cur !== DEADLINE && cur !== INTERRUPTED) return f;
    w.postMessage({ kind: 'drop', id: f.id });
  }
  const flags: { id: number; buffer: SharedArrayBuffer }[] = [];
  const fresh: StockFlag[] = [];
  for (let i = 0; i < STOCK_BATCH; i++) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const id = nextId++;
    fresh.push({ memory, id, freed: 0 });
    flags.push({ id, buffer: memory.buffer as unknown as SharedArrayBuffer });
  }
  w.postMessage({ kind: 'add-many', flags, slice: true });
  // New ones go first (freed 0), ahead of recycled ones still waiting.
  stock.unshift(...fresh.slice(1));
  return fresh[0]!;
}

/** The instantiation a stocked flag served is gone: nothing of it touches the flag any more. */
const recycled = new FinalizationRegistry<StockFlag>((f) => {
  const buffer = f.memory.buffer;
  Atomics.store(new BigInt64Array(buffer, 8, 1), 0, 0n);
  const cur = Atomics.load(new Int32Array(buffer, 0, 1), 0);
  if (cur === DEADLINE || cur === INTERRUPTED || stock.length >= STOCK_MAX) {
    dog?.postMessage({ kind: 'drop', id: f.id });
    return;
  }
  f.freed = performance.now();
  stock.push(f);
});

interface Watchdog {
  postMessage(m: unknown): void;
}

// The watchdog: per watched flag, a deadline timer that re-reads the shared
// deadline when it fires (the host may have moved it), and, while any flag
// slices, one interval that sets SLICE in each flag that holds nothing and
// raises DEADLINE in each whose shared deadline has passed (so a slicing
// flag's deadline is never posted: moving it is one shared write). A flag
// holding a trap is done with: it is dropped. `parentPort` is the worker's
// port to this thread: node:worker_threads' or, in a browser, the worker scope.
const WATCHDOG_BODY = `
const flags = new Map();
let interval;
const slicers = new Set();
const stop = (id) => {
  const w = flags.get(id);
  if (!w) return;
  if (w.timer) clearTimeout(w.timer);
  flags.delete(id);
  slicers.delete(w);
  if (slicers.size === 0 && interval) { clearInterval(interval); interval = undefined; }
};
const raise = (w, v) => {
  for (;;) {
    const cur = Atomics.load(w.flag, 0);
    if (cur === ${DEADLINE} || cur === ${INTERRUPTED}) return;
    if (Atomics.compareExchange(w.flag, 0, cur, v) === cur) return;
  }
};
const fire = (id) => {
  const w = flags.get(id);
  if (!w) return;
  w.timer = undefined;
  const at = Number(Atomics.load(w.at, 0));
  if (at === 0) return;
  const left = at - Date.now();
  if (left > 0) { w.timer = setTimeout(fire, left, id); return; }
  raise(w, ${DEADLINE});
  stop(id);
};
const slice = () => {
  const now = Date.now();
  for (const w of slicers) {
    const at = Number(Atomics.load(w.at, 0));
    if (at !== 0 && at <= now) raise(w, ${DEADLINE});
    const cur = Atomics.compareExchange(w.flag, 0, 0, ${SLICE});
    if (cur === ${DEADLINE} || cur === ${INTERRUPTED}) stop(w.id);
  }
};
const add = (id, buffer, isSlicing) => {
  const w = { id, flag: new Int32Array(buffer, 0, 1), at: new BigInt64Array(buffer, 8, 1), timer: undefined };
  flags.set(id, w);
  if (isSlicing) {
    slicers.add(w);
    interval ??= setInterval(slice, ${SLICE_MS});
  }
};
parentPort.on('message', (m) => {
  if (m.kind === 'add') add(m.id, m.buffer, m.slice);
  else if (m.kind === 'add-many') for (const f of m.flags) add(f.id, f.buffer, m.slice);
  else if (m.kind === 'deadline') {
    const w = flags.get(m.id);
    if (!w) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(fire, Math.max(0, m.at - Date.now()), m.id);
  } else if (m.kind === 'drop') stop(m.id);
});`;
const NODE_WATCHDOG = `const { parentPort } = require('node:worker_threads');${WATCHDOG_BODY}`;
const WEB_WATCHDOG = `const parentPort = { on: (_, f) => self.addEventListener('message', (e) => f(e.data)) };${WATCHDOG_BODY}`;

let dog: Watchdog | null | undefined;

/**
 * The realm's watchdog worker, started on first use: a node:worker_threads worker under Node
 * (it never keeps the process alive), loaded on use (no static node: import); in a browser a
 * Web Worker from a blob: URL, where the page is cross-origin isolated (posting the flags'
 * shared memory needs that). Chromium starts such a worker only once the page's thread gets
 * back to its event loop, so a guest that spins at once in the first interruptible instance
 * is not reached. Elsewhere none: deadlines then reach a guest only when it yields.
 */
function watchdog(): Watchdog | undefined {
  if (dog !== undefined) return dog ?? undefined;
  dog = null;
  const g = globalThis as {
    process?: { getBuiltinModule?: (m: string) => any };
    crossOriginIsolated?: boolean;
    Worker?: new (url: string) => Watchdog;
  };
  try {
    const wt = g.process?.getBuiltinModule?.('node:worker_threads');
    if (wt?.Worker) {
      const w = new wt.Worker(NODE_WATCHDOG, { eval: true });
      w.unref();
      dog = w;
    } else if (typeof g.Worker === 'function' && g.crossOriginIsolated === true) {
      // A Content-Security-Policy without blob: in worker-src refuses this: then no watchdog.
      // (The URL is kept: one per realm, and revoking it could race the worker's script fetch.)
      dog = new g.Worker(URL.createObjectURL(new Blob([WEB_WATCHDOG], { type: 'text/javascript' })));
    }
  } catch {
    dog = null;
  }
  return dog ?? undefined;
}

/**
 * Moves the deadline of an instantiation of a component compiled with
 * `{ interruptible: true }`: its guest code stops with "deadline exceeded"
 * `ms` milliseconds from now (replacing instantiate's `timeout` and any
 * earlier call), or never (`undefined`). Reaches a tight loop (the watchdog
 * sets the flag). A deadline that has already stopped the guest stays.
 */
export function setDeadline(instance: object, ms: number | undefined): void {
  const c = (instance as Record<symbol, DeadlineControl | undefined>)[DEADLINE_CONTROL];
  if (c === undefined)
    throw new TypeError('setDeadline needs an instance of a component compiled with { interruptible: true }');
  c.set(ms);
}

/** Whether an instance runs time-sliced (instantiated with `timeSlice` where the engine has JSPI). */
export function isTimeSliced(instance: object): boolean {
  return (instance as Record<symbol, Store | undefined>)[STORE]?.timeSlice === true;
}

/** Pauses of one call that make it a long stretch of code (each comes after 4 ms or more of it). */
const SPIN_PAUSES = 3;
/** How recently its last pause must have begun (ms). */
const SPIN_RECENT_MS = 50;

/**
 * Whether the guest of an instance made with `timeSlice` is in a long stretch
 * of code that does not return to the event loop (a long or endless loop):
 * one call of it, still running, has been paused by time slicing three times
 * or more, the last time within 50 ms. Such an instance cannot start anything
 * else until that stretch ends (a server sends new work elsewhere).
 */
export function isSpinning(instance: object): boolean {
  const store = (instance as Record<symbol, Store | undefined>)[STORE];
  const t = store?.slicedThread;
  if (t === undefined || t.done || t.slicePauses < SPIN_PAUSES) return false;
  return performance.now() - store!.slicedAt <= SPIN_RECENT_MS;
}
