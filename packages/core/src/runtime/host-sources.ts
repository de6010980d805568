// What a host may pass where a stream or future is expected: its own
// StreamReader / FutureReader, or an AsyncIterable / Iterable / ReadableStream
// / Promise, fed to the guest only as the guest reads (backpressure).

import type { ValType } from '../types/model.ts';
import type { Values, WritableBuffer } from './buffers.ts';
import {
  CopyResult,
  type FutureProducer,
  HostWork,
  type Inst,
  type OnCopy,
  type OnCopyDone,
  type StreamProducer,
} from './copy.ts';
import { FutureReader, StreamReader } from './host-streams.ts';
import { macrotask } from './store.ts';

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  if (typeof v === 'number') return Uint8Array.of(v);
  throw new TypeError('a stream<u8> source must yield Uint8Array chunks');
}

/**
 * Feeds a guest's reads from an iterator, pulled only when the guest reads.
 * A sync iterator fills the whole read at once (an array of 5000 strings is
 * one copy, not 5000 round trips); an async one is asked for one item per read
 * that finds nothing buffered. Byte chunks are handed on as views, never copied
 * here: the reader copies them into guest memory with one `set`.
 */
export class IterableSource extends HostWork implements StreamProducer {
  readonly t: ValType | undefined;
  private readonly it: AsyncIterator<unknown> | Iterator<unknown>;
  private readonly sync: boolean;
  private readonly bytes: boolean;
  private leftover: Values | undefined = undefined;
  private ended = false;
  private pulling = false;
  private pendingDst: WritableBuffer | undefined = undefined;
  private pendingDone: OnCopyDone | undefined = undefined;
  /** stream<u8> only: the source's synchronous side (bytes at hand, empty if none, null at the end). */
  private readonly readSync: ((max: number) => Uint8Array | null) | undefined;
  /** stream<u8> only: the same, written straight into the reader's buffer (a count, 0 if none, null at the end). */
  private readonly readSyncInto: ((target: Uint8Array) => number | null) | undefined;
  /** Whether reads may complete without waiting (a sync iterator, readSync or readSyncInto). */
  private readonly syncSide: boolean;

  constructor(
    t: ValType | undefined,
    it: AsyncIterator<unknown> | Iterator<unknown>,
    sync = false,
    readSync?: (max: number) => Uint8Array | null,
    readSyncInto?: (target: Uint8Array) => number | null,
  ) {
    super();
    this.t = t;
    this.it = it;
    this.sync = sync;
    this.readSync = t?.kind === 'u8' ? readSync : undefined;
    this.readSyncInto = t?.kind === 'u8' ? readSyncInto : undefined;
    this.syncSide = sync || this.readSync !== undefined || this.readSyncInto !== undefined;
    this.bytes = t?.kind === 'u8';
  }

