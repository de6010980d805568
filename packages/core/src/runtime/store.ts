// definitions.py Store, on the JS event loop (its threads: thread.ts). Each
// top-level instantiation has its own Store (definitions.py's `inst.store`; nested
// instances share their root's): its waiting threads, its scheduler, its
// host-work counters and its options. A thread is resumed by calling its
// continuation `cont`: for a callback-ABI task that runs the next callback
// synchronously; for a JSPI stack it resolves the Promise the stack is
// suspended on, and the thread runs in a later microtask ("in flight") until
// it blocks again, so each store resumes one thread at a time. Stores never
// wait for each other: a sync call blocked in one leaves every other running.

import { poisonWith } from './errors.ts';
import { LinkError, Trap } from '../host/errors.ts';
import type { CoreValType } from '../types/model.ts';
import { HAS_JSPI, Suspender } from './jspi.ts';
import type { Task } from './task.ts';
import type { Thread } from './thread.ts';
import type { ComponentInstance } from './component-instance.ts';

/** After this many consecutive ticks, the next one waits for a macrotask (timers/IO get a turn). */
const TICKS_PER_MACROTASK = 64;
/** Threads resumed in one tick before the next tick is scheduled. */
const RESUMES_PER_TICK = 256;
/** A busy guest loop (poll, a yield that switches to nothing) looks at the clock once per this many calls. */
const FAIR_CHECK_EVERY = 32;
/** Longest a busy guest loop on a JSPI stack keeps the JS event loop from a macrotask turn (ms). */
const FAIR_SLICE_MS = 4;

export const macrotask: (f: () => void) => void =
  typeof setImmediate === 'function'
    ? (f) => {
        setImmediate(f);
      }
    : typeof MessageChannel === 'function'
      ? (() => {
          const ch = new MessageChannel();
          const q: (() => void)[] = [];
          ch.port1.onmessage = () => q.shift()?.();
          return (f: () => void) => {
            q.push(f);
            ch.port2.postMessage(0);
          };
        })()
      : (f) => {
          setTimeout(f, 0);
        };

/** What a store is made with: `InstantiateOptions`' `jspi` and `hostImportsMaySuspend`. */
export interface StoreOptions {
  /** Use JSPI where the engine has it (default true); false runs as on an engine without it. */
  jspi?: boolean;
  /** Host functions lowered synchronously may return a Promise the guest waits for (on JSPI). */
  hostImportsMaySuspend?: boolean;
  /** Most component and core instances one instantiation may create (default 10 000). */
  maxInstances?: number;
  /** Host bytes one lift (a call's results or parameters, one stream/future copy) may create (default 2^28). */
  maxLiftBytes?: number;
  /** Time slicing of interruptible guests (instantiate's `timeSlice`; needs `jspi`). */
  timeSlice?: boolean;
  /** Compile call paths to JavaScript with `new Function` where the engine allows it (default true). */
  codegen?: boolean;
}

/** Wasmtime's default for a store's instances (ResourceLimiter::instances). */
export const DEFAULT_MAX_INSTANCES = 10_000;

/**
 * What runs on the JS stack now. Only one JS stack runs at a time in a realm,
 * whichever store its thread belongs to, so this one register serves all
 * stores: the running thread, or a sync call whose thread is made on demand
 * (thread.ts SyncFrame). Every writer restores it before returning.
 */
export const running: { current: Thread | { materialize(): Thread } | undefined } = { current: undefined };

/** The (non-enumerable) key of an `Instance`'s store. */
export const STORE = Symbol('weft.store');

/** What one instantiation made, gathered while it runs for a later reset (link/reset.ts). */
export interface InstantiationParts {
  instances: ComponentInstance[];
  cores: { module: WebAssembly.Module; exports: Record<string, unknown> }[];
  /** It defines resource types: a reset would keep their identities, so it is never reset. */
  definesResources: boolean;
}

