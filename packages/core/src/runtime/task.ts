// definitions.py Task: one call of a lifted function, with its implicit
// thread and any threads it spawned.

import type { BorrowScope } from '../abi/context.ts';
import type { CanonOptions } from '../abi/options.ts';
import { enterFrom, leaveTo } from './instance-entry.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { FuncType } from '../types/model.ts';
import { type AsyncInstanceState, asyncState } from './instance-state.ts';
import type { Store } from './store.ts';
import type { Thread } from './thread.ts';

/** definitions.py Cancelled: what a resumed thread is told. */
export const Cancelled = { FALSE: 0, TRUE: 1 } as const;

export const TaskState = { INITIAL: 1, STARTED: 2, PENDING_CANCEL: 3, CANCEL_DELIVERED: 4, RESOLVED: 5 } as const;

/**
 * The caller's side of one call: definitions.py's `on_start` and `on_resolve` (undefined:
 * cancelled; otherwise the one-element or empty result list), and where a trap of the callee
 * goes. One object rather than three closures per call.
 */
export interface CallSite {
  onStart(): unknown[];
  onResolve(result: unknown[] | undefined): void;
  /** onResolve([value]) without the list, where the site can take the value alone. */
  onResolveValue?(value: unknown): void;
  onTrap(e: unknown): void;
}

/** The call site of a task made by the runtime itself (a sync call's or a start function's). */
export const NO_CALL_SITE: CallSite = {
  onStart: () => [],
  onResolve: () => {},
  onTrap: () => {},
};
/** What a call's caller holds to cancel it (a Task, or a host call's stand-in). */
export interface Cancellable {
  requestCancellation(caller: ComponentInstance | undefined): void;
}
/** A call that cannot be cancelled (it finished, or the host does not support it). */
export const NOT_CANCELLABLE: Cancellable = { requestCancellation() {} };

export class Task {
  readonly ft: FuncType;
  readonly opts: CanonOptions;
  readonly inst: ComponentInstance;
  readonly ai: AsyncInstanceState;
  /** Its instance's store. */
  readonly store: Store;
  readonly site: CallSite;
  /** Where the task's trap goes (its lift call; the runtime's own tasks have none). */
  onTrap: { fail(e: unknown): void } | undefined = undefined;
  state: number = TaskState.INITIAL;
  /** Borrows lent to this call still live (the task is its own BorrowScope: no object per call). */
  numBorrows = 0;
  get borrowScope(): BorrowScope {
    return this;
  }
  implicitThread: Thread | undefined = undefined;
  /** The caller's task when called from a guest (for the reentrance check). */
  supertask: Task | undefined = undefined;
  /**
   * definitions.py Task.threads, as the implicit thread's membership and a list of the threads
   * it spawned, made on the first (most tasks have only the implicit one: no list per call).
   */
  private implicitRegistered = false;
  private spawned: Thread[] | undefined = undefined;

  constructor(ft: FuncType, opts: CanonOptions, inst: ComponentInstance, site: CallSite) {
    this.ft = ft;
    this.opts = opts;
    this.inst = inst;
    this.ai = asyncState(inst);
    this.store = inst.store;
    this.site = site;
  }

  needsExclusive(): boolean {
    return !this.opts.async || this.opts.callback !== undefined;
  }

  hasBackpressure(): boolean {
    const ai = this.ai;
    return ai.backpressure > 0 || (this.needsExclusive() && ai.exclusiveThread !== undefined);
  }

  /**
   * enter_implicit_thread when nothing holds it back: enters and returns true,
   * else returns false (then `enterImplicitThreadLater`).
   */
  enterImplicitThreadNow(thread: Thread): boolean {
    this.implicitThread = thread;
    const ai = this.ai;
    if (this.ft.async && (this.hasBackpressure() || ai.numWaitingToEnter > 0)) return false;
    if (this.ft.async && this.needsExclusive()) ai.exclusiveThread = thread;
    // register_thread, its index given on first need (AsyncInstanceState.unindexed).
    this.addThread(thread);
    ai.indexPending();
    ai.unindexed = thread;
    return true;
  }

  /**
   * `enterImplicitThreadNow` for a host's call of a callback-ABI async function, once the caller
   * has seen nothing hold it back (no backpressure, no thread waiting to enter, no exclusive
   * thread): small, so the compiled host call (async-lift-codegen.ts) inlines it.
   */
  enterCallbackNow(thread: Thread): void {
    this.implicitThread = thread;
    this.implicitRegistered = true;
    const ai = this.ai;
    ai.exclusiveThread = thread;
    ai.indexPending();
    ai.unindexed = thread;
  }

  /**
   * enter_implicit_thread behind backpressure, CPS: `k(true)` once entered,
   * `k(false)` if the task was cancelled while waiting.
   */
  enterImplicitThreadLater(thread: Thread, k: (entered: boolean) => void): void {
    this.implicitThread = thread;
    const ai = this.ai;
    ai.numWaitingToEnter++;
    thread.waitUntil(
      () => !this.hasBackpressure(),
      true,
      (cancelled) => {
        ai.numWaitingToEnter--;
        if (cancelled) {
          this.cancel();
          k(false);
          return;
        }
        if (this.ft.async && this.needsExclusive()) ai.exclusiveThread = thread;
        this.registerThread(thread);
        k(true);
      },
    );
  }

