// definitions.py stream and future state: SharedStreamImpl / SharedFutureImpl
// (the rendezvous between a reader and a writer, either of which may be a
// guest or the host) and the guest-held ends (CopyEnd and subclasses).

import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { ValType } from '../types/model.ts';
import { copyValues, noneOrNumberType, type ReadableBuffer, type WritableBuffer } from './buffers.ts';
import type { Store } from './store.ts';
import { EventCode, Waitable } from './waitable.ts';

export const CopyResult = { COMPLETED: 0, DROPPED: 1, CANCELLED: 2 } as const;
export const CopyState = { IDLE: 1, COPYING: 2, CANCELLING_COPY: 3, DONE: 4 } as const;

export type ReclaimBuffer = () => void;
export type OnCopy = (reclaim: ReclaimBuffer) => void;
export type OnCopyDone = (result: number) => void;
export type Inst = ComponentInstance | undefined;

/**
 * What a readable end reads from (definitions.py ReadableStream; renamed so
 * the web's ReadableStream is not shadowed): a SharedStreamImpl, or a host source.
 */
export interface StreamProducer {
  readonly t: ValType | undefined;
  /** The other side dropped (a SharedStreamImpl says; a host source need not). */
  readonly dropped?: boolean;
  /** The trap of the instance that held the writer, if that is why it dropped (a SharedStreamImpl says). */
  readonly poisoned?: Trap;
  read(inst: Inst, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}
export interface StreamConsumer {
  readonly t: ValType | undefined;
  readonly dropped?: boolean;
  write(inst: Inst, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}

function intraComponentTrap(kind: 'stream' | 'future'): Trap {
  return new Trap(`cannot read from and write to intra-component ${kind}`);
}

/**
 * Host work on a stream or future (a host read or write in progress, a host
 * source pulling its producer, `holdHost(end)`) counts for the store of the
 * guest end last attached to it: host ends made with stream()/future() belong
 * to no store until one of their ends is lowered into a guest, and the count
 * moves with the stream if it is passed on to another store.
 */
export class HostWork {
  /** The store of the guest end last attached (undefined while only the host holds ends). */
  store: Store | undefined = undefined;
  private pendingHere = 0;
  private waitsHere = 0;

  /** A guest end of `store` holds this stream now: its host work counts there. */
  attach(store: Store): void {
    const old = this.store;
    if (old === store) return;
    this.store = store;
    const p = this.pendingHere;
    const w = this.waitsHere;
    if (old !== undefined) {
      if (p !== 0) old.hostPending -= p;
      if (w !== 0) old.hostWaits -= w;
    }
    if (p !== 0) store.hostPending += p;
    if (w !== 0) store.hostWaits += w;
  }

  /** Host operations that may still make a guest thread ready (Store.hostPending). */
  addHostPending(d: number): void {
    this.pendingHere += d;
    const s = this.store;
    if (s !== undefined) s.hostPending += d;
  }

  /** Host awaits on a guest (Store.hostWaits). */
  addHostWaits(d: number): void {
    this.waitsHere += d;
    const s = this.store;
    if (s !== undefined) s.hostWaits += d;
  }
}

/**
 * What definitions.py's SharedStreamImpl and SharedFutureImpl share (merged
 * into one in component-model #719): the rendezvous of a reader and a writer,
 * the copy pending on one side, and the guest-held ends (none for a side the
 * host holds), told when the other side drops while they are idle.
 */
export class SharedCopy extends HostWork {
  readonly t: ValType | undefined;
  dropped = false;
  /**
   * Set when the instance holding the writable end trapped (component-instance.ts
   * releaseCopyEnds): a host reader's reads, and its awaits of a future, reject with it.
   */
  poisoned: Trap | undefined = undefined;
  pendingInst: Inst = undefined;
  pendingBuffer: ReadableBuffer | WritableBuffer | undefined = undefined;
  /** Streams only: a copy that moved some values but leaves the other side pending. */
  pendingOnCopy: OnCopy | undefined = undefined;
  pendingOnCopyDone: OnCopyDone | undefined = undefined;
  /** Lets a host end learn that the other side is waiting (host-streams.ts). */
  onPending: (() => void) | undefined = undefined;
  readerEnd: CopyEnd | undefined = undefined;
  writerEnd: CopyEnd | undefined = undefined;

  constructor(t: ValType | undefined) {
    super();
    this.t = t;
  }

  resetPending(): void {
    this.setPending(undefined, undefined, undefined, undefined);
  }

  setPending(
    inst: Inst,
    buffer: ReadableBuffer | WritableBuffer | undefined,
    onCopy: OnCopy | undefined,
    onCopyDone: OnCopyDone | undefined,
  ): void {
    this.pendingInst = inst;
    this.pendingBuffer = buffer;
    this.pendingOnCopy = onCopy;
    this.pendingOnCopyDone = onCopyDone;
    if (buffer !== undefined) this.onPending?.();
  }

