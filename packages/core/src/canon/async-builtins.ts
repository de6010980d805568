// The async canon built-ins (definitions.py canon_* under 🔀 🧵 📝) as core
// function factories. Each checks what the spec checks, in its order; those
// that may block return a Promise only when they really must wait (the
// caller wraps them in WebAssembly.Suspending when the instance runs on JSPI).

import { LiftLowerContext } from '../abi/context.ts';
import { codecFor } from '../abi/codecs/index.ts';
import { checkMayLeave } from '../runtime/instance-entry.ts';
import { MAX_FLAT_PARAMS, flatCount } from '../abi/layout.ts';
import type { CanonOptions } from '../abi/options.ts';
import { loadStringFromRange, storeStringIntoRange, stored } from '../abi/strings.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { tableOf } from '../runtime/table.ts';
import type { FutureType, StreamType, ValType } from '../types/model.ts';
import { ReadableBufferGuestImpl, WritableBufferGuestImpl } from '../runtime/buffers.ts';
import {
  CopyEnd,
  CopyResult,
  CopyState,
  ReadableFutureEnd,
  ReadableStreamEnd,
  SharedFutureImpl,
  SharedStreamImpl,
  WritableFutureEnd,
  WritableStreamEnd,
  typeEq,
} from '../runtime/copy.ts';
import { asyncState } from '../runtime/instance-state.ts';
import { Entry } from '../runtime/jspi.ts';
import { runOnStack } from './async-lift.ts';
import { trapThread } from '../runtime/store.ts';
import { Cancelled, Task, TaskState } from '../runtime/task.ts';
import { currentThread, mayBlock, mustBlock, Thread } from '../runtime/thread.ts';
import { ErrorContext } from '../runtime/error-context.ts';
import { EventCode, type EventTuple, Subtask, Waitable, WaitableSet } from '../runtime/waitable.ts';

export const BLOCKED = 0xffff_ffff;

/** Upfront check of the sync variants (wasmtime checks before anything else). */
function checkSyncMayBlock(thread: Thread): void {
  if (!mayBlock(thread)) throw new Trap('cannot block a synchronous task before returning');
}

function handles(inst: ComponentInstance) {
  return tableOf(inst);
}

function memCx(inst: ComponentInstance, memory: WebAssembly.Memory | undefined): LiftLowerContext {
  return new LiftLowerContext({ instance: inst, stringEncoding: 'utf8', memory });
}

function storeEvent(cx: LiftLowerContext, ptr: number, e: EventTuple): number {
  cx.needMemory();
  cx.checkGuestRange(ptr, 4, 8, 'pointer');
  cx.dv.setUint32(ptr, e[1] >>> 0, true);
  cx.dv.setUint32(ptr + 4, e[2] >>> 0, true);
  return e[0];
}

// ---- task / context / backpressure ----

export function canonContextGet(inst: ComponentInstance, type: string, i: number) {
  return () => {
    const t = currentThread(inst);
    const v = i === 0 ? t.storage0 : t.storage1;
    return type === 'i64' ? BigInt(v) : Number(v);
  };
}

export function canonContextSet(inst: ComponentInstance, _type: string, i: number) {
  return (v: number | bigint) => {
    const t = currentThread(inst);
    if (i === 0) t.storage0 = v;
    else t.storage1 = v;
  };
}

export function canonBackpressureInc(inst: ComponentInstance) {
  const ai = asyncState(inst);
  return () => {
    if (ai.backpressure + 1 >= 2 ** 16) throw new Trap('backpressure counter overflow');
    ai.backpressure++;
  };
}

export function canonBackpressureDec(inst: ComponentInstance) {
  const ai = asyncState(inst);
  return () => {
    if (ai.backpressure === 0) throw new Trap('backpressure counter underflow');
    ai.backpressure--;
    if (ai.backpressure === 0) inst.store.schedule();
  };
}

