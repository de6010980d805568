// The host's side of streams and futures (what WASI packages use):
// StreamReader / StreamWriter / FutureReader / FutureWriter over the same
// SharedStreamImpl / SharedFutureImpl guests use, so a host end behaves like a
// guest end (same rendezvous, same results), plus sources that feed a guest
// from an AsyncIterable / Iterable / ReadableStream / Promise, pulled only
// when the guest reads (backpressure).

import type { ValType } from '../types/model.ts';
import { HostReadableBuffer, HostWritableBuffer, type Values, type WritableBuffer } from './buffers.ts';
import {
  CopyResult,
  HostWork,
  type OnCopy,
  type OnCopyDone,
  type ReadableFuture,
  type ReadableStream,
  SharedFutureImpl,
  SharedStreamImpl,
} from './copy.ts';

const DEFAULT_BYTES = 64 * 1024;
const DEFAULT_VALUES = 1024;

/** The readable end of a stream, held by the host. u8 streams yield Uint8Array chunks, others single values. */
export class StreamReader<T = unknown> implements AsyncIterable<T extends number ? Uint8Array | T : T> {
  /** @internal */ shared: ReadableStream | undefined;
  private pending = false;
  private ended = false;

  constructor(shared: ReadableStream) {
    this.shared = shared;
  }

  get elemType(): ValType | undefined {
    return this.shared?.t;
  }

  /** @internal Hands the end to a guest (lower); the reader is unusable afterwards. */
  take(): ReadableStream {
    const s = this.shared;
    if (s === undefined) throw new TypeError('this StreamReader was already passed to a component or dropped');
    if (this.pending) throw new TypeError('cannot pass a StreamReader while a read is in progress');
    this.shared = undefined;
    return s;
  }

  /**
   * Reads up to `max` values: a Uint8Array for stream<u8>, an array otherwise;
   * `undefined` once the writer has dropped its end.
   */
  read(max?: number): Promise<Values | undefined> {
    const s = this.shared;
    if (s === undefined || this.ended) return Promise.resolve(undefined);
    const n = max ?? (s.t?.kind === 'u8' ? DEFAULT_BYTES : DEFAULT_VALUES);
    return this.copy(new HostWritableBuffer(s.t, n), false) as Promise<Values | undefined>;
  }

  /**
   * stream<u8> only: reads into the host's own buffer with one `set` straight
   * from the writer (guest memory or a host chunk), no allocation. Resolves with
   * how many bytes arrived (0 only for a zero-length target), or `undefined`
   * once the writer has dropped its end.
   */
  readInto(target: Uint8Array): Promise<number | undefined> {
    const s = this.shared;
    if (s === undefined || this.ended) return Promise.resolve(undefined);
    if (s.t?.kind !== 'u8') return Promise.reject(new TypeError('readInto needs a stream<u8>'));
    return this.copy(new HostWritableBuffer(s.t, target.length, target), true) as Promise<number | undefined>;
  }

  private copy(buf: HostWritableBuffer, count: boolean): Promise<Values | number | undefined> {
    if (this.pending) return Promise.reject(new TypeError('a read is already in progress on this StreamReader'));
    const s = this.shared!;
    const work = s instanceof HostWork ? s : undefined;
    this.pending = true;
    work?.addHostWaits(1);
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: number) => {
        if (done) return;
        done = true;
        this.pending = false;
        work?.addHostWaits(-1);
        if (result === CopyResult.DROPPED) this.ended = true;
        if (buf.progress === 0 && result === CopyResult.DROPPED) resolve(undefined);
        else resolve(count ? buf.progress : buf.take());
      };
      const onCopy: OnCopy = (reclaim) => {
        reclaim();
        finish(CopyResult.COMPLETED);
      };
      s.read(undefined, buf, onCopy, finish);
    });
  }

  /** Cancels a read in progress (it resolves with what was copied so far). */
  cancel(): void {
    if (this.pending) this.shared?.cancel();
  }

  /** Drops the readable end: the writer sees DROPPED. */
  drop(): void {
    const s = this.shared;
    if (s === undefined) return;
    this.shared = undefined;
    if (this.pending) s.cancel();
    s.drop();
  }

  /**
   * Iterates chunks (u8) or values, one read per buffer; the end is dropped when
   * iteration stops. Hand-rolled rather than an async generator: one promise per
   * read, which shows at GiB/s.
   */
  [Symbol.asyncIterator](): AsyncIterator<any> {
    let queue: unknown[] = [];
    let qi = 0;
    const step = (): Promise<IteratorResult<unknown>> =>
      this.read().then((chunk) => {
        if (chunk === undefined) {
          this.drop();
          return DONE;
        }
        if (chunk instanceof Uint8Array) return chunk.length > 0 ? { value: chunk, done: false } : step();
        if (chunk.length === 0) return step();
        queue = chunk;
        qi = 1;
        return { value: chunk[0], done: false };
      });
    return {
      next: () => (qi < queue.length ? Promise.resolve({ value: queue[qi++], done: false }) : step()),
      return: () => {
        this.drop();
        return Promise.resolve(DONE);
      },
    };
  }
}

