// A kernel TCP connection (a paused, half-open net.Socket) as a Conn.

import type { Socket } from 'node:net';
import type { StreamReader } from '@weft/core';
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
    for (const ev of ['end', 'close', 'drain']) socket.on(ev, wake);
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
    const next = chunksOf(data);
    this.retain();
    const run = async () => {
      for (;;) {
        if (this.#error !== undefined) throw this.#error;
        const chunk = await next();
        if (chunk === undefined) break;
        if (chunk.length === 0) continue;
        if (this.#error !== undefined) throw this.#error;
        if (socket.destroyed || socket.writableEnded) throw socketError('connection-broken');
        // Node keeps at most this chunk past its high-water mark: wait for 'drain' before the next read.
        if (!socket.write(chunk)) {
          while (socket.writableNeedDrain && this.#error === undefined && !socket.destroyed) await this.#wait();
        }
      }
      // The guest closed its stream: shutdown(SHUT_WR), once what was written reached the kernel.
      await new Promise<void>((resolve, reject) => {
        if (socket.destroyed) {
          reject(this.#error ?? socketError('connection-broken'));
          return;
        }
        socket.end((e?: Error | null) => (e ? reject(this.#error ?? e) : resolve()));
      });
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

function sendError(e: unknown): Error {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END') return socketError('connection-broken');
  return toSocketError(e);
}