export function canonTaskReturn(inst: ComponentInstance, resultType: ValType | undefined, opts: CanonOptions) {
  const cx = new LiftLowerContext(opts);
  const types = resultType === undefined ? [] : [resultType];
  const spill = flatCount(types) > MAX_FLAT_PARAMS;
  const codec = resultType === undefined ? undefined : codecFor(resultType);
  const encoding = opts.stringEncoding ?? 'utf8';
  /** The result types already found equal to this task.return's (typeEq once per function type). */
  const matched = new WeakSet<object>();
  /** The last of them: a task.return serves one function type, as a rule (no WeakSet lookup per call). */
  let lastMatched: object | undefined;
  const NO_RESULT = {};
  /** The current task, checked as definitions.py's task.return checks it. */
  const taskOf = (): Task => {
    const task = currentThread(inst).task;
    checkMayLeave(task.inst);
    if (!task.opts.async) throw new Trap('task.return called from a synchronously lifted function');
    const want = task.ft.result;
    const key = want ?? NO_RESULT;
    if (key !== lastMatched) {
      if (!matched.has(key)) {
        if (!typeEq(want, resultType))
          throw new Trap('invalid `task.return` signature and/or options for current task');
        matched.add(key);
      }
      lastMatched = key;
    }
    // LiftOptions.equal: the string encoding always; the memory whenever
    // task.return names one (a task.return without memory may serve a task
    // lifted with one, as in wasmtime).
    if (
      encoding !== (task.opts.stringEncoding ?? 'utf8') ||
      (opts.memory !== undefined && opts.memory !== task.opts.memory)
    ) {
      throw new Trap('invalid `task.return` signature and/or options for current task');
    }
    return task;
  };
  // One flat value (the common case): no rest array, no flat iterator.
  const fromCore = codec !== undefined && !spill && codec.flat.length === 1 ? codec.fromCore : undefined;
  if (fromCore !== undefined)
    return (x: unknown) => {
      const task = taskOf();
      if (opts.memory !== undefined) cx.refresh();
      task.returnValue(fromCore(cx, x));
    };
  return (...flat: unknown[]) => {
    const task = taskOf();
    let result: unknown[] = [];
    if (codec !== undefined) {
      if (spill) {
        cx.needMemory();
        const ptr = (flat[0] as number) >>> 0;
        cx.checkGuestRange(ptr, codec.align, codec.size, 'pointer');
        result = [codec.load(cx, ptr)];
      } else {
        if (opts.memory !== undefined) cx.refresh();
        cx.flat = flat;
        cx.fi = 0;
        result = [codec.liftFlat(cx)];
      }
    }
    task.return_(result);
  };
}

export function canonTaskCancel(inst: ComponentInstance) {
  return () => {
    const task = currentThread(inst).task;
    checkMayLeave(task.inst);
    if (!task.opts.async) throw new Trap('task.cancel called from a synchronously lifted function');
    task.cancel();
  };
}

// ---- waitable sets ----

export function canonWaitableSetNew(inst: ComponentInstance) {
  return () => {
    checkMayLeave(inst);
    return handles(inst).add(new WaitableSet());
  };
}

function getWset(inst: ComponentInstance, si: number): WaitableSet {
  const w = handles(inst).get(si >>> 0);
  if (!(w instanceof WaitableSet)) throw new Trap(`handle index ${si >>> 0} is not a waitable set`);
  return w;
}

export function canonWaitableSetWait(
  inst: ComponentInstance,
  cancellable: boolean,
  memory: WebAssembly.Memory | undefined,
) {
  const cx = memCx(inst, memory);
  return (si: number, ptr: number): number => {
    checkMayLeave(inst);
    const thread = currentThread(inst);
    const wset = getWset(inst, si);
    ptr >>>= 0;
    if (thread.task.deliverPendingCancel(cancellable)) return storeEvent(cx, ptr, [EventCode.TASK_CANCELLED, 0, 0]);
    if (wset.hasPendingEvent()) return storeEvent(cx, ptr, wset.getPendingEvent());
    wset.numWaiting++;
    return thread.waitUntilJspi(
      () => wset.hasPendingEvent(),
      cancellable,
      'waitable-set.wait',
      (c: number) => {
        wset.numWaiting--;
        return storeEvent(cx, ptr, c ? [EventCode.TASK_CANCELLED, 0, 0] : wset.getPendingEvent());
      },
      'i32',
    );
  };
}

