// stdin as a 0.2 `input-stream` reading the shared ByteSource.
//
// 0.2 reads are synchronous calls. Bytes already pulled from the source are
// returned at once; `read` (non-blocking) otherwise starts a pull and returns
// nothing yet. `blocking-read` with nothing buffered asks the source's
// optional `readSync`; failing that it returns a Promise of the bytes, which
// needs an instance that can suspend (core's `hostImportsMaySuspend`; core
// traps with a message saying so otherwise). A pollable's `block` likewise.

import { streams } from '@bytecodealliance/preview2-shim/io';
import { CLOSED, lastOperationFailed } from './output.ts';
import { CheckPollable } from './pollables.ts';
import type { ByteSource, SyncReadable } from '@weft/wasi-io';

const ShimInputStream = streams.InputStream as unknown as new () => object;
const EMPTY = new Uint8Array(0);

/** Pulls a ByteSource lazily, one chunk at a time, keeping what the guest has not read yet. */
export class StdinBuffer {
  readonly #source: ByteSource;
  #iter: AsyncIterator<Uint8Array> | undefined;
  #chunk: Uint8Array = EMPTY;
  #done = false;
  #failure: unknown = undefined;
  #pulling: Promise<void> | undefined;

  constructor(source: ByteSource) {
    this.#source = source;
  }

  get available(): number {
    return this.#chunk.length;
  }
  /** Nothing more will come (end of input or an error), once buffered bytes are read. */
  get ended(): boolean {
    return this.#done || this.#failure !== undefined;
  }

  /** Up to `max` buffered bytes, or `undefined` when none are buffered. Throws at end of input. */
  take(max: number): Uint8Array | undefined {
    const c = this.#chunk;
    if (c.length > 0) {
      const n = Math.min(max, c.length);
      this.#chunk = n === c.length ? EMPTY : c.subarray(n);
      return n === c.length ? c : c.slice(0, n);
    }
    if (this.#failure !== undefined) throw lastOperationFailed(this.#failure);
    if (this.#done) throw CLOSED;
    return undefined;
  }

  /** Tries the source's synchronous side; true if it produced bytes or reached the end. */
  trySync(max: number): boolean {
    const rs = (this.#source as Partial<SyncReadable>).readSync;
    if (typeof rs !== 'function' || this.#iter !== undefined) return false;
    const got = rs.call(this.#source, max);
    if (got === null) {
      this.#done = true;
      return true;
    }
    if (got.length === 0) return false;
    this.#chunk = got;
    return true;
  }

  /** Starts (or joins) a pull of the next chunk. */
  pull(): Promise<void> {
    if (this.#pulling !== undefined) return this.#pulling;
    if (this.ended) return Promise.resolve();
    this.#iter ??= this.#source[Symbol.asyncIterator]();
    const p = this.#iter.next().then(
      (r) => {
        this.#pulling = undefined;
        if (r.done) this.#done = true;
        else if (r.value.length > 0) this.#chunk = r.value;
      },
      (e) => {
        this.#pulling = undefined;
        this.#failure = e ?? new Error('stdin failed');
      },
    );
    this.#pulling = p;
    return p;
  }
}

function clampLen(len: bigint): number {
  return len > 0x7fffffffn ? 0x7fffffff : Number(len);
}

export class SourceInputStream extends ShimInputStream {
  readonly #buf: StdinBuffer;

  constructor(buf: StdinBuffer) {
    super();
    this.#buf = buf;
  }

  read(len: bigint): Uint8Array {
    const max = clampLen(len);
    const b = this.#buf;
    let got = b.take(max);
    if (got === undefined && b.trySync(max)) got = b.take(max);
    if (got !== undefined) return got;
    void b.pull();
    return EMPTY;
  }

  blockingRead(len: bigint): Uint8Array | Promise<Uint8Array> {
    const max = clampLen(len);
    if (max === 0) return EMPTY;
    const b = this.#buf;
    let got = b.take(max);
    if (got === undefined && b.trySync(max)) got = b.take(max);
    if (got !== undefined) return got;
    const next = async (): Promise<Uint8Array> => {
      for (;;) {
        await b.pull();
        const g = b.take(max);
        if (g !== undefined) return g;
      }
    };
    return next();
  }

  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }

  blockingSkip(len: bigint): bigint | Promise<bigint> {
    const r = this.blockingRead(len);
    return r instanceof Uint8Array ? BigInt(r.length) : r.then((c) => BigInt(c.length));
  }

  subscribe(): CheckPollable {
    const b = this.#buf;
    return new CheckPollable(
      () => {
        if (b.available > 0 || b.ended) return true;
        if (b.trySync(1 << 16)) return true;
        void b.pull();
        return false;
      },
      // Suspends the guest until the next chunk (or the end) arrives.
      () => b.pull(),
    );
  }

  [Symbol.dispose](): void {}
}
