// A connected tcp-socket's byte connection: `receive` (a stream<u8> source and the future of how
// it ended) and `send` (a guest stream<u8> in, the future of how it ended out). Two kinds: a
// kernel connection (net.Socket) and a virtual one (a VirtualConnection's web streams).
// WASI's shared ownership: the socket handle and each active stream hold a reference; the
// connection closes when the last one goes.

import type { StreamReader } from '@weft/core';
import { type ErrorCodeTag, socketError, toSocketError } from '../errors.ts';

/** What `receive` hands the guest: read only as the guest reads (backpressure). */
export interface ReceiveSource extends AsyncIterable<Uint8Array> {
  readSync?(max: number): Uint8Array | null;
}

/** Most one send read takes from the guest at once (bytes); Node buffers at most this past its mark. */
export const SEND_CHUNK = 64 * 1024;

/** A future's value: pre-caught, since a guest that drops the future never reads the rejection. */
export function settled(): { promise: Promise<void>; settle(code?: ErrorCodeTag | Error): void } {
  let settle!: (code?: ErrorCodeTag | Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (code) =>
      code === undefined ? resolve() : reject(typeof code === 'string' ? socketError(code) : toSocketError(code));
  });
  promise.catch(() => {});
  return { promise, settle };
}

/** A failed future with `code`, for send/receive in the wrong state. */
export function failed(code: ErrorCodeTag): Promise<void> {
  const { promise, settle } = settled();
  settle(code);
  return promise;
}

/** Reads a guest stream (or, from host callers, any AsyncIterable of bytes) one chunk at a time. */
export function chunksOf(
  data: StreamReader<number> | AsyncIterable<Uint8Array>,
): () => Promise<Uint8Array | undefined> {
  if (typeof (data as StreamReader<number>).read === 'function') {
    const r = data as StreamReader<number>;
    return () => r.read(SEND_CHUNK) as Promise<Uint8Array | undefined>;
  }
  const it = (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  return async () => {
    const r = await it.next();
    if (r.done) return undefined;
    if (!(r.value instanceof Uint8Array)) throw new TypeError('send data must be Uint8Array chunks');
    return r.value;
  };
}

/** Drops the guest's send stream after a failure, so its next write sees it dropped. */
export function dropStream(data: unknown): void {
  try {
    (data as { cancel?: () => void }).cancel?.();
  } catch {
    // already gone
  }
}

export abstract class Conn {
  #refs = 1;
  retain(): void {
    this.#refs++;
  }
  /** Drops one reference; the last closes the connection. */
  release(): void {
    if (--this.#refs === 0) this.close();
  }
  abstract receive(): [ReceiveSource, Promise<void>];
  abstract send(data: StreamReader<number> | AsyncIterable<Uint8Array>): Promise<void>;
  /** Applies keep-alive (a kernel connection only). */
  setKeepAlive(_enabled: boolean, _idleSeconds: number): void {}
  protected abstract close(): void;
}