export function canonWaitableSetPoll(
  inst: ComponentInstance,
  cancellable: boolean,
  memory: WebAssembly.Memory | undefined,
) {
  const cx = memCx(inst, memory);
  return (si: number, ptr: number): number => {
    checkMayLeave(inst);
    const thread = currentThread(inst);
    const wset = getWset(inst, si);
    // A guest looping on poll on a JSPI stack lets host timers and I/O run now
    // and then (poll is wrapped as blockable where its instance runs on JSPI);
    // no other guest thread runs meanwhile, so the poll stays atomic.
    if (thread.jspi && thread.store.fairnessDue() && asyncState(inst).jspi) {
      return thread.pauseJspi(() => pollOnce(cx, thread, wset, cancellable, ptr), 'i32');
    }
    return pollOnce(cx, thread, wset, cancellable, ptr);
  };
}

function pollOnce(cx: LiftLowerContext, thread: Thread, wset: WaitableSet, cancellable: boolean, ptr: number): number {
  let e: EventTuple;
  if (thread.task.deliverPendingCancel(cancellable)) e = [EventCode.TASK_CANCELLED, 0, 0];
  else if (!wset.hasPendingEvent()) e = [EventCode.NONE, 0, 0];
  else e = wset.getPendingEvent();
  return storeEvent(cx, ptr >>> 0, e);
}

export function canonWaitableSetDrop(inst: ComponentInstance) {
  return (i: number) => {
    checkMayLeave(inst);
    const t = handles(inst);
    const w = t.get(i >>> 0);
    if (!(w instanceof WaitableSet)) throw new Trap(`handle index ${i >>> 0} is not a waitable set`);
    w.drop();
    t.remove(i >>> 0);
  };
}

export function canonWaitableJoin(inst: ComponentInstance) {
  return (wi: number, si: number) => {
    checkMayLeave(inst);
    const w = handles(inst).get(wi >>> 0);
    if (!(w instanceof Waitable)) throw new Trap(`handle index ${wi >>> 0} is not a waitable`);
    if (w.hasSyncWaiter) throw new Trap('waitable cannot be used synchronously while added to a waitable set');
    if (si === 0) w.join(undefined);
    else w.join(getWset(inst, si));
  };
}

// ---- subtasks ----

function getSubtask(inst: ComponentInstance, i: number): Subtask {
  const s = handles(inst).get(i >>> 0);
  if (!(s instanceof Subtask)) throw new Trap(`handle index ${i >>> 0} is not a subtask`);
  return s;
}

export function canonSubtaskCancel(inst: ComponentInstance, async: boolean) {
  return (i: number): number => {
    const thread = currentThread(inst);
    checkMayLeave(inst);
    if (!async) checkSyncMayBlock(thread);
    const subtask = getSubtask(inst, i);
    if (subtask.resolveDelivered()) throw new Trap('cannot cancel a subtask which has already resolved');
    if (subtask.cancellationRequested) throw new Trap('cannot cancel a subtask more than once');
    if (subtask.inWaitableSet() && !async)
      throw new Trap('waitable cannot be used synchronously while added to a waitable set');
    const finish = (): number => {
      subtask.getPendingEvent();
      return subtask.state;
    };
    if (!subtask.resolved()) {
      subtask.cancellationRequested = true;
      const cs = subtask.calleeStore;
      const before = cs.inflight;
      subtask.onCancel?.requestCancellation(inst);
      // The spec resumes the callee's cancellable thread right here; if that
      // thread is a suspended JSPI stack it only runs once this stack yields,
      // so wait (suspended) until it blocks again or exits, then look.
      const resumed = cs.inflight;
      if (resumed !== undefined && resumed !== before && resumed !== thread && thread.jspi && !resumed.done) {
        return thread.suspendUntilSettled(resumed, () => afterCancel(thread, subtask, async, finish), 'i32');
      }
      if (!subtask.resolved() || !subtask.hasPendingEvent()) {
        if (async) return BLOCKED;
        return waitForEnd(thread, subtask, 'subtask.cancel', finish);
      }
    }
    return finish();
  };
}

/** The rest of subtask.cancel once the cancelled callee has run (maybe parking again). */
function afterCancel(thread: Thread, subtask: Subtask, async: boolean, finish: () => number): number | Promise<number> {
  if (subtask.resolved() && subtask.hasPendingEvent()) return finish();
  if (async) return BLOCKED;
  subtask.hasSyncWaiter = true;
  thread.startWaitingInternal(() => subtask.hasPendingEvent());
  return thread.park(false, () => {
    subtask.hasSyncWaiter = false;
    return finish();
  });
}

