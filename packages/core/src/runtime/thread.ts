// definitions.py Thread: a thread of a task, resumed through its
// continuation `cont` by its store's scheduler (store.ts); plus the threads
// made on demand: a sync call's (SyncFrame) and a start function's.

import { Trap } from '../host/errors.ts';
import type { CanonOptions } from '../abi/options.ts';
import type { CoreValType, FuncType } from '../types/model.ts';
import type { ComponentInstance } from './component-instance.ts';
import { jspiRequired } from './jspi.ts';
import { macrotask, running, type Store, trapThread } from './store.ts';
import { Cancelled, NO_CALL_SITE, Task, TaskState } from './task.ts';

export class Thread {
  readonly task: Task;
  /** Its task's store. */
  readonly store: Store;
  /** How to resume: set while the thread is not running. */
  cont: ((cancelled: number) => void) | undefined;
  /** `cont` resolves the Promise a suspended JSPI stack waits on (it then runs in a later microtask). */
  contAsync = false;
  readyFunc: (() => boolean) | undefined = undefined;
  cancellable = false;
  index: number | undefined = undefined;
  /** context.get/set's two slots (fields, not an array: no allocation per thread). */
  storage0: number | bigint = 0;
  storage1: number | bigint = 0;
  /** Runs on a JSPI stack (entered through WebAssembly.promising): may suspend. */
  readonly jspi: boolean;
  done = false;
  /** Bumped each time this thread's stack suspends (lets an entry tell "suspended" from "trapped"). */
  suspensions = 0;
  /**
   * Its JSPI stack trapped before it ever suspended: the trap is on its way
   * (a rejected Promise), and the thread stays in flight until it arrives.
   */
  trapPending = false;
  /** Time slicing: when this thread's stack first saw a slice tick since it last paused (0: not yet; link/guard.ts). */
  sliceSeen = 0;
  /** Time slicing: how many times this thread's stack has been paused. */
  slicePauses = 0;
  /** Running off its JSPI stack (a post-return after the stack finished): it must not pause. */
  offStack = false;

  constructor(task: Task, start: ((cancelled: number) => void) | undefined, jspi: boolean) {
    this.task = task;
    this.store = task.store;
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
    this.store.waiting.push(this);
    this.store.schedule();
  }

  stopWaitingInternal(): void {
    this.readyFunc = undefined;
    const w = this.store.waiting;
    const i = w.indexOf(this);
    if (i >= 0) w.splice(i, 1);
  }

  resumeLater(): void {
    this.startWaitingInternal(() => true);
  }

  resume(cancelled = 0): void {
    // A trap elsewhere in its instance ended it: it never runs again (its task fails instead).
    const poisoned = this.task.inst.poisoned;
    if (poisoned !== undefined) return trapThread(this, poisoned);
    if (this.waiting()) this.stopWaitingInternal();
    const c = this.cont!;
    this.cont = undefined;
    if (this.contAsync) {
      // The stack runs once its Promise settles; nothing else is scheduled until it blocks again.
      this.contAsync = false;
      this.store.inflight = this;
      c(cancelled);
      return;
    }
    const prev = running.current;
    running.current = this;
    try {
      c(cancelled);
    } finally {
      running.current = prev;
    }
  }

  /** Block until resumed; `k` continues (callback-ABI threads: plain CPS). */
  blockWith(cancellable: boolean, k: (cancelled: number) => void): void {
    this.cancellable = cancellable;
    this.cont = k;
  }

  /**
   * JSPI: suspend this thread's stack (the caller is a plain built-in inside
   * `blockable`); once resumed, `finish(cancelled)` gives the built-in's result.
   */
  suspendJspi<R>(
    cancellable: boolean,
    finish: (cancelled: number) => R,
    result: CoreValType | undefined,
    releaseExclusive = false,
  ): R {
    return this.store.suspender().suspendWith(this.park(cancellable, finish, false, releaseExclusive), result);
  }

  /**
   * JSPI: suspend this stack until `other` (a JSPI thread just resumed, not
   * yet running) blocks again or exits, then `finish`. How a built-in that in
   * the spec resumes another stack synchronously (cancellation) lets it run
   * before carrying on, as the guest observes in the spec.
   */
  suspendUntilSettled<R>(other: Thread, finish: () => R | Promise<R>, result: CoreValType | undefined): R {
    other.onSettle = () => this.resume(0);
    return this.store.suspender().suspendWith(this.park(false, finish, true), result);
  }

  /**
   * Fairness (Store.fairnessDue): suspends this running JSPI stack (the caller
   * is a plain built-in inside `blockable`) until the JS event loop has run a
   * macrotask (host timers, I/O), then returns `finish()`. Invisible to the
   * guest: the thread stays running (not waiting, not settled) and the store
   * resumes none of its other threads meanwhile (`store.pausing`).
   */
  pauseJspi<R>(finish: () => R, result: CoreValType | undefined): R {
    const store = this.store;
    // Its entry (runOnStack) must see a suspension, not a trap on its way.
    this.suspensions++;
    store.pausing++;
    if (running.current === this) running.current = undefined;
    const p = new Promise<void>((resolve) => macrotask(resolve)).then(() => {
      store.pausing--;
      running.current = this;
      store.inflight = this;
      // Its instance trapped meanwhile: unwind the stack, run no more of it.
      const poisoned = this.task.inst.poisoned;
      if (poisoned !== undefined) throw poisoned;
      return finish();
    });
    return store.suspender().suspendWith(p, result);
  }

  /** Called once when this thread next blocks or exits (suspendUntilSettled). */
  onSettle: (() => void) | undefined = undefined;

