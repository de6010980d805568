// definitions.py Waitable, WaitableSet, Subtask, EventCode.

import type { LiftLowerContext } from '../abi/context.ts';
import { Trap } from '../host/errors.ts';
import { releaseLends } from './handle.ts';
import type { Store } from './store.ts';
import type { Cancellable } from './task.ts';

export const EventCode = {
  NONE: 0,
  SUBTASK: 1,
  STREAM_READ: 2,
  STREAM_WRITE: 3,
  FUTURE_READ: 4,
  FUTURE_WRITE: 5,
  TASK_CANCELLED: 6,
} as const;

export type EventTuple = [code: number, p1: number, p2: number];

export class Waitable {
  /** The store of the instance that holds it (whose threads wait on it). */
  readonly store: Store;
  pendingEvent: (() => EventTuple) | undefined = undefined;
  wset: WaitableSet | undefined = undefined;
  hasSyncWaiter = false;

  constructor(store: Store) {
    this.store = store;
  }

  setPendingEvent(pendingEvent: () => EventTuple): void {
    this.pendingEvent = pendingEvent;
    this.store.schedule();
  }

  hasPendingEvent(): boolean {
    return this.pendingEvent !== undefined;
  }

  inWaitableSet(): boolean {
    return this.wset !== undefined;
  }

  getPendingEvent(): EventTuple {
    const pe = this.pendingEvent!;
    this.pendingEvent = undefined;
    return pe();
  }

  join(wset: WaitableSet | undefined): void {
    if (this.wset !== undefined) {
      const e = this.wset.elems;
      e.splice(e.indexOf(this), 1);
    }
    this.wset = wset;
    if (wset !== undefined) wset.elems.push(this);
  }

  drop(): void {
    this.join(undefined);
  }
}

export class WaitableSet {
  readonly elems: Waitable[] = [];
  numWaiting = 0;

  hasPendingEvent(): boolean {
    const e = this.elems;
    for (let i = 0; i < e.length; i++) if (e[i]!.pendingEvent !== undefined) return true;
    return false;
  }

  /** First waitable with an event (the spec shuffles; we go in join order for determinism). */
  getPendingEvent(): EventTuple {
    const e = this.elems;
    for (let i = 0; i < e.length; i++) {
      const w = e[i]!;
      if (w.pendingEvent !== undefined) {
        // Rotate so one busy waitable does not starve the others.
        e.splice(i, 1);
        e.push(w);
        return w.getPendingEvent();
      }
    }
    throw new Trap('internal: no pending event');
  }

  drop(): void {
    if (this.elems.length > 0) throw new Trap('cannot drop waitable set with waitables still in it');
    if (this.numWaiting > 0) throw new Trap('cannot drop waitable set with waiters');
  }
}

export const SubtaskState = {
  STARTING: 0,
  STARTED: 1,
  RETURNED: 2,
  CANCELLED_BEFORE_STARTED: 3,
  CANCELLED_BEFORE_RETURNED: 4,
} as const;

export class Subtask extends Waitable {
  state: number = SubtaskState.STARTING;
  onCancel: Cancellable | undefined = undefined;
  /** The caller's lift context: its `lenders` are this subtask's lenders. */
  cx: LiftLowerContext | undefined = undefined;
  delivered = false;
  cancellationRequested = false;
  flatResults: unknown[] = [];
  /** The callee trapped: rethrown to the caller when it looks at this subtask. */
  trap: unknown = undefined;
  /** The callee's store (the caller's, unless it calls a guest of another store). */
  readonly calleeStore: Store;

  constructor(store: Store, calleeStore: Store) {
    super(store);
    this.calleeStore = calleeStore;
  }

  resolved(): boolean {
    return this.state >= SubtaskState.RETURNED;
  }

  resolve(state: number, flatResults: unknown[]): void {
    this.state = state;
    this.flatResults = flatResults;
    this.store.schedule();
  }

  deliverResolve(): void {
    if (this.delivered) return;
    this.delivered = true;
    if (this.cx !== undefined) releaseLends(this.cx);
  }

  resolveDelivered(): boolean {
    return this.delivered;
  }

  override getPendingEvent(): EventTuple {
    if (this.trap !== undefined) throw this.trap;
    return super.getPendingEvent();
  }

  override drop(): void {
    if (!this.delivered) throw new Trap('cannot drop a subtask which has not yet resolved');
    super.drop();
  }
}
