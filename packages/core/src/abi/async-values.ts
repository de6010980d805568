// lift/lower of stream, future and error-context values (definitions.py
// lift_stream / lift_future / lift_async_value / lower_stream / lower_future /
// lift_error_context / lower_error_context), called by codecs/handles.ts.

import type { LiftLowerContext } from './context.ts';
import { badValue } from '../runtime/errors.ts';
import { Trap } from '../host/errors.ts';
import { tableOf } from '../runtime/table.ts';
import type { FutureType, StreamType } from '../types/model.ts';
import { CopyState, ReadableFutureEnd, ReadableStreamEnd, typeEq } from '../runtime/copy.ts';
import { ErrorContext } from '../runtime/error-context.ts';
import { futureSource, streamSource } from '../runtime/host-sources.ts';
import { FutureReader, StreamReader } from '../runtime/host-streams.ts';

export function liftStream(cx: LiftLowerContext, i: number, t: StreamType): StreamReader {
  i >>>= 0;
  const table = tableOf(cx.inst);
  const e = table.get(i);
  if (!(e instanceof ReadableStreamEnd)) throw new Trap(`handle index ${i} is not a readable stream end`);
  if (!typeEq(e.shared.t, t.elem)) throw new Trap('stream element type mismatch');
  if (e.state === CopyState.DONE)
    throw new Trap('cannot lift stream after being notified that the writable end dropped');
  if (e.state !== CopyState.IDLE) throw new Trap('cannot lift a stream end with a read in progress');
  if (e.inWaitableSet()) throw new Trap("cannot lift stream while it's in a waitable set");
  table.remove(i);
  e.detach();
  return new StreamReader(e.shared);
}

export function liftFuture(cx: LiftLowerContext, i: number, t: FutureType): FutureReader {
  i >>>= 0;
  const table = tableOf(cx.inst);
  const e = table.get(i);
  if (!(e instanceof ReadableFutureEnd)) throw new Trap(`handle index ${i} is not a readable future end`);
  if (!typeEq(e.shared.t, t.elem)) throw new Trap('future element type mismatch');
  if (e.state === CopyState.DONE) throw new Trap('cannot lift future after previous read succeeded');
  if (e.state !== CopyState.IDLE) throw new Trap('cannot lift a future end with a read in progress');
  if (e.inWaitableSet()) throw new Trap("cannot lift future while it's in a waitable set");
  table.remove(i);
  e.detach();
  return new FutureReader(e.shared);
}

export function lowerStream(cx: LiftLowerContext, v: unknown, t: StreamType): number {
  const s = streamSource(t.elem, v);
  if (s === undefined) badValue('a StreamReader, AsyncIterable, Iterable or ReadableStream', v);
  const e = new ReadableStreamEnd(s, cx.inst.store);
  e.index = tableOf(cx.inst).add(e);
  return e.index;
}

export function lowerFuture(cx: LiftLowerContext, v: unknown, t: FutureType): number {
  const s = futureSource(t.elem, v);
  if (s === undefined) badValue('a FutureReader or Promise', v);
  const e = new ReadableFutureEnd(s, cx.inst.store);
  e.index = tableOf(cx.inst).add(e);
  return e.index;
}

export function liftErrorContext(cx: LiftLowerContext, i: number): ErrorContext {
  const e = tableOf(cx.inst).get(i >>> 0);
  if (!(e instanceof ErrorContext)) throw new Trap(`handle index ${i >>> 0} is not an error-context`);
  return e;
}

export function lowerErrorContext(cx: LiftLowerContext, v: unknown): number {
  const e = v instanceof ErrorContext ? v : new ErrorContext(v instanceof Error ? v.message : String(v));
  return tableOf(cx.inst).add(e);
}