export class Store {
  /** Its instances run their core code on JSPI stacks where they may block (the engine has JSPI and the store uses it). */
  readonly jspi: boolean;
  /** Synchronously lowered host imports may return a Promise the guest waits for (needs `jspi`). */
  readonly hostImportsMaySuspend: boolean;
  /** Every call into its instances runs on a JSPI stack that an interrupt check may pause (link/guard.ts). */
  readonly timeSlice: boolean;
  /** Call paths are compiled to JavaScript where the engine allows it (canon/lift-codegen.ts). */
  readonly codegen: boolean;
  /** When time slicing last paused one of its stacks (performance.now(); link/guard.ts isSpinning). */
  slicedAt = Number.NEGATIVE_INFINITY;
  /** The thread time slicing last paused (link/guard.ts isSpinning). */
  slicedThread: Thread | undefined = undefined;
  readonly waiting: Thread[] = [];
  /** The thread running on the JSPI stack the scheduler last resumed. */
  inflight: Thread | undefined = undefined;
  private suspenderOf: Suspender | undefined = undefined;
  /** What the instantiation makes, gathered for a reset (a component compiled `resettable`; link/reset.ts). */
  parts: InstantiationParts | undefined = undefined;

  /** Component and core instances made so far, against `maxInstances`. */
  private instanceCount = 0;
  readonly maxInstances: number;
  readonly maxLiftBytes: number;

  constructor(options: StoreOptions = {}) {
    this.jspi = HAS_JSPI && options.jspi !== false;
    this.hostImportsMaySuspend = options.hostImportsMaySuspend === true;
    this.timeSlice = this.jspi && options.timeSlice === true;
    this.codegen = options.codegen !== false;
    const max = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('maxInstances must be a positive integer');
    this.maxInstances = max;
    // 2^28: the spec's largest byte length of one list or string.
    const lift = options.maxLiftBytes ?? 2 ** 28;
    if (!Number.isSafeInteger(lift) || lift < 0) throw new RangeError('maxLiftBytes must be a non-negative integer');
    this.maxLiftBytes = lift;
  }

  /**
   * One more component or core instance: a component that instantiates a
   * nested component twice, thirty levels deep, stops here instead of
   * running for hours.
   */
  countInstance(): void {
    if (++this.instanceCount > this.maxInstances)
      throw new LinkError(`instance count exceeds the limit of ${this.maxInstances} (instantiate option maxInstances)`);
  }

  /** This store's JSPI suspension machinery (only a store with `jspi` asks for it). */
  suspender(): Suspender {
    return (this.suspenderOf ??= new Suspender());
  }

  /** A built-in that may block, callable from any of this store's stacks (as is, without JSPI). */
  blockable(plain: Function, params: CoreValType[], results: CoreValType[]): Function {
    return this.jspi ? this.suspender().blockable(plain, params, results) : plain;
  }
  /** Host operations that may still make a guest thread ready (host async calls, host stream ends in use). */
  get hostPending(): number {
    return this.pendingCount;
  }
  set hostPending(n: number) {
    this.pendingCount = n;
    this.hostDrives(n);
  }
  private pendingCount = 0;
  /**
   * Host awaits on guests in progress (stream/future reads; pending export
   * calls are the idle watchers). Guest threads only run while the host drives
   * the store (this, hostPending, a call in progress) and until it next goes
   * idle, as in wasmtime, where the event loop runs only inside host calls: a
   * thread left ready by a sync export call that returned at once waits for
   * the next, so that call may still see it (spec test
   * during-sync-call-no-sibling-resume).
   */
  get hostWaits(): number {
    return this.waitCount;
  }
  set hostWaits(n: number) {
    this.waitCount = n;
    this.hostDrives(n);
  }
  private waitCount = 0;
  private hostDrives(n: number): void {
    if (n <= 0) return;
    this.draining = true;
    if (this.paused) this.schedule();
  }
  /** A tick found ready threads but no host driving the store. */
  private paused = false;
  /**
   * The host drove the store since it was last idle: threads made ready
   * meanwhile (say, by a copy the host's read completed) still run until
   * nothing is ready. Only threads made ready while the store was idle (by a
   * sync export call that returned at once) wait for the host.
   */
  private draining = false;
  /**
   * Sync-typed calls in progress, innermost last. While one is unresolved,
   * only threads of its instance that may use its stack run
   * (definitions.py canon_lift's loop for `not ft.async_`).
   */
  readonly syncCalls: Task[] = [];
  private queued = false;
  private streak = 0;
  private idleCheck = false;
  private readonly idleWatchers = new Set<() => void>();