const DONE: IteratorResult<unknown> = Object.freeze({ value: undefined, done: true }) as IteratorResult<unknown>;

/** The writable end of a stream, held by the host. */
export class StreamWriter<T = unknown> {
  /** @internal */ shared: SharedStreamImpl | undefined;
  private pending = false;
  private closed = false;

  constructor(shared: SharedStreamImpl) {
    this.shared = shared;
  }

  /** True once the reader dropped its end (further writes write nothing). */
  get readerDropped(): boolean {
    return this.closed;
  }

  /**
   * Writes all of `values` (a Uint8Array or array for stream<u8>, an array
   * otherwise), resolving with how many the reader took: fewer only if it
   * dropped its end. Resolves as the reader consumes (backpressure).
   */
  async write(values: Values | Iterable<T>): Promise<number> {
    const s = this.shared;
    if (s === undefined) throw new TypeError('this StreamWriter was closed');
    if (this.pending) throw new TypeError('a write is already in progress on this StreamWriter');
    const vals: Values = values instanceof Uint8Array || Array.isArray(values) ? values : [...(values as Iterable<T>)];
    if (this.closed) return 0;
    const buf = new HostReadableBuffer(s.t, vals);
    this.pending = true;
    s.addHostPending(1);
    try {
      while (buf.remain() > 0 && !this.closed) {
        const r = await new Promise<number>((resolve) => {
          const onCopy: OnCopy = (reclaim) => {
            reclaim();
            resolve(CopyResult.COMPLETED);
          };
          s.write(undefined, buf, onCopy, resolve as OnCopyDone);
        });
        if (r === CopyResult.DROPPED) this.closed = true;
        if (r === CopyResult.CANCELLED) break;
      }
    } finally {
      this.pending = false;
      s.addHostPending(-1);
    }
    return buf.progress;
  }

  /** Cancels a write in progress. */
  cancel(): void {
    if (this.pending) this.shared?.cancel();
  }

  /** Drops the writable end: the reader sees the end of the stream. */
  close(): void {
    const s = this.shared;
    if (s === undefined) return;
    this.shared = undefined;
    if (this.pending) s.cancel();
    s.drop();
  }
}

/** The readable end of a future, held by the host: a thenable of the value. */
export class FutureReader<T = unknown> implements PromiseLike<T> {
  /** @internal */ shared: ReadableFuture | undefined;
  private promise: Promise<T> | undefined;

  constructor(shared: ReadableFuture) {
    this.shared = shared;
  }

  /** @internal */
  take(): ReadableFuture {
    const s = this.shared;
    if (s === undefined || this.promise !== undefined)
      throw new TypeError('this FutureReader was already read or passed on');
    this.shared = undefined;
    return s;
  }

  private read(): Promise<T> {
    if (this.promise !== undefined) return this.promise;
    const s = this.shared;
    if (s === undefined) return Promise.reject(new TypeError('this FutureReader was passed to a component'));
    const buf = new HostWritableBuffer(s.t, 1);
    const work = s instanceof HostWork ? s : undefined;
    work?.addHostWaits(1);
    this.promise = new Promise<T>((resolve, reject) => {
      s.read(undefined, buf, (result) => {
        work?.addHostWaits(-1);
        this.shared = undefined;
        s.drop();
        if (result === CopyResult.COMPLETED) resolve(buf.take()[0] as T);
        else reject(new Error('the future was dropped without a value'));
      });
    });
    return this.promise;
  }