  read(inst: Inst, dst: WritableBuffer, _onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.leftover === undefined && !this.ended) {
      // Reads the source answers at once never reach the event loop: a guest streaming a large
      // file would keep timers and I/O waiting (issue 9's fairness). When the store says the loop
      // is starved, this read waits one macrotask turn first.
      if (this.syncSide && inst?.store?.fairnessDue(true)) {
        this.waitTurn(dst, onCopyDone);
        return;
      }
      if (this.sync) this.nextSync();
      else if (this.tryFill(dst)) {
        onCopyDone(CopyResult.COMPLETED);
        return;
      } else if (!this.ended && !this.tryReadSync(dst.remain())) {
        this.pendingDst = dst;
        this.pendingDone = onCopyDone;
        this.pull();
        return;
      }
    }
    this.complete(dst, onCopyDone);
  }

  private waitTurn(dst: WritableBuffer, done: OnCopyDone): void {
    this.pendingDst = dst;
    this.pendingDone = done;
    this.addHostPending(1);
    macrotask(() => {
      this.addHostPending(-1);
      if (this.pendingDone !== done) return; // cancelled meanwhile
      this.pendingDst = this.pendingDone = undefined;
      this.read(undefined, dst, () => {}, done);
    });
  }

  /** The source writes what it has at hand straight into guest memory; true if it wrote any. */
  private tryFill(dst: WritableBuffer): boolean {
    const into = this.readSyncInto;
    if (into === undefined || dst.fill === undefined || this.pulling) return false;
    let end = false;
    const n = dst.fill((view) => {
      let got: number | null;
      try {
        got = into(view);
      } catch {
        got = null;
      }
      if (got === null) end = true;
      return got ?? 0;
    });
    if (end) this.ended = true;
    return n > 0;
  }

  /**
   * Bytes the source has at hand complete the read at once, as Wasmtime's
   * first poll of a ready stream does; true if there were any (or the end).
   */
  private tryReadSync(max: number): boolean {
    if (this.readSync === undefined || this.pulling) return false;
    let got: Uint8Array | null;
    try {
      got = this.readSync(max);
    } catch {
      this.ended = true;
      return true;
    }
    if (got === null) this.ended = true;
    else if (got.length > 0) this.leftover = got;
    else return false;
    return true;
  }

  /** Copies what is buffered (and, for a sync iterator, what it yields) into dst, then reports. */
  private complete(dst: WritableBuffer, done: OnCopyDone): void {
    if (this.leftover === undefined) {
      done(CopyResult.DROPPED);
      return;
    }
    this.deliver(dst);
    while (this.sync && this.leftover === undefined && !this.ended && dst.remain() > 0) {
      this.nextSync();
      if (this.leftover !== undefined) this.deliver(dst);
    }
    done(CopyResult.COMPLETED);
  }

  private deliver(dst: WritableBuffer): void {
    const v = this.leftover!;
    const n = Math.min(v.length, dst.remain());
    if (n === 0) return;
    if (n === v.length) {
      this.leftover = undefined;
      dst.write(v);
    } else {
      this.leftover = v instanceof Uint8Array ? v.subarray(n) : v.slice(n);
      dst.write(v instanceof Uint8Array ? v.subarray(0, n) : v.slice(0, n));
    }
  }

  private accept(r: IteratorResult<unknown>): void {
    if (r.done) this.ended = true;
    else {
      let chunk: Values;
      try {
        chunk = this.bytes ? toBytes(r.value) : [r.value];
      } catch {
        // Not bytes: the host's mistake ends the stream rather than the guest.
        this.ended = true;
        return;
      }
      if (chunk.length > 0) this.leftover = chunk;
    }
  }

  private nextSync(): void {
    try {
      this.accept((this.it as Iterator<unknown>).next());
    } catch {
      // A throwing source ends the stream; the guest sees the writer drop.
      this.ended = true;
    }
  }

  private pull(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.addHostPending(1);
    const settle = (r: IteratorResult<unknown>) => {
      this.pulling = false;
      this.addHostPending(-1);
      try {
        this.accept(r);
      } catch {
        // Not an iterator result (a revoked Proxy, a throwing getter): the stream ends.
        this.ended = true;
      }
      const dst = this.pendingDst;
      const done = this.pendingDone;
      if (dst === undefined || done === undefined) return;
      if (this.leftover === undefined && !this.ended) {
        this.pull();
        return;
      }
      this.pendingDst = this.pendingDone = undefined;
      this.complete(dst, done);
    };
    let r: IteratorResult<unknown> | Promise<IteratorResult<unknown>>;
    try {
      r = this.it.next();
    } catch (e) {
      r = Promise.reject(e);
    }
    Promise.resolve(r).then(settle, () => settle({ done: true, value: undefined }));
  }

  cancel(): void {
    const done = this.pendingDone;
    this.pendingDst = this.pendingDone = undefined;
    done?.(CopyResult.CANCELLED);
  }

  drop(): void {
    this.ended = true;
    this.leftover = undefined;
    try {
      const r: unknown = (this.it as Iterator<unknown>).return?.();
      // An async iterator's cleanup may reject: that does not concern the guest either.
      if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function')
        Promise.resolve(r).catch(() => {});
    } catch {
      // the iterator's cleanup failing does not concern the guest
    }
  }
}

/** Feeds a guest's future read from a Promise. */
export class PromiseSource extends HostWork implements FutureProducer {
  readonly t: ValType | undefined;
  private settled = false;
  /** The reader dropped its end first: the promise no longer counts as host work. */
  private released = false;
  private value: unknown;
  private pendingDst: WritableBuffer | undefined;
  private pendingDone: OnCopyDone | undefined;