  registerThread(thread: Thread): void {
    this.addThread(thread);
    this.ai.indexPending();
    thread.index = this.ai.threads.add(thread);
  }

  exitImplicitThread(): void {
    const t = this.implicitThread!;
    this.unregisterThread(t);
    if (this.ft.async && this.needsExclusive() && this.ai.exclusiveThread === t) {
      this.ai.exclusiveThread = undefined;
      this.store.schedule();
    }
  }

  /**
   * The call ends before its core code ran (the host's arguments could not be lowered): its
   * implicit thread leaves as exit_implicit_thread would, without the trap of a task that
   * produced no result.
   */
  abandon(): void {
    const t = this.implicitThread;
    if (t === undefined || t.done || !this.implicitRegistered) return;
    this.state = TaskState.RESOLVED;
    this.exitImplicitThread();
  }

  private addThread(thread: Thread): void {
    if (thread === this.implicitThread && !this.implicitRegistered) this.implicitRegistered = true;
    else (this.spawned ??= []).push(thread);
  }

  /** The task's threads in the order they were registered (the implicit one first). */
  threadList(): Thread[] {
    const list = this.implicitRegistered ? [this.implicitThread!] : [];
    if (this.spawned !== undefined) list.push(...this.spawned);
    return list;
  }

  unregisterThread(thread: Thread): void {
    if (thread === this.implicitThread && this.implicitRegistered) this.implicitRegistered = false;
    else if (this.spawned !== undefined) {
      const i = this.spawned.indexOf(thread);
      if (i >= 0) this.spawned.splice(i, 1);
    }
    thread.done = true;
    const ai = this.ai;
    if (ai.unindexed === thread) ai.unindexed = undefined;
    else if (thread.index !== undefined) {
      ai.indexPending();
      ai.threads.remove(thread.index);
      thread.index = undefined;
    }
    if (!this.implicitRegistered && !this.spawned?.length && this.state !== TaskState.RESOLVED) {
      throw new Trap('wasm trap: async-lifted export failed to produce a result');
    }
  }

  requestCancellation(caller: ComponentInstance | undefined): void {
    if (this.state === TaskState.INITIAL) {
      this.state = TaskState.CANCEL_DELIVERED;
      this.implicitThread!.resume(Cancelled.TRUE);
      return;
    }
    if (this.state !== TaskState.STARTED) return;
    const candidates = this.threadList().filter((t) => t.cancellable && t.cont !== undefined);
    const ai = this.ai;
    if (this.needsExclusive() && ai.exclusiveThread !== undefined && ai.exclusiveThread !== this.implicitThread) {
      const i = candidates.indexOf(this.implicitThread!);
      if (i >= 0) candidates.splice(i, 1);
    }
    if (candidates.length > 0 && (this.inst.mayEnter || caller !== undefined)) {
      this.state = TaskState.CANCEL_DELIVERED;
      enterFrom(this.inst, caller);
      try {
        candidates[0]!.resume(Cancelled.TRUE);
      } finally {
        leaveTo(this.inst, caller);
      }
    } else {
      this.state = TaskState.PENDING_CANCEL;
    }
  }

  deliverPendingCancel(cancellable: boolean): boolean {
    if (cancellable && this.state === TaskState.PENDING_CANCEL) {
      this.state = TaskState.CANCEL_DELIVERED;
      return true;
    }
    return false;
  }

  start(): unknown[] {
    this.state = TaskState.STARTED;
    if (!this.ft.async) this.store.syncCalls.push(this);
    return this.site.onStart();
  }

  /** A sync-typed call is over (returned or trapped): lift its scheduling restriction. */
  endSync(): void {
    if (this.ft.async) return;
    const s = this.store.syncCalls;
    const i = s.lastIndexOf(this);
    if (i >= 0) {
      s.splice(i, 1);
      this.store.schedule();
    }
  }

  return_(result: unknown[]): void {
    this.resolving();
    this.site.onResolve(result);
    this.store.schedule();
  }

  /** `return_([value])`, passing the value alone where the call site takes it so. */
  returnValue(value: unknown): void {
    this.resolving();
    const site = this.site;
    if (site.onResolveValue !== undefined) site.onResolveValue(value);
    else site.onResolve([value]);
    this.store.schedule();
  }

  /** task.return's checks, then the task is resolved. */
  private resolving(): void {
    if (this.state === TaskState.RESOLVED) throw new Trap('task.return called more than once');
    if (this.numBorrows > 0) throw new Trap('borrow handles still remain at the end of the call');
    this.state = TaskState.RESOLVED;
    this.endSync();
  }

  cancel(): void {
    if (this.state !== TaskState.CANCEL_DELIVERED) {
      throw new Trap(
        this.state === TaskState.RESOLVED
          ? 'task.cancel called after the task returned'
          : 'task.cancel called before cancellation was requested',
      );
    }
    if (this.numBorrows > 0) throw new Trap('borrow handles still remain at the end of the call');
    this.state = TaskState.RESOLVED;
    this.endSync();
    this.site.onResolve(undefined);
    this.store.schedule();
  }
}