  resetAndNotifyPending(result: number): void {
    const done = this.pendingOnCopyDone!;
    this.resetPending();
    done(result);
  }

  cancel(): void {
    if (this.pendingBuffer !== undefined) this.resetAndNotifyPending(CopyResult.CANCELLED);
  }

  // Either side's pending copy learns of the drop: a future writer whose
  // reader went away gets DROPPED (component-model #708; definitions.py before
  // it asserted a pending reader there, which a guest could reach); an idle
  // end gets a DROPPED event (#720).
  drop(): void {
    if (!this.dropped) {
      this.dropped = true;
      if (this.pendingBuffer !== undefined) this.resetAndNotifyPending(CopyResult.DROPPED);
      else {
        this.readerEnd?.peerDroppedWhileIdle();
        this.writerEnd?.peerDroppedWhileIdle();
      }
    }
  }
}

export class SharedStreamImpl extends SharedCopy implements StreamProducer, StreamConsumer {
  readonly resetPendingBound = (): void => this.resetPending();

  read(inst: Inst, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, dst, onCopy, onCopyDone);
    } else {
      if (inst !== undefined && inst === this.pendingInst && !noneOrNumberType(this.t))
        throw intraComponentTrap('stream');
      const src = this.pendingBuffer as ReadableBuffer;
      if (src.remain() > 0) {
        if (dst.remain() > 0) {
          copyValues(dst, src, Math.min(dst.remain(), src.remain()));
          this.pendingOnCopy!(this.resetPendingBound);
        }
        onCopyDone(CopyResult.COMPLETED);
      } else {
        this.resetAndNotifyPending(CopyResult.COMPLETED);
        this.setPending(inst, dst, onCopy, onCopyDone);
      }
    }
  }

  write(inst: Inst, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, src, onCopy, onCopyDone);
    } else {
      if (inst !== undefined && inst === this.pendingInst && !noneOrNumberType(this.t))
        throw intraComponentTrap('stream');
      const dst = this.pendingBuffer as WritableBuffer;
      if (dst.remain() > 0) {
        if (src.remain() > 0) {
          copyValues(dst, src, Math.min(src.remain(), dst.remain()));
          this.pendingOnCopy!(this.resetPendingBound);
        }
        onCopyDone(CopyResult.COMPLETED);
      } else if (src.isZeroLength() && dst.isZeroLength()) {
        onCopyDone(CopyResult.COMPLETED);
      } else {
        this.resetAndNotifyPending(CopyResult.COMPLETED);
        this.setPending(inst, src, onCopy, onCopyDone);
      }
    }
  }
}

export interface FutureProducer {
  readonly t: ValType | undefined;
  /** As StreamProducer.poisoned. */
  readonly poisoned?: Trap;
  read(inst: Inst, dst: WritableBuffer, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}
export interface FutureConsumer {
  readonly t: ValType | undefined;
  write(inst: Inst, src: ReadableBuffer, onCopyDone: OnCopyDone): void;
  cancel(): void;
  drop(): void;
}

export class SharedFutureImpl extends SharedCopy implements FutureProducer, FutureConsumer {
  read(inst: Inst, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    // Only a host writer can go without a value (a guest's traps): no value will come.
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, dst, undefined, onCopyDone);
    } else {
      if (inst !== undefined && inst === this.pendingInst && !noneOrNumberType(this.t))
        throw intraComponentTrap('future');
      copyValues(dst, this.pendingBuffer as ReadableBuffer, 1);
      this.resetAndNotifyPending(CopyResult.COMPLETED);
      onCopyDone(CopyResult.COMPLETED);
    }
  }

  write(inst: Inst, src: ReadableBuffer, onCopyDone: OnCopyDone): void {
    if (this.dropped) {
      onCopyDone(CopyResult.DROPPED);
    } else if (this.pendingBuffer === undefined) {
      this.setPending(inst, src, undefined, onCopyDone);
    } else {
      if (inst !== undefined && inst === this.pendingInst && !noneOrNumberType(this.t))
        throw intraComponentTrap('future');
      copyValues(this.pendingBuffer as WritableBuffer, src, 1);
      this.resetAndNotifyPending(CopyResult.COMPLETED);
      onCopyDone(CopyResult.COMPLETED);
    }
  }
}

/** What a guest end is an end of: the shared stream or future, or a host source or sink. */
export type SharedEnd = StreamProducer | StreamConsumer | FutureProducer | FutureConsumer;

