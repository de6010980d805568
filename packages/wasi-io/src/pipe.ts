// An in-memory byte pipe with a bounded buffer: a user-space producer (a TLS
// layer's plaintext, a protocol decoder, a test) writes into `writer`; `reader`
// is a StreamReader to hand to a component or read on the host.

import { BrokenPipeError, type ByteChunk, toBytes } from './bytes.ts';
import { holdHost, type StreamReader, type StreamWriter } from './core.ts';
import { byteStream } from './pump.ts';
import type { ByteSink } from './sink.ts';

export interface PipeOptions {
  /** Bytes the pipe holds before `write` waits (default 64 KiB). */
  highWaterMark?: number;
}

/** The producer's end of a pipe. Also a ByteSink. */
export class PipeWriter implements ByteSink {
  readonly highWaterMark: number;
  private readonly out: StreamWriter<number>;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private bufferedBytes = 0;
  private state: 'open' | 'closing' | 'done' = 'open';
  private broken = false;
  private pumping = false;
  /** Writers waiting for room (resolve) and the pump waiting for data. */
  private roomWaiters: Array<() => void> = [];
  private dataWaiter: (() => void) | undefined = undefined;
  private readonly doneP: Promise<void>;
  private resolveDone!: () => void;
  /** An open pipe may still be written: a guest waiting on it is not deadlocked. */
  private readonly release: () => void;

  constructor(out: StreamWriter<number>, highWaterMark: number) {
    this.out = out;
    // Holds the store of whichever guest reads this pipe (it follows the stream).
    this.release = holdHost(out);
    this.highWaterMark = highWaterMark;
    this.doneP = new Promise((r) => (this.resolveDone = r));
  }

  /** Bytes written but not yet taken by the reader. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Room left before writes wait (may be negative right after a large write). */
  get desiredSize(): number {
    return this.highWaterMark - this.bufferedBytes;
  }

  /** True once the reader has gone away (further writes fail with EPIPE). */
  get readerClosed(): boolean {
    return this.broken;
  }

  /** Settles when the pipe is finished: everything was read after close(), or the reader went away, or cancel(). */
  get finished(): Promise<void> {
    return this.doneP;
  }

  /** Resolves when the buffer is below the high-water mark. */
  ready(): Promise<void> {
    if (this.bufferedBytes < this.highWaterMark || this.state !== 'open') return Promise.resolve();
    return new Promise((r) => this.roomWaiters.push(r));
  }

  /**
   * Queues `chunk` (copied: the caller may reuse its buffer once this
   * resolves) and resolves once the buffer is below the high-water mark
   * again. Rejects with an EPIPE error once the reader went away.
   */
  async write(chunk: ByteChunk): Promise<void> {
    if (this.broken) throw new BrokenPipeError();
    if (this.state !== 'open') throw new TypeError('write after close() on a pipe');
    // Wait for room first, so the buffer never exceeds highWaterMark + one chunk.
    while (this.bufferedBytes >= this.highWaterMark) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
      if (this.broken) throw new BrokenPipeError();
      if (this.state !== 'open') throw new TypeError('write after close() on a pipe');
    }
    const bytes = toBytes(chunk);
    if (bytes.length === 0) return;
    this.queue.push(bytes.slice());
    this.bufferedBytes += bytes.length;
    this.kick();
  }

  [Symbol.dispose](): void {
    this.cancel();
  }

  /** Closes, then waits until the reader has taken everything (or went away). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.finished;
  }

  /** Ends the stream once the buffered bytes have been read. */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.kick();
    this.wakeWriters();
  }

  /** Ends the stream now, discarding buffered bytes (a StreamWriter's `cancel(reason)`). */
  cancel(_reason?: unknown): void {
    if (this.state === 'done') return;
    this.queue.length = this.head = 0;
    this.bufferedBytes = 0;
    this.finish();
  }

  private isDone(): boolean {
    return this.state === 'done';
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.release();
    // Nothing is pending after a close (run() wrote it all); after cancel() a
    // blocked write is abandoned with the rest.
    this.out.cancel();
    this.wakeWriters();
    const d = this.dataWaiter;
    this.dataWaiter = undefined;
    d?.();
    this.resolveDone();
  }

  private wakeWriters(): void {
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w();
  }

  private kick(): void {
    const d = this.dataWaiter;
    if (d !== undefined) {
      this.dataWaiter = undefined;
      d();
    }
    if (!this.pumping) {
      this.pumping = true;
      void this.run();
    }
  }

  /** Moves queued chunks into the stream, one rendezvous write at a time. */
  private async run(): Promise<void> {
    while (this.state !== 'done') {
      if (this.head === this.queue.length) {
        this.queue.length = this.head = 0;
        if (this.state === 'closing') {
          this.finish();
          break;
        }
        await new Promise<void>((r) => (this.dataWaiter = r));
        continue;
      }
      const chunk = this.queue[this.head]!;
      const n = await this.out.write(chunk);
      if (this.isDone()) break;
      this.queue[this.head++] = undefined as unknown as Uint8Array;
      if (this.head >= 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.bufferedBytes -= chunk.length;
      if (n < chunk.length) {
        // the reader dropped its end: fail waiting and future writes
        this.broken = true;
        this.queue.length = this.head = 0;
        this.bufferedBytes = 0;
        this.finish();
        break;
      }
      if (this.bufferedBytes < this.highWaterMark) this.wakeWriters();
    }
    this.pumping = false;
  }
}

export interface Pipe {
  /** Hand this to a component (as a stream<u8>) or read it on the host. */
  reader: StreamReader<number>;
  /** Feed the pipe from any user-space producer. */
  writer: PipeWriter;
}

/** An in-memory byte pipe with a bounded buffer. */
export function pipe(options: PipeOptions = {}): Pipe {
  const hwm = options.highWaterMark ?? 64 * 1024;
  if (!(hwm > 0)) throw new RangeError('highWaterMark must be positive');
  const { writer: w, reader } = byteStream();
  return { reader, writer: new PipeWriter(w, hwm) };
}