export function canonSubtaskDrop(inst: ComponentInstance) {
  return (i: number) => {
    checkMayLeave(inst);
    const s = getSubtask(inst, i);
    s.drop();
    handles(inst).remove(i >>> 0);
  };
}

// ---- streams and futures ----

export function canonStreamNew(inst: ComponentInstance, t: StreamType) {
  return (): bigint => {
    checkMayLeave(inst);
    const shared = new SharedStreamImpl(t.elem);
    const h = handles(inst);
    const r = new ReadableStreamEnd(shared, inst.store);
    const w = new WritableStreamEnd(shared, inst.store);
    const ri = (r.index = h.add(r));
    const wi = (w.index = h.add(w));
    return BigInt(ri) | (BigInt(wi) << 32n);
  };
}

export function canonFutureNew(inst: ComponentInstance, t: FutureType) {
  return (): bigint => {
    checkMayLeave(inst);
    const shared = new SharedFutureImpl(t.elem);
    const h = handles(inst);
    const r = new ReadableFutureEnd(shared, inst.store);
    const w = new WritableFutureEnd(shared, inst.store);
    const ri = (r.index = h.add(r));
    const wi = (w.index = h.add(w));
    return BigInt(ri) | (BigInt(wi) << 32n);
  };
}

type EndCtor =
  | typeof ReadableStreamEnd
  | typeof WritableStreamEnd
  | typeof ReadableFutureEnd
  | typeof WritableFutureEnd;

function endName(E: EndCtor): string {
  return E === ReadableStreamEnd
    ? 'readable stream end'
    : E === WritableStreamEnd
      ? 'writable stream end'
      : E === ReadableFutureEnd
        ? 'readable future end'
        : 'writable future end';
}

function getEnd<E extends CopyEnd>(inst: ComponentInstance, i: number, E: EndCtor, t: ValType | undefined): E {
  const e = handles(inst).get(i >>> 0);
  if (!(e instanceof E)) throw new Trap(`handle index ${i >>> 0} is not a ${endName(E)}`);
  if (!typeEq(e.shared.t, t)) throw new Trap(`${endName(E)} ${i >>> 0} has a different element type`);
  return e as unknown as E;
}

function doneMessage(E: EndCtor): string {
  if (E === ReadableStreamEnd) return 'cannot read from stream after being notified that the writable end dropped';
  if (E === WritableStreamEnd) return 'cannot write to stream after being notified that the readable end dropped';
  if (E === ReadableFutureEnd) return 'cannot read from future after previous read succeeded';
  return 'cannot write to future after previous write succeeded or readable end dropped';
}

function checkIdle(e: CopyEnd, E: EndCtor): void {
  if (e.state === CopyState.DONE) throw new Trap(doneMessage(E));
  if (e.state !== CopyState.IDLE) throw new Trap('cannot have concurrent operations active on a future/stream');
}

/** Sync variant: wait for e's pending event on a JSPI stack, then `finish`. */
function waitForEnd(thread: Thread, e: Waitable, what: string, finish: () => number): number {
  e.hasSyncWaiter = true;
  try {
    return thread.waitUntilJspi(
      () => e.hasPendingEvent(),
      false,
      what,
      () => {
        e.hasSyncWaiter = false;
        return finish();
      },
      'i32',
      e instanceof CopyEnd,
    );
  } catch (err) {
    e.hasSyncWaiter = false;
    throw err;
  }
}

/** The checks stream_copy and future_copy share before a copy starts; returns the end. */
function claimEnd<T extends CopyEnd>(
  inst: ComponentInstance,
  thread: Thread,
  i: number,
  E: EndCtor,
  elem: ValType | undefined,
  async: boolean,
): T {
  checkMayLeave(inst);
  if (!async) checkSyncMayBlock(thread);
  const e = getEnd<T>(inst, i, E, elem);
  checkIdle(e, E);
  if (e.inWaitableSet() && !async)
    throw new Trap('waitable cannot be used synchronously while added to a waitable set');
  return e;
}