export class CopyEnd extends Waitable {
  state: number = CopyState.IDLE;
  readonly shared: SharedEnd;
  /** This end's handle index in its instance's table (for events). */
  index = 0;
  constructor(shared: SharedEnd, store: Store) {
    super(store);
    this.shared = shared;
    if (shared instanceof HostWork) shared.attach(store);
    if (shared instanceof SharedCopy) {
      if (this.isReadable()) shared.readerEnd = this;
      else shared.writerEnd = this;
    }
  }
  isReadable(): boolean {
    return this instanceof ReadableStreamEnd || this instanceof ReadableFutureEnd;
  }
  copying(): boolean {
    return this.state === CopyState.COPYING || this.state === CopyState.CANCELLING_COPY;
  }
  /** The end leaves the guest (dropped, or lifted to the host): no more events for it. */
  detach(): void {
    const s = this.shared;
    if (s instanceof SharedCopy) {
      if (s.readerEnd === this) s.readerEnd = undefined;
      if (s.writerEnd === this) s.writerEnd = undefined;
    }
  }
  /** The other side dropped while this end was idle: a DROPPED event, after which the end is done. */
  peerDroppedWhileIdle(): void {
    if (this.state !== CopyState.IDLE || this.hasPendingEvent()) return;
    const code = this.eventCode();
    this.setPendingEvent(() => {
      this.state = CopyState.DONE;
      return [code, this.index, CopyResult.DROPPED];
    });
  }
  eventCode(): number {
    return this instanceof ReadableStreamEnd
      ? EventCode.STREAM_READ
      : this instanceof WritableStreamEnd
        ? EventCode.STREAM_WRITE
        : this instanceof ReadableFutureEnd
          ? EventCode.FUTURE_READ
          : EventCode.FUTURE_WRITE;
  }
  override drop(): void {
    if (this.copying()) throw new Trap(this.isReadable() ? 'cannot remove busy stream' : 'cannot drop busy stream');
    this.detach();
    this.shared.drop();
    super.drop();
  }
}

export class ReadableStreamEnd extends CopyEnd {
  declare readonly shared: StreamProducer;
  copy(inst: Inst, dst: WritableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    this.shared.read(inst, dst, onCopy, onCopyDone);
  }
}
export class WritableStreamEnd extends CopyEnd {
  declare readonly shared: StreamConsumer;
  copy(inst: Inst, src: ReadableBuffer, onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    this.shared.write(inst, src, onCopy, onCopyDone);
  }
}
export class ReadableFutureEnd extends CopyEnd {
  declare readonly shared: FutureProducer;
  copy(inst: Inst, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    this.shared.read(inst, dst, onCopyDone);
  }
}
export class WritableFutureEnd extends CopyEnd {
  declare readonly shared: FutureConsumer;
  copy(inst: Inst, src: ReadableBuffer, onCopyDone: OnCopyDone): void {
    this.shared.write(inst, src, onCopyDone);
  }
  override drop(): void {
    if (this.state !== CopyState.DONE) throw new Trap('cannot drop future write end without first writing a value');
    super.drop();
  }
}

/**
 * Pairs of distinct type objects found structurally equal (types are immutable), so the
 * checks every stream/future copy and task.return make walk a type such as wasi:http's
 * `error-code` once, not per call.
 */
const provenEqual = new WeakMap<object, WeakSet<object>>();
const COMPOSITE = new Set(['list', 'record', 'tuple', 'variant', 'enum', 'flags', 'option', 'result', 'map']);

/** Structural type equality (`e.shared.t != stream_t.t` in the spec). */
export function typeEq(a: ValType | undefined, b: ValType | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.kind !== b.kind) return false;
  if (!COMPOSITE.has(a.kind)) return structEq(a, b);
  const known = provenEqual.get(a);
  if (known?.has(b)) return true;
  if (!structEq(a, b)) return false;
  if (known === undefined) provenEqual.set(a, new WeakSet([b]));
  else known.add(b);
  return true;
}

function structEq(a: ValType, b: ValType): boolean {
  const x = a as any;
  const y = b as any;
  switch (a.kind) {
    case 'list':
      return x.length === y.length && typeEq(x.elem, y.elem);
    case 'record':
      return (
        x.fields.length === y.fields.length &&
        x.fields.every((f: any, i: number) => f.label === y.fields[i].label && typeEq(f.type, y.fields[i].type))
      );
    case 'tuple':
      return x.types.length === y.types.length && x.types.every((t: ValType, i: number) => typeEq(t, y.types[i]));
    case 'variant':
      return (
        x.cases.length === y.cases.length &&
        x.cases.every((c: any, i: number) => c.label === y.cases[i].label && typeEq(c.type, y.cases[i].type))
      );
    case 'enum':
    case 'flags':
      return x.labels.length === y.labels.length && x.labels.every((l: string, i: number) => l === y.labels[i]);
    case 'option':
      return typeEq(x.type, y.type);
    case 'result':
      return typeEq(x.ok, y.ok) && typeEq(x.err, y.err);
    case 'map':
      return typeEq(x.key, y.key) && typeEq(x.value, y.value);
    case 'own':
    case 'borrow':
      return x.resource === y.resource;
    case 'stream':
    case 'future':
      return typeEq(x.elem, y.elem);
    default:
      return true;
  }
}