  schedule(): void {
    if (this.queued) return;
    // A tick with no thread waiting, no drain to end and nobody to tell of a deadlock does nothing.
    if (this.waiting.length === 0 && !this.draining && this.idleWatchers.size === 0 && this.syncCalls.length === 0)
      return;
    this.queueTick();
  }

  /**
   * The queueing half of `schedule`, out of line: `schedule` is called on every call's way out
   * and stays small enough for V8 to inline at each of its callers, whatever stores queued ticks.
   */
  private queueTick(): void {
    this.queued = true;
    if (++this.streak >= TICKS_PER_MACROTASK) {
      this.streak = 0;
      macrotask(this.runTick);
    } else {
      queueMicrotask(this.runTick);
    }
  }

  /**
   * Fairness (issue 9). `waitable-set.poll` never blocks and `thread.yield`
   * with nothing else ready is a no-op, so a guest looping on them never
   * reaches the scheduler, whose ticks take a macrotask turn every
   * TICKS_PER_MACROTASK. Such a loop on a JSPI stack asks `fairnessDue()` on
   * each call; once every FAIR_CHECK_EVERY calls it arms a probe (a macrotask)
   * and, if the probe has not run FAIR_SLICE_MS later, the event loop is being
   * starved: the caller pauses its stack until a macrotask has run
   * (Thread.pauseJspi). A sync-lifted call not on a JSPI stack cannot pause:
   * only instrumentation (deadlines, fuel) stops it.
   */
  fairnessDue(heavy = false): boolean {
    // A heavy call (a stream read the host answers at once, up to a buffer's worth of bytes)
    // looks at the clock every time; a cheap one (poll, yield) every FAIR_CHECK_EVERY calls.
    if (!heavy && ++this.busyCalls < FAIR_CHECK_EVERY) return false;
    this.busyCalls = 0;
    const t = performance.now();
    if (!this.probing) {
      this.probing = true;
      this.probeArmed = t;
      macrotask(this.probeRan);
      return false;
    }
    return t - this.probeArmed > FAIR_SLICE_MS;
  }
  private busyCalls = 0;
  private probing = false;
  private probeArmed = 0;
  private readonly probeRan = (): void => {
    this.probing = false;
  };
  /**
   * Stacks paused for a macrotask turn (Thread.pauseJspi): while one is, the
   * scheduler resumes nothing (a poll stays atomic for the store's other
   * threads) and no deadlock is reported.
   */
  pausing = 0;

  private readonly runTick = (): void => {
    this.queued = false;
    this.tick();
  };

  /** A JSPI thread suspended; if the scheduler was waiting on it, carry on. */
  blocked(t: Thread, quiet = false): void {
    if (!quiet) this.settled(t);
    if (this.inflight === t) {
      this.inflight = undefined;
      this.schedule();
    }
  }

  /** A JSPI thread's stack finished (its promising call settled). */
  exited(t: Thread): void {
    t.trapPending = false;
    this.settled(t);
    if (this.inflight === t) this.inflight = undefined;
    this.schedule();
  }

  private settled(t: Thread): void {
    const f = t.onSettle;
    if (f !== undefined) {
      t.onSettle = undefined;
      f();
    }
  }

  /**
   * Whether a stack's trap is still on its way (see Thread.trapPending): a
   * caller that just called into it must wait for it before running on.
   */
  trapPending(): boolean {
    return this.inflight?.trapPending === true;
  }