/** After a copy started: its result now, BLOCKED (async), or wait for it (sync). */
function finishCopy(thread: Thread, e: CopyEnd, async: boolean, what: string): number {
  const finish = () => e.getPendingEvent()[2];
  if (!e.hasPendingEvent()) {
    if (async) return BLOCKED;
    return waitForEnd(thread, e, what, finish);
  }
  return finish();
}

function streamCopy(inst: ComponentInstance, isRead: boolean, t: StreamType, opts: CanonOptions) {
  const E: EndCtor = isRead ? ReadableStreamEnd : WritableStreamEnd;
  const eventCode = isRead ? EventCode.STREAM_READ : EventCode.STREAM_WRITE;
  const async = opts.async ?? false;
  const what = isRead ? 'stream.read' : 'stream.write';
  if (t.elem?.kind === 'char') throw new Trap('stream<char> is not supported');
  const codec = t.elem === undefined ? undefined : codecFor(t.elem);
  // One context for every copy of this definition: a buffer's copies only take memory views
  // and a fresh lift budget from it (refresh() at each), synchronously, and stream elements
  // hold no borrows.
  let shared: LiftLowerContext | undefined;
  return (i: number, ptr: number, n: number): number => {
    const thread = currentThread(inst);
    i >>>= 0;
    const e = claimEnd<ReadableStreamEnd | WritableStreamEnd>(inst, thread, i, E, t.elem, async);
    const cx = (shared ??= new LiftLowerContext(opts));
    const buffer = isRead
      ? new WritableBufferGuestImpl(t.elem, codec, cx, ptr >>> 0, n >>> 0)
      : new ReadableBufferGuestImpl(t.elem, codec, cx, ptr >>> 0, n >>> 0);
    const streamEvent = (result: number, reclaim: () => void): EventTuple => {
      reclaim();
      // DROPPED is delivered promptly: a peer that dropped before this event
      // was delivered wins over a COMPLETED copy (component-model #719).
      if (e.shared.dropped === true) result = CopyResult.DROPPED;
      e.state = result === CopyResult.DROPPED ? CopyState.DONE : CopyState.IDLE;
      return [eventCode, i, result | (buffer.progress << 4)];
    };
    const noop = () => {};
    e.state = CopyState.COPYING;
    const onCopy = (reclaim: () => void) => {
      e.setPendingEvent(() => streamEvent(CopyResult.COMPLETED, reclaim));
    };
    const onCopyDone = (result: number) => {
      e.setPendingEvent(() => streamEvent(result, noop));
    };
    if (isRead) (e as ReadableStreamEnd).copy(inst, buffer as WritableBufferGuestImpl, onCopy, onCopyDone);
    else (e as WritableStreamEnd).copy(inst, buffer as ReadableBufferGuestImpl, onCopy, onCopyDone);
    return finishCopy(thread, e, async, what);
  };
}

export const canonStreamRead = (inst: ComponentInstance, t: StreamType, opts: CanonOptions) =>
  streamCopy(inst, true, t, opts);
export const canonStreamWrite = (inst: ComponentInstance, t: StreamType, opts: CanonOptions) =>
  streamCopy(inst, false, t, opts);

function futureCopy(inst: ComponentInstance, isRead: boolean, t: FutureType, opts: CanonOptions) {
  const E: EndCtor = isRead ? ReadableFutureEnd : WritableFutureEnd;
  const eventCode = isRead ? EventCode.FUTURE_READ : EventCode.FUTURE_WRITE;
  const async = opts.async ?? false;
  const what = isRead ? 'future.read' : 'future.write';
  const codec = t.elem === undefined ? undefined : codecFor(t.elem);
  // As streamCopy's: one context for every copy of this definition.
  let shared: LiftLowerContext | undefined;
  return (i: number, ptr: number): number => {
    const thread = currentThread(inst);
    i >>>= 0;
    const e = claimEnd<ReadableFutureEnd | WritableFutureEnd>(inst, thread, i, E, t.elem, async);
    const cx = (shared ??= new LiftLowerContext(opts));
    const buffer = isRead
      ? new WritableBufferGuestImpl(t.elem, codec, cx, ptr >>> 0, 1)
      : new ReadableBufferGuestImpl(t.elem, codec, cx, ptr >>> 0, 1);
    const futureEvent = (result: number): EventTuple => {
      e.state = result === CopyResult.DROPPED || result === CopyResult.COMPLETED ? CopyState.DONE : CopyState.IDLE;
      return [eventCode, i, result];
    };
    e.state = CopyState.COPYING;
    const onCopyDone = (result: number) => e.setPendingEvent(() => futureEvent(result));
    if (isRead) (e as ReadableFutureEnd).copy(inst, buffer as WritableBufferGuestImpl, onCopyDone);
    else (e as WritableFutureEnd).copy(inst, buffer as ReadableBufferGuestImpl, onCopyDone);
    return finishCopy(thread, e, async, what);
  };
}

