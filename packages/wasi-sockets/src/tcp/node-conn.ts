// A kernel TCP connection (a paused, half-open net.Socket) as a Conn. `send` copies with
// wasi-io's pipeToNodeWritable; `receive` is its own: fromNodeReadable would read ahead through a
// pump, and dropping it destroys the socket (or, with destroyOnCancel false, leaves unread bytes
// to stall the peer), where WASI's shutdown(SHUT_RD) keeps the send side and drains the rest.

import type { Socket } from 'node:net';
import type { StreamReader } from '@weft/core';
import { type ByteSource, pipeToNodeWritable } from '@weft/wasi-io';
import { socketError, toSocketError } from '../errors.ts';
import { Conn, chunksOf, dropStream, type ReceiveSource, settled } from './conn.ts';

const EMPTY = new Uint8Array(0);
const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined }) as IteratorResult<Uint8Array>;
const noop = () => {};

export class NodeConn extends Conn {
  readonly socket: Socket;
  /** The first error the socket reported (a reset, a broken pipe). */
  #error: Error | undefined;
  /** Woken by any socket event a pending receive or send may be waiting on. */
  #waiters: Array<() => void> = [];
  readonly #wake = () => {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  };

  constructor(socket: Socket) {
    super();
    this.socket = socket;
    const wake = this.#wake;
    // A listener for 'error' also keeps a reset from becoming an uncaught exception.
    socket.on('error', (e) => {
      this.#error ??= e;
      wake();
    });
    // 'readable' only once the guest receives: until then nothing is read from the kernel.
    for (const ev of ['end', 'close']) socket.on(ev, wake);
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  receive(): [ReceiveSource, Promise<void>] {
    const socket = this.socket;
    const { promise, settle } = settled();
    let open = true;
    this.retain();
    socket.on('readable', this.#wake);
    const finish = (e?: Error) => {
      if (!open) return;
      open = false;
      settle(e);
      this.release();
    };
    // One step: bytes buffered, the end (null), or nothing yet (EMPTY).
    const step = (): Uint8Array | null => {
      if (!open) return null;
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) return chunk;
      if (this.#error !== undefined) {
        finish(this.#error);
        return null;
      }
      if (socket.readableEnded || socket.destroyed) {
        finish();
        return null;
      }
      return EMPTY;
    };
    const next = async (): Promise<IteratorResult<Uint8Array>> => {
      for (;;) {
        const chunk = step();
        if (chunk === null) return DONE;
        if (chunk.length > 0) return { done: false, value: chunk };
        await this.#wait();
      }
    };
    const source: ReceiveSource = {
      readSync: (_max) => step(),
      [Symbol.asyncIterator]: () => ({
        next,
        // The guest dropped the stream (shutdown(SHUT_RD)): what still arrives is read and
        // discarded, so the peer is never blocked on us, and the future completes.
        return: async () => {
          if (open) {
            socket.off('readable', this.#wake);
            socket.on('data', noop);
            socket.resume();
            finish();
          }
          return DONE;
        },
      }),
    };
    return [source, promise];
  }

  send(data: StreamReader<number> | AsyncIterable<Uint8Array>): Promise<void> {
    const socket = this.socket;
    this.retain();
    const run = async () => {
      if (this.#error !== undefined) throw this.#error;
      if (socket.destroyed || socket.writableEnded) throw socketError('connection-broken');
      // wasi-io's copy into a Node writable: the next guest read waits for 'drain', and at the
      // end socket.end() (shutdown(SHUT_WR)) once what was written reached the kernel. The guest
      // is read through chunksOf (at most SEND_CHUNK a read), not handed over as a StreamReader,
      // which pipeToSink would read in chunks growing to 4 MiB: Node queues one chunk past its
      // high-water mark, so this keeps each connection's send buffer at 64 KiB.
      const r = await pipeToNodeWritable(byteSource(chunksOf(data)), socket, { end: true });
      // A reset or broken pipe ends the copy quietly ('closed'); the guest hears which it was.
      if (this.#error !== undefined) throw this.#error;
      if (r.reason !== 'end' || !socket.writableFinished) throw socketError('connection-broken');
    };
    const { promise, settle } = settled();
    run().then(
      () => settle(),
      (e) => {
        dropStream(data);
        settle(sendError(e));
      },
    );
    promise.then(
      () => this.release(),
      () => this.release(),
    );
    return promise;
  }

  override setKeepAlive(enabled: boolean, idleSeconds: number): void {
    this.socket.setKeepAlive(enabled, idleSeconds * 1000);
  }

  protected close(): void {
    this.socket.destroy();
  }
}

/** `next` (a chunk, or undefined at the end) as the AsyncIterable pipeToSink reads. */
function byteSource(next: () => Promise<Uint8Array | undefined>): ByteSource {
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const value = await next();
        return value === undefined ? DONE : { done: false, value };
      },
    }),
  };
}

function sendError(e: unknown): Error {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END') return socketError('connection-broken');
  return toSocketError(e);
}