  constructor(t: ValType | undefined, p: PromiseLike<unknown>) {
    super();
    this.t = t;
    this.addHostPending(1);
    Promise.resolve(p).then(
      (v) => this.settle(t?.kind === 'result' ? { tag: 'ok', val: v } : v),
      (e) => this.settle(t?.kind === 'result' ? { tag: 'err', val: rejectionPayload(e) } : undefined),
    );
  }

  private settle(v: unknown): void {
    if (!this.released) this.addHostPending(-1);
    this.settled = true;
    this.value = v;
    const dst = this.pendingDst;
    const done = this.pendingDone;
    if (dst !== undefined && done !== undefined) {
      this.pendingDst = this.pendingDone = undefined;
      dst.write(this.t?.kind === 'u8' ? Uint8Array.of(v as number) : [v]);
      done(CopyResult.COMPLETED);
    }
  }

  read(_inst: unknown, dst: WritableBuffer, onCopyDone: OnCopyDone): void {
    if (this.settled) {
      dst.write(this.t?.kind === 'u8' ? Uint8Array.of(this.value as number) : [this.value]);
      onCopyDone(CopyResult.COMPLETED);
      return;
    }
    this.pendingDst = dst;
    this.pendingDone = onCopyDone;
  }

  cancel(): void {
    const done = this.pendingDone;
    this.pendingDst = this.pendingDone = undefined;
    done?.(CopyResult.CANCELLED);
  }

  drop(): void {
    // Nothing it settles to can reach a guest now: it is no longer work that may make one ready
    // (a store idle but for it is idle; a reset may go ahead).
    if (this.settled || this.released) return;
    this.released = true;
    this.addHostPending(-1);
  }
}

/** A rejection's `payload` (or the value itself); never throws, whatever the host rejected with. */
function rejectionPayload(e: unknown): unknown {
  try {
    return (e as { payload?: unknown })?.payload ?? e;
  } catch {
    return e;
  }
}

/** What a host value passed as `stream<T>` becomes. */
export function streamSource(t: ValType | undefined, v: unknown): StreamProducer | undefined {
  if (v instanceof StreamReader) {
    const s = v.take();
    if ((s as { untyped?: boolean }).untyped) (s as { t: unknown }).t = t;
    return s;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<symbol | string, unknown>;
    if (typeof o[Symbol.asyncIterator] === 'function') {
      const readSync =
        typeof o.readSync === 'function' ? (o.readSync as (max: number) => Uint8Array | null).bind(v) : undefined;
      const readSyncInto =
        typeof o.readSyncInto === 'function'
          ? (o.readSyncInto as (target: Uint8Array) => number | null).bind(v)
          : undefined;
      const it = (o[Symbol.asyncIterator] as () => AsyncIterator<unknown>).call(v);
      return new IterableSource(t, it, false, readSync, readSyncInto);
    }
    if (typeof o.getReader === 'function') {
      const r = (o.getReader as () => { read(): Promise<IteratorResult<unknown>>; cancel(): unknown })();
      return new IterableSource(t, {
        next: () => r.read(),
        return: () => {
          r.cancel();
          return { done: true, value: undefined };
        },
      } as unknown as AsyncIterator<unknown>);
    }
    if (typeof o[Symbol.iterator] === 'function' && !(v instanceof Uint8Array))
      return new IterableSource(t, (o[Symbol.iterator] as () => Iterator<unknown>).call(v), true);
    if (v instanceof Uint8Array) return new IterableSource(t, [v][Symbol.iterator](), true);
  }
  return undefined;
}

/** What a host value passed as `future<T>` becomes. */
export function futureSource(t: ValType | undefined, v: unknown): FutureProducer | undefined {
  if (v instanceof FutureReader) {
    const s = v.take();
    if ((s as { untyped?: boolean }).untyped) (s as { t: unknown }).t = t;
    return s;
  }
  if (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  ) {
    return new PromiseSource(t, v as PromiseLike<unknown>);
  }
  return undefined;
}
