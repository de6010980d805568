// A VirtualConnection (web streams served by JS code) as a Conn: no kernel socket.
// Not wasi-io's web adapters: core reads the receive side's AsyncIterable itself (one web stream
// read per guest read, where fromReadableStream would add a pump reading a chunk ahead), and
// webSink paces writes by `ready` alone (a writable with a large high-water mark would take many
// chunks) and cannot abort the writable when a send fails; here one chunk is in flight at a time.

import type { StreamReader } from '@weft/core';
import { socketError } from '../errors.ts';
import type { VirtualConnection } from '../options.ts';
import { Conn, chunksOf, dropStream, type ReceiveSource, settled } from './conn.ts';

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined }) as IteratorResult<Uint8Array>;

export class VirtualConn extends Conn {
  readonly #vc: VirtualConnection;
  readonly #onClosed: () => void;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reading = false;
  #writing = false;
  #closed = false;

  /** @param onClosed told once, when the connection is closed (by its last handle or by destroy). */
  constructor(vc: VirtualConnection, onClosed: () => void = () => {}) {
    super();
    this.#vc = vc;
    this.#onClosed = onClosed;
  }

  receive(): [ReceiveSource, Promise<void>] {
    this.#reading = true;
    const { promise, settle } = settled();
    let open = true;
    this.retain();
    const finish = (e?: Error) => {
      if (!open) return;
      open = false;
      settle(e);
      this.release();
    };
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      reader = this.#vc.readable.getReader();
      this.#reader = reader;
    } catch {
      finish(socketError('connection-reset'));
      return [[] as unknown as ReceiveSource, promise];
    }
    const source: ReceiveSource = {
      // Each guest read is one read of the web stream: it pulls its source no further ahead.
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (!open) return DONE;
          try {
            const r = await reader.read();
            if (r.done) {
              finish();
              return DONE;
            }
            if (!(r.value instanceof Uint8Array))
              throw new TypeError('a virtual connection must yield Uint8Array chunks');
            return { done: false, value: r.value };
          } catch {
            // The virtual peer failed: to the guest, a reset connection.
            finish(socketError('connection-reset'));
            return DONE;
          }
        },
        return: async () => {
          if (open) {
            reader.cancel().catch(() => {});
            finish();
          }
          return DONE;
        },
      }),
    };
    return [source, promise];
  }

  send(data: StreamReader<number> | AsyncIterable<Uint8Array>): Promise<void> {
    this.#writing = true;
    const next = chunksOf(data);
    this.retain();
    const run = async () => {
      let writer: WritableStreamDefaultWriter<Uint8Array>;
      try {
        writer = this.#vc.writable.getWriter();
        this.#writer = writer;
      } catch {
        throw socketError('connection-broken');
      }
      try {
        for (;;) {
          const chunk = await next();
          if (chunk === undefined) break;
          if (chunk.length === 0) continue;
          // One chunk in flight: the next guest read waits for the sink to take this one.
          await writer.ready;
          await writer.write(chunk);
        }
        await writer.close();
      } catch (e) {
        writer.abort(e).catch(() => {});
        throw (e as { payload?: unknown })?.payload !== undefined ? e : socketError('connection-broken');
      }
    };
    const { promise, settle } = settled();
    run().then(
      () => settle(),
      (e) => {
        dropStream(data);
        settle(e as Error);
      },
    );
    promise.then(
      () => this.release(),
      () => this.release(),
    );
    return promise;
  }

  /** The last handle went: a side never used is closed as a kernel socket's close() would. */
  protected close(): void {
    if (!this.#reading) this.#vc.readable.cancel().catch(() => {});
    if (!this.#writing) this.#vc.writable.close().catch(() => {});
    this.#done();
  }

  /** The host closed: both sides end now, in use or not (the guest's streams see a reset). */
  destroy(): void {
    const gone = new Error('the sockets host was closed');
    (this.#reader ?? this.#vc.readable).cancel(gone).catch(() => {});
    (this.#writer ?? this.#vc.writable).abort(gone).catch(() => {});
    this.#done();
  }

  #done(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClosed();
  }
}