  then<A = T, B = never>(
    onOk?: ((v: T) => A | PromiseLike<A>) | null,
    onErr?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.read().then(onOk, onErr);
  }

  drop(): void {
    const s = this.shared;
    this.shared = undefined;
    s?.drop();
  }
}

/** The writable end of a future, held by the host. */
export class FutureWriter<T = unknown> {
  /** @internal */ shared: SharedFutureImpl | undefined;
  constructor(shared: SharedFutureImpl) {
    this.shared = shared;
  }

  /** Writes the value; resolves true once the reader took it, false if it dropped its end. */
  write(v: T): Promise<boolean> {
    const s = this.shared;
    if (s === undefined) return Promise.reject(new TypeError('this FutureWriter was already written or dropped'));
    this.shared = undefined;
    const buf = new HostReadableBuffer(s.t, s.t?.kind === 'u8' ? Uint8Array.of(v as number) : [v]);
    s.addHostPending(1);
    return new Promise<boolean>((resolve) => {
      s.write(undefined, buf, (result) => {
        s.addHostPending(-1);
        s.drop();
        resolve(result === CopyResult.COMPLETED);
      });
    });
  }

  drop(): void {
    const s = this.shared;
    this.shared = undefined;
    s?.drop();
  }
}

/** A new stream whose both ends the host holds; pass the reader to a component (or keep it). */
export function stream<T = unknown>(elemType?: ValType): [StreamWriter<T>, StreamReader<T>] {
  const s = new SharedStreamImpl(elemType);
  (s as { untyped?: boolean }).untyped = elemType === undefined;
  return [new StreamWriter<T>(s), new StreamReader<T>(s)];
}

export function future<T = unknown>(elemType?: ValType): [FutureWriter<T>, FutureReader<T>] {
  const s = new SharedFutureImpl(elemType);
  (s as { untyped?: boolean }).untyped = elemType === undefined;
  return [new FutureWriter<T>(s), new FutureReader<T>(s)];
}

// ---- host sources: what the host may pass where a stream/future is expected ----

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
export class IterableSource extends HostWork implements ReadableStream {
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

  constructor(
    t: ValType | undefined,
    it: AsyncIterator<unknown> | Iterator<unknown>,
    sync = false,
    readSync?: (max: number) => Uint8Array | null,
  ) {
    super();
    this.t = t;
    this.it = it;
    this.sync = sync;
    this.readSync = t?.kind === 'u8' ? readSync : undefined;
    this.bytes = t?.kind === 'u8';
  }

  read(_inst: unknown, dst: WritableBuffer, _onCopy: OnCopy, onCopyDone: OnCopyDone): void {
    if (this.leftover === undefined && !this.ended) {
      if (this.sync) this.nextSync();
      else if (!this.tryReadSync(dst.remain())) {
        this.pendingDst = dst;
        this.pendingDone = onCopyDone;
        this.pull();
        return;
      }
    }
    this.complete(dst, onCopyDone);
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
      this.accept(r);
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
      void (this.it as Iterator<unknown>).return?.();
    } catch {
      // the iterator's cleanup failing does not concern the guest
    }
  }
}

/** Feeds a guest's future read from a Promise. */
export class PromiseSource extends HostWork implements ReadableFuture {
  readonly t: ValType | undefined;
  private settled = false;
  private value: unknown;
  private pendingDst: WritableBuffer | undefined;
  private pendingDone: OnCopyDone | undefined;

  constructor(t: ValType | undefined, p: PromiseLike<unknown>) {
    super();
    this.t = t;
    this.addHostPending(1);
    Promise.resolve(p).then(
      (v) => this.settle(t?.kind === 'result' ? { tag: 'ok', val: v } : v),
      (e) =>
        this.settle(t?.kind === 'result' ? { tag: 'err', val: (e as { payload?: unknown })?.payload ?? e } : undefined),
    );
  }

  private settle(v: unknown): void {
    this.addHostPending(-1);
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

  drop(): void {}
}

/** What a host value passed as `stream<T>` becomes. */
export function streamSource(t: ValType | undefined, v: unknown): ReadableStream | undefined {
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
      return new IterableSource(t, (o[Symbol.asyncIterator] as () => AsyncIterator<unknown>).call(v), false, readSync);
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
export function futureSource(t: ValType | undefined, v: unknown): ReadableFuture | undefined {
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