  /**
   * Parks this JSPI stack: the returned Promise (for `suspendWith`, or to be
   * adopted by an outer park's `finish`) settles with `finish`'s result once
   * the thread is resumed.
   */
  park<R>(
    cancellable: boolean,
    finish: (cancelled: number) => R | Promise<R>,
    quiet = false,
    releaseExclusive = false,
  ): Promise<R> {
    this.cancellable = cancellable;
    this.suspensions++;
    const p = new Promise<number>((resolve) => {
      this.cont = resolve;
      this.contAsync = true;
    });
    // A callback-ABI task blocked in a synchronous stream/future operation
    // does not keep the instance's exclusive lock: wasmtime lets other async
    // calls enter meanwhile, as the spec's sync-streams test expects (but a
    // sync call to an import keeps it: async-calls-sync). It takes the lock
    // back when it resumes.
    const ai = this.task.ai;
    const store = this.store;
    const held = releaseExclusive && ai.exclusiveThread === this && this.task.opts.callback !== undefined;
    if (held) {
      ai.exclusiveThread = undefined;
      store.schedule();
    }
    store.blocked(this, quiet);
    if (running.current === this) running.current = undefined;
    return p.then((c) => {
      if (held) ai.exclusiveThread = this;
      running.current = this;
      store.inflight = this;
      // Its instance trapped meanwhile: unwind the stack, run no more of it.
      const poisoned = this.task.inst.poisoned;
      if (poisoned !== undefined) throw poisoned;
      return finish(c);
    });
  }

  /** wait_until without the random early return (deterministic profile). */
  waitUntil(readyFunc: () => boolean, cancellable: boolean, k: (cancelled: number) => void): void {
    if (this.task.deliverPendingCancel(cancellable)) return k(Cancelled.TRUE);
    this.startWaitingInternal(readyFunc);
    this.blockWith(cancellable, k);
  }

  /** wait_until on a JSPI stack; `what` names the built-in in the trap if this stack cannot suspend. */
  waitUntilJspi<R>(
    readyFunc: () => boolean,
    cancellable: boolean,
    what: string,
    finish: (cancelled: number) => R,
    result: CoreValType | undefined,
    releaseExclusive = false,
  ): R {
    if (this.task.deliverPendingCancel(cancellable)) return finish(Cancelled.TRUE);
    mustBlock(this, what);
    this.startWaitingInternal(readyFunc);
    return this.suspendJspi(cancellable, finish, result, releaseExclusive);
  }
}

/** Whether `thread` may block now: its task is async-typed or returned, or another thread could use the stack. */
export function mayBlock(thread: Thread): boolean {
  const task = thread.task;
  if (task.ft.async || task.state === TaskState.RESOLVED) return true;
  // Only threads of its own store (top-level instantiation) count: one left
  // ready by another (say, an abandoned earlier instance) is no use to this call.
  for (const t of thread.store.waiting) {
    if (t !== thread && !t.task.inst.poisoned && t.readyFunc!()) return true;
  }
  return false;
}

/** The current thread is about to block: trap where it may not. */
export function mustBlock(thread: Thread, what: string): void {
  if (!mayBlock(thread)) throw new Trap('cannot block a synchronous task before returning');
  if (!thread.jspi) {
    throw thread.store.jspi
      ? new Trap(
          `${what} must block, but this call was not entered on a suspendable (JSPI) stack (a component whose instance cannot block was called)`,
        )
      : jspiRequired(what);
  }
}

/**
 * The running thread. Outside any call, core code can only be running a
 * start function during instantiation: that is an implicit sync task of
 * `inst` (which may not block).
 */
export function currentThread(inst?: ComponentInstance): Thread {
  const t = running.current;
  if (t === undefined) {
    if (inst !== undefined) return startThread(inst);
    throw new Trap('this canonical built-in must be called from inside a component task');
  }
  return t instanceof Thread ? t : t.materialize();
}

/**
 * A sync-typed, sync-lifted call (canon/lift.ts) is a task too, but most
 * never touch a built-in that needs one; its Task and Thread are made on
 * first use.
 */
export class SyncFrame {
  readonly ft: FuncType;
  readonly opts: CanonOptions;
  thread: Thread | undefined = undefined;
  resolved = false;
  constructor(ft: FuncType, opts: CanonOptions) {
    this.ft = ft;
    this.opts = opts;
  }
  materialize(): Thread {
    let t = this.thread;
    if (t === undefined) {
      const task = new Task(this.ft, this.opts, this.opts.instance, NO_CALL_SITE);
      task.state = this.resolved ? TaskState.RESOLVED : TaskState.STARTED;
      t = new Thread(task, () => {}, false);
      t.cont = undefined;
      task.implicitThread = t;
      task.registerThread(t);
      this.thread = t;
    }
    return t;
  }
  /** End of the call: drop the lazily made thread. */
  release(): void {
    const t = this.thread;
    if (t !== undefined) {
      this.thread = undefined;
      t.task.state = TaskState.RESOLVED;
      t.task.unregisterThread(t);
    }
    this.resolved = false;
  }
}

const startThreads = new WeakMap<ComponentInstance, Thread>();

/** The implicit thread of a core start function (a sync task that may not block). */
export function startThread(inst: ComponentInstance): Thread {
  let t = startThreads.get(inst);
  if (t === undefined) {
    const ft = { params: [], result: undefined, async: false } as unknown as FuncType;
    const task = new Task(ft, { instance: inst } as CanonOptions, inst, NO_CALL_SITE);
    task.state = TaskState.STARTED;
    t = new Thread(task, () => {}, false);
    t.cont = undefined;
    task.implicitThread = t;
    startThreads.set(inst, t);
  }
  return t;
}
