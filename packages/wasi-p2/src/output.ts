// stdout/stderr as 0.2 `output-stream`s that write to a ByteSink, the same
// sink object the 0.3 host writes to, so the two interleave in call order.
//
// 0.2 writes are synchronous calls and a synchronously lowered import cannot
// wait for a Promise, so each write is handed to the sink at once (in order);
// a Promise the sink returns is tracked, and if it rejects the stream fails
// its next operation (`closed` for a broken pipe, else `last-operation-failed`).

import { error as shimError, streams } from '@bytecodealliance/preview2-shim/io';
import { ReadyPollable } from './pollables.ts';
import { type ByteSink, isBrokenPipe } from '@weft/wasi-io';

const ShimOutputStream = streams.OutputStream as unknown as new () => object;
const IoError = shimError.Error as unknown as new (message: string) => object;

/** How much a guest may write per check-write; sinks buffer, so this only bounds one call. */
const WRITE_BUDGET = 1n << 20n;

export const CLOSED = Object.freeze({ tag: 'closed' as const });

export function lastOperationFailed(e: unknown): { tag: 'last-operation-failed'; val: unknown } {
  const msg = e instanceof Error ? e.message : String(e);
  return { tag: 'last-operation-failed', val: new IoError(msg) };
}

export class SinkOutputStream extends ShimOutputStream {
  readonly #sink: ByteSink;
  #failure: unknown = undefined;
  #closed = false;
  #onRejected = (e: unknown): void => {
    if (isBrokenPipe(e)) this.#closed = true;
    else if (this.#failure === undefined) this.#failure = e ?? new Error('write failed');
  };

  constructor(sink: ByteSink) {
    super();
    this.#sink = sink;
  }

  #check(): void {
    if (this.#closed) throw CLOSED;
    const f = this.#failure;
    if (f !== undefined) {
      this.#failure = undefined;
      this.#closed = true;
      throw lastOperationFailed(f);
    }
  }

  #track(r: void | Promise<void>): void {
    if (r !== undefined && typeof (r as Promise<void>).then === 'function')
      (r as Promise<void>).then(undefined, this.#onRejected);
  }

  #push(buf: Uint8Array): void {
    this.#check();
    if (buf.length === 0) return;
    try {
      this.#track(this.#sink.write(buf));
    } catch (e) {
      this.#onRejected(e);
      this.#check();
    }
  }

  checkWrite(): bigint {
    this.#check();
    return WRITE_BUDGET;
  }
  write(buf: Uint8Array): void {
    this.#push(buf);
  }
  blockingWriteAndFlush(buf: Uint8Array): void {
    this.#push(buf);
    this.flush();
  }
  flush(): void {
    this.#check();
    const f = this.#sink.flush;
    if (f !== undefined) {
      try {
        this.#track(f.call(this.#sink));
      } catch (e) {
        this.#onRejected(e);
        this.#check();
      }
    }
  }
  blockingFlush(): void {
    this.flush();
  }
  writeZeroes(len: bigint): void {
    this.#push(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
    this.flush();
  }
  splice(src: { read(n: bigint): Uint8Array }, len: bigint): bigint {
    this.#check();
    const chunk = src.read(len < WRITE_BUDGET ? len : WRITE_BUDGET);
    this.#push(chunk);
    return BigInt(chunk.length);
  }
  blockingSplice(src: { blockingRead(n: bigint): Uint8Array }, len: bigint): bigint {
    this.#check();
    const chunk = src.blockingRead(len < WRITE_BUDGET ? len : WRITE_BUDGET);
    this.#push(chunk);
    return BigInt(chunk.length);
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }
  // The sink outlives the handle (it is shared with the 0.3 host and later get-stdout calls).
  [Symbol.dispose](): void {}
}