export const canonFutureRead = (inst: ComponentInstance, t: FutureType, opts: CanonOptions) =>
  futureCopy(inst, true, t, opts);
export const canonFutureWrite = (inst: ComponentInstance, t: FutureType, opts: CanonOptions) =>
  futureCopy(inst, false, t, opts);

export function canonCancelCopy(inst: ComponentInstance, E: EndCtor, t: StreamType | FutureType, async: boolean) {
  const what = `${t.kind}.cancel-${E === ReadableStreamEnd || E === ReadableFutureEnd ? 'read' : 'write'}`;
  return (i: number): number => {
    const thread = currentThread(inst);
    checkMayLeave(inst);
    if (!async) checkSyncMayBlock(thread);
    i >>>= 0;
    const e = getEnd<CopyEnd>(inst, i, E, t.elem);
    if (e.state !== CopyState.COPYING || e.hasSyncWaiter)
      throw new Trap(`cannot cancel: no ${what.endsWith('read') ? 'read' : 'write'} in progress on this ${endName(E)}`);
    if (e.inWaitableSet() && !async)
      throw new Trap('waitable cannot be used synchronously while added to a waitable set');
    e.state = CopyState.CANCELLING_COPY;
    // After a cancel a stream copy reports CANCELLED (with the progress made)
    // or DROPPED, never COMPLETED (component-model #719, as wasmtime). A
    // future's COMPLETED stands: its value has moved and the end is done.
    const isStream = t.kind === 'stream';
    const finish = () => {
      const r = e.getPendingEvent()[2];
      return isStream && (r & 0xf) === CopyResult.COMPLETED ? (r & ~0xf) | CopyResult.CANCELLED : r;
    };
    if (!e.hasPendingEvent()) {
      e.shared.cancel();
      if (!e.hasPendingEvent()) {
        if (async) return BLOCKED;
        return waitForEnd(thread, e, what, finish);
      }
    }
    return finish();
  };
}

export function canonDropEnd(inst: ComponentInstance, E: EndCtor, t: StreamType | FutureType) {
  return (i: number) => {
    checkMayLeave(inst);
    i >>>= 0;
    const e = getEnd<CopyEnd>(inst, i, E, t.elem);
    e.drop();
    handles(inst).remove(i);
  };
}

// ---- error-context ----

export function canonErrorContextNew(inst: ComponentInstance, opts: CanonOptions) {
  const cx = new LiftLowerContext(opts);
  return (ptr: number, units: number) => {
    checkMayLeave(inst);
    cx.needMemory();
    const s = loadStringFromRange(cx, ptr >>> 0, units >>> 0);
    return handles(inst).add(new ErrorContext(s));
  };
}

export function canonErrorContextDebugMessage(inst: ComponentInstance, opts: CanonOptions) {
  const cx = new LiftLowerContext(opts);
  return (i: number, ptr: number) => {
    checkMayLeave(inst);
    const ec = handles(inst).get(i >>> 0);
    if (!(ec instanceof ErrorContext)) throw new Trap(`handle index ${i >>> 0} is not an error-context`);
    cx.needMemory();
    storeStringIntoRange(cx, ec.debugMessage);
    cx.checkGuestRange(ptr >>> 0, 4, 8, 'pointer');
    cx.dv.setUint32(ptr >>> 0, stored.ptr, true);
    cx.dv.setUint32((ptr >>> 0) + 4, stored.units, true);
  };
}

