// definitions.py Store + Thread, on the JS event loop. A thread is resumed by
// calling its continuation `cont`: for a callback-ABI task that runs the next
// callback synchronously; for a JSPI stack it resolves the Promise the stack
// is suspended on, and the thread runs in a later microtask ("in flight")
// until it blocks again, so the scheduler resumes one thread at a time.

import { Trap } from '../host/errors.ts';
import type { Task } from './task.ts';

export const Cancelled = { FALSE: 0, TRUE: 1 } as const;

/** After this many consecutive ticks, the next one waits for a macrotask (timers/IO get a turn). */
const TICKS_PER_MACROTASK = 64;

const macrotask: (f: () => void) => void =
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

export class Thread {
  readonly task: Task;
  /** How to resume: set while the thread is not running. */
  cont: ((cancelled: number) => void) | undefined;
  readyFunc: (() => boolean) | undefined = undefined;
  cancellable = false;
  index: number | undefined = undefined;
  readonly storage: [number | bigint, number | bigint] = [0, 0];
  /** Runs on a JSPI stack (entered through WebAssembly.promising): may suspend. */
  readonly jspi: boolean;
  done = false;

  constructor(task: Task, start: (cancelled: number) => void, jspi: boolean) {
    this.task = task;
    this.cont = start;
    this.jspi = jspi;
  }

  running(): boolean {
    return this.cont === undefined && !this.done;
  }
  suspended(): boolean {
    return this.cont !== undefined && this.readyFunc === undefined;
  }
  waiting(): boolean {
    return this.cont !== undefined && this.readyFunc !== undefined;
  }
  ready(): boolean {
    return this.waiting() && this.readyFunc!();
  }

  startWaitingInternal(readyFunc: () => boolean): void {
    this.readyFunc = readyFunc;
    store.waiting.push(this);
    store.schedule();
  }

  stopWaitingInternal(): void {
    this.readyFunc = undefined;
    const w = store.waiting;
    const i = w.indexOf(this);
    if (i >= 0) w.splice(i, 1);
  }

  resumeLater(): void {
    this.startWaitingInternal(() => true);
  }

  resume(cancelled = 0): void {
    if (this.waiting()) this.stopWaitingInternal();
    const c = this.cont!;
    this.cont = undefined;
    if (this.jspi) {
      store.inflight = this;
      c(cancelled);
      return;
    }
    const prev = store.current;
    store.current = this;
    try {
      c(cancelled);
    } finally {
      store.current = prev;
    }
  }

  /** Block until resumed; `k` continues (callback-ABI threads: plain CPS). */
  blockWith(cancellable: boolean, k: (cancelled: number) => void): void {
    this.cancellable = cancellable;
    this.cont = k;
  }

  /** JSPI: block this stack; the Promise resolves (as this thread's current microtask) when resumed. */
  blockJspi(cancellable: boolean): Promise<number> {
    this.cancellable = cancellable;
    const p = new Promise<number>((resolve) => {
      this.cont = (c) => resolve(c);
    });
    store.blocked(this);
    return p.then((c) => {
      store.current = this;
      return c;
    });
  }

  /** wait_until without the random early return (deterministic profile). */
  waitUntil(readyFunc: () => boolean, cancellable: boolean, k: (cancelled: number) => void): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.startWaitingInternal(readyFunc);
    this.blockWith(cancellable, k);
  }

  waitUntilJspi(readyFunc: () => boolean, cancellable: boolean): number | Promise<number> {
    if (this.task.deliverPendingCancel(cancellable)) return Cancelled.TRUE;
    this.startWaitingInternal(readyFunc);
    return this.blockJspi(cancellable);
  }
}

export class Store {
  readonly waiting: Thread[] = [];
  /** The thread running on the JSPI stack the scheduler last resumed. */
  inflight: Thread | undefined = undefined;
  /** The running thread, or a sync call whose thread is made on demand (task.ts SyncFrame). */
  current: Thread | { materialize(): Thread } | undefined = undefined;
  /** Host operations that may still make a guest thread ready (host async calls, host stream ends in use). */
  hostPending = 0;
  private queued = false;
  private streak = 0;
  private readonly idleWatchers = new Set<() => void>();

  schedule(): void {
    if (this.queued) return;
    this.queued = true;
    if (++this.streak >= TICKS_PER_MACROTASK) {
      this.streak = 0;
      macrotask(this.runTick);
    } else {
      queueMicrotask(this.runTick);
    }
  }

  private readonly runTick = (): void => {
    this.queued = false;
    this.tick();
  };

  /** A JSPI thread suspended; if the scheduler was waiting on it, carry on. */
  blocked(t: Thread): void {
    if (this.inflight === t) {
      this.inflight = undefined;
      this.current = undefined;
      this.schedule();
    }
  }

  /** A JSPI thread's stack finished (its promising call settled). */
  exited(t: Thread): void {
    if (this.inflight === t) {
      this.inflight = undefined;
      this.current = undefined;
    }
    this.schedule();
  }

  tick(): void {
    if (this.inflight !== undefined) return;
    for (;;) {
      const w = this.waiting;
      let pick: Thread | undefined;
      for (let i = 0; i < w.length; i++) {
        const t = w[i]!;
        if (t.readyFunc!()) {
          pick = t;
          break;
        }
      }
      if (pick === undefined) {
        this.streak = 0;
        if (this.idleWatchers.size > 0) this.checkIdle();
        return;
      }
      pick.resume();
      if (this.inflight !== undefined) return;
    }
  }

  /** Called when nothing is ready: lets awaiting host calls detect a deadlock. */
  private checkIdle(): void {
    // Host work may still arrive in a later macrotask; look again after one.
    macrotask(() => {
      if (this.inflight !== undefined || this.queued || this.hostPending > 0) return;
      for (const t of this.waiting) if (t.readyFunc!()) return;
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

/** One store for the whole JS realm (JS runs one thread at a time anyway). */
export const store = new Store();

export function currentThread(): Thread {
  const t = store.current;
  if (t === undefined) throw new Trap('this canonical built-in must be called from inside a component task');
  return t instanceof Thread ? t : t.materialize();
}

export function deadlockTrap(): Trap {
  return new Trap('wasm trap: deadlock detected: event loop cannot make further progress');
}
