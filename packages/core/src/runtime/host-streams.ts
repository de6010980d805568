// The host's ends of streams and futures (what WASI packages use):
// StreamReader / StreamWriter / FutureReader / FutureWriter over the same
// SharedStreamImpl / SharedFutureImpl guests use, so a host end behaves like a
// guest end (same rendezvous, same results). What else a host may pass as a
// stream or future is in host-sources.ts.

import type { ValType } from '../types/model.ts';
import { HostReadableBuffer, HostWritableBuffer, type Values } from './buffers.ts';
import {
  CopyResult,
  HostWork,
  type OnCopy,
  type OnCopyDone,
  type FutureProducer,
  type StreamProducer,
  SharedFutureImpl,
  SharedStreamImpl,
} from './copy.ts';

const DEFAULT_BYTES = 64 * 1024;
const DEFAULT_VALUES = 1024;

/** The readable end of a stream, held by the host. u8 streams yield Uint8Array chunks, others single values. */
export class StreamReader<T = unknown> implements AsyncIterable<T extends number ? Uint8Array | T : T> {
  /** @internal */ shared: StreamProducer | undefined;
  private pending = false;
  private ended = false;

  constructor(shared: StreamProducer) {
    this.shared = shared;
  }

  get elemType(): ValType | undefined {
    return this.shared?.t;
  }

  /**
   * True once the writer dropped its end: nothing more will come, and a read resolves
   * `undefined` at once. Not when the writer's instance trapped (a read rejects with that).
   */
  get writerDropped(): boolean {
    const s = this.shared;
    return this.ended || (s !== undefined && s.dropped === true && s.poisoned === undefined);
  }

  /** @internal Hands the end to a guest (lower); the reader is unusable afterwards. */
  take(): StreamProducer {
    const s = this.shared;
    if (s === undefined) throw new TypeError('this StreamReader was already passed to a component or dropped');
    if (this.pending) throw new TypeError('cannot pass a StreamReader while a read is in progress');
    this.shared = undefined;
    return s;
  }

  /**
   * Reads up to `max` values: a Uint8Array for stream<u8>, an array otherwise;
   * `undefined` once the writer has dropped its end. Rejects with the `Trap`
   * if the writer's instance trapped while holding it.
   */
  read(max?: number): Promise<Values | undefined> {
    const s = this.shared;
    if (s?.poisoned !== undefined) return Promise.reject(s.poisoned);
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
    if (s?.poisoned !== undefined) return Promise.reject(s.poisoned);
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
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (result: number) => {
        if (done) return;
        done = true;
        this.pending = false;
        work?.addHostWaits(-1);
        if (result === CopyResult.DROPPED) this.ended = true;
        // The writer's instance trapped (after task.return): not a clean end.
        if (buf.progress === 0 && result === CopyResult.DROPPED && s.poisoned !== undefined) reject(s.poisoned);
        else if (buf.progress === 0 && result === CopyResult.DROPPED) resolve(undefined);
        else resolve(count ? buf.progress : buf.take());
      };
      const onCopy: OnCopy = (reclaim) => {
        reclaim();
        finish(CopyResult.COMPLETED);
      };
      s.read(undefined, buf, onCopy, finish);
    });
  }

  /** Cancels a read in progress (it resolves with what was copied so far); the stream stays open. */
  cancelRead(): void {
    if (this.pending) this.shared?.cancel();
  }

  /**
   * Abandons the stream, as a web ReadableStream's `cancel(reason)`: a read in
   * progress resolves with what it has, and the writer sees DROPPED.
   */
  cancel(_reason?: unknown): void {
    const s = this.shared;
    if (s === undefined) return;
    this.shared = undefined;
    if (this.pending) s.cancel();
    s.drop();
  }

  [Symbol.dispose](): void {
    this.cancel();
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
          this.cancel();
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
        this.cancel();
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
  private closing = false;
  /** Settles when the last write did (close() waits for it). */
  private settled: Promise<void> = Promise.resolve();

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
  write(values: Values | Iterable<T>): Promise<number> {
    const p = this.writeAll(values);
    this.settled = p.then(
      () => {},
      () => {},
    );
    return p;
  }

  private async writeAll(values: Values | Iterable<T>): Promise<number> {
    const s = this.shared;
    if (s === undefined || this.closing) throw new TypeError('this StreamWriter was closed');
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

  /** Cancels a write in progress (it resolves with what the reader took); the stream stays open. */
  cancelWrite(): void {
    if (this.pending) this.shared?.cancel();
  }

  /**
   * Finishes the stream, as a web WritableStream's `close()`: a write in
   * progress completes first, then the reader sees the end of the stream.
   */
  async close(): Promise<void> {
    this.closing = true;
    while (this.pending) await this.settled;
    this.end();
  }

  /** Abandons the stream: a write in progress stops where it is and the reader sees the end now. */
  cancel(_reason?: unknown): void {
    this.closing = true;
    this.end();
  }

  [Symbol.dispose](): void {
    this.cancel();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private end(): void {
    const s = this.shared;
    if (s === undefined) return;
    this.shared = undefined;
    if (this.pending) s.cancel();
    s.drop();
  }
}

/** The readable end of a future, held by the host: a thenable of the value. */
export class FutureReader<T = unknown> implements PromiseLike<T> {
  /** @internal */ shared: FutureProducer | undefined;
  private promise: Promise<T> | undefined;

  constructor(shared: FutureProducer) {
    this.shared = shared;
  }

  /** @internal */
  take(): FutureProducer {
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
        // The writer's instance trapped (after task.return): its trap, not a drop.
        else if (s.poisoned !== undefined) reject(s.poisoned);
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

  /** Abandons the future: its writer sees DROPPED. */
  cancel(_reason?: unknown): void {
    const s = this.shared;
    this.shared = undefined;
    s?.drop();
  }

  [Symbol.dispose](): void {
    this.cancel();
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

  /** Abandons the future without a value: its reader sees it dropped. */
  cancel(_reason?: unknown): void {
    const s = this.shared;
    this.shared = undefined;
    s?.drop();
  }

  [Symbol.dispose](): void {
    this.cancel();
  }
}

/** A stream's two ends, the shape `pipe()` of @weft/wasi-io returns too. */
export interface StreamPair<T> {
  reader: StreamReader<T>;
  writer: StreamWriter<T>;
}

export interface FuturePair<T> {
  reader: FutureReader<T>;
  writer: FutureWriter<T>;
}

/** A new stream whose both ends the host holds; pass the reader to a component (or keep it). */
export function stream<T = unknown>(elemType?: ValType): StreamPair<T> {
  const s = new SharedStreamImpl(elemType);
  (s as { untyped?: boolean }).untyped = elemType === undefined;
  return { reader: new StreamReader<T>(s), writer: new StreamWriter<T>(s) };
}

/** A new future whose both ends the host holds. */
export function future<T = unknown>(elemType?: ValType): FuturePair<T> {
  const s = new SharedFutureImpl(elemType);
  (s as { untyped?: boolean }).untyped = elemType === undefined;
  return { reader: new FutureReader<T>(s), writer: new FutureWriter<T>(s) };
}