export function canonErrorContextDrop(inst: ComponentInstance) {
  return (i: number) => {
    checkMayLeave(inst);
    const ec = handles(inst).get(i >>> 0);
    if (!(ec instanceof ErrorContext)) throw new Trap(`handle index ${i >>> 0} is not an error-context`);
    handles(inst).remove(i >>> 0);
  };
}

// ---- threads ----

export function canonThreadIndex(inst: ComponentInstance) {
  return () => {
    checkMayLeave(inst);
    const thread = currentThread(inst);
    return thread.task.ai.indexOf(thread);
  };
}

export function canonThreadNewIndirect(inst: ComponentInstance, table: WebAssembly.Table, paramType: 'i32' | 'i64') {
  const ai = asyncState(inst);
  const entries = new Map<Function, Entry>();
  return (fi: number, c: number | bigint) => {
    const task = currentThread(inst).task;
    checkMayLeave(inst);
    let f: Function | null;
    try {
      f = table.get(fi >>> 0) as Function | null;
    } catch {
      throw new Trap('undefined element: out of bounds table access');
    }
    if (f === null) throw new Trap('uninitialized element');
    let entry: Entry | undefined;
    if (ai.jspi) {
      entry = entries.get(f);
      if (entry === undefined) {
        entry = new Entry(f, [paramType], []);
        entries.set(f, entry);
      }
    }
    const thread: Thread = new Thread(
      task,
      () => {
        runOnStack(
          thread,
          f!,
          entry,
          [c],
          // Its exit may trap too (the last thread of a task that never returned).
          () => task.unregisterThread(thread),
          // Traps the whole instance and fails the task, even one that already
          // returned or has no export call waiting (a sync call's thread).
          (err) => trapThread(thread, err),
        );
      },
      ai.jspi,
    );
    task.registerThread(thread);
    return thread.index!;
  };
}

function otherThread(inst: ComponentInstance, i: number): Thread {
  return asyncState(inst).threadAt(i >>> 0);
}

export function canonThreadResumeLater(inst: ComponentInstance) {
  return (i: number) => {
    checkMayLeave(inst);
    const other = otherThread(inst, i);
    if (!other.suspended()) throw new Trap('thread is not suspended');
    other.resumeLater();
  };
}

/**
 * suspend / yield / {suspend,yield}-then-{resume,promote}: the current
 * thread stops (suspended, or waiting-and-ready for yields), `other` (if any)
 * is made to run next, and the result is whether the thread was cancelled.
 */
export function canonThreadSwitch(inst: ComponentInstance, kind: string, cancellable: boolean) {
  const isYield = kind.startsWith('thread.yield');
  const target = kind.endsWith('-then-resume') ? 'resume' : kind.endsWith('-then-promote') ? 'promote' : undefined;
  return (i?: number): number => {
    const thread = currentThread(inst);
    checkMayLeave(inst);
    let other: Thread | undefined;
    if (target !== undefined) {
      other = otherThread(inst, i!);
      if (target === 'resume' && !other.suspended()) throw new Trap('thread is not suspended');
      if (target === 'promote') {
        if (other.ready()) other.stopWaitingInternal();
        else other = undefined;
      }
    }
    if (thread.task.deliverPendingCancel(cancellable)) return Cancelled.TRUE;
    if (other === undefined) {
      if (isYield) {
        // Nothing to switch to and no stack to park: yielding is a no-op here,
        // except that a JSPI stack looping on it lets host timers and I/O run
        // now and then (atomically: no other guest thread runs meanwhile).
        if (!thread.jspi) return Cancelled.FALSE;
        if (!mayBlock(thread)) {
          return thread.store.fairnessDue() ? thread.pauseJspi(() => Cancelled.FALSE, 'i32') : Cancelled.FALSE;
        }
      } else {
        mustBlock(thread, kind);
      }
    } else if (!thread.jspi) {
      mustBlock(thread, kind);
    }
    if (isYield) thread.startWaitingInternal(() => true);
    if (other !== undefined) {
      other.resumeLater();
      // Run it before anything else that is ready.
      const w = thread.store.waiting;
      w.splice(w.indexOf(other), 1);
      w.unshift(other);
    }
    return thread.suspendJspi(cancellable, (c) => c, 'i32');
  };
}

export { Task, TaskState };