  /** The innermost unresolved sync-typed call, if any. */
  syncCall(): Task | undefined {
    const s = this.syncCalls;
    return s.length > 0 ? s[s.length - 1] : undefined;
  }

  /** Whether `t` may run now (the sync-call restriction). */
  runnable(t: Thread, sync: Task | undefined): boolean {
    if (sync === undefined) return true;
    const task = t.task;
    if (task.inst !== sync.inst) return false;
    // implicit threads of tasks that need exclusive use of the stack
    return !(task.ft.async && task.needsExclusive() && t === task.implicitThread);
  }

  private pick(): Thread | undefined {
    const w = this.waiting;
    const sync = this.syncCall();
    for (let i = 0; i < w.length; i++) {
      const t = w[i]!;
      if (this.runnable(t, sync) && t.readyFunc!()) return t;
    }
    return undefined;
  }

  tick(): void {
    if (this.inflight !== undefined || this.pausing > 0) return;
    if (
      this.waitCount > 0 ||
      this.pendingCount > 0 ||
      this.syncCalls.length > 0 ||
      this.idleWatchers.size > 0 ||
      realmHolds.count > 0
    ) {
      this.draining = true;
    } else if (!this.draining) {
      this.paused = this.waiting.length > 0;
      return;
    }
    this.paused = false;
    // Callback-ABI threads resume synchronously; bound the work per tick so
    // threads that yield forever still let the JS event loop (and the host) run.
    for (let n = 0; n < RESUMES_PER_TICK; n++) {
      const pick = this.pick();
      if (pick === undefined) {
        this.streak = 0;
        this.draining = false;
        if (this.idleWatchers.size > 0 || this.syncCalls.length > 0) this.checkIdle();
        return;
      }
      try {
        pick.resume();
      } catch (err) {
        // Nothing a guest thread throws escapes the scheduler: it is that thread's trap.
        trapThread(pick, err);
      }
      if (this.inflight !== undefined) return;
    }
    this.schedule();
  }

  /** Called when nothing is ready: detects a deadlock. */
  private checkIdle(): void {
    if (this.idleCheck) return;
    this.idleCheck = true;
    // Host work may still arrive in a later macrotask; look again after one.
    macrotask(() => {
      this.idleCheck = false;
      if (
        this.inflight !== undefined ||
        this.pausing > 0 ||
        this.queued ||
        this.pendingCount > 0 ||
        realmHolds.count > 0
      )
        return;
      if (this.pick() !== undefined) return;
      const sync = this.syncCall();
      if (sync !== undefined) {
        // A blocked sync-typed call that nothing may now unblock traps.
        if (sync.implicitThread?.running()) return;
        sync.onTrap?.fail(deadlockTrap());
        return;
      }
      for (const f of [...this.idleWatchers]) f();
    });
  }

  /** Registers `onDeadlock`, run if the store goes idle while the returned disposer has not been called. */
  watchIdle(onDeadlock: () => void): () => void {
    this.idleWatchers.add(onDeadlock);
    this.schedule();
    return () => this.idleWatchers.delete(onDeadlock);
  }
}

/**
 * Holds of `holdHost()` without a target: host work that may feed any
 * store's guests, so no store reports a deadlock while one is held.
 */
export const realmHolds = { count: 0 };

/**
 * A trap in thread `t` (definitions.py: a trap in any thread of a task traps
 * the component instance): the thread is over, its instance is poisoned, and
 * its task fails with the trap (the export call or the caller's subtask sees
 * it), whether or not the task had already returned. Safe to call more than
 * once (a task fails once).
 */
export function trapThread(t: Thread, err: unknown): void {
  if (t.waiting()) t.stopWaitingInternal();
  t.cont = undefined;
  t.contAsync = false;
  t.done = true;
  const task = t.task;
  const trap = poisonWith(task.inst, err);
  try {
    task.onTrap?.fail(trap);
  } finally {
    t.store.exited(t);
  }
}

export function deadlockTrap(): Trap {
  return new Trap('wasm trap: deadlock detected: event loop cannot make further progress');
}
