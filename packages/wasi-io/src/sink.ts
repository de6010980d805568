// ByteSink / ByteSource: the one shape every host byte consumer and producer
// is reduced to (wasi:cli stdio, the 0.2 output streams, and the coming
// filesystem, http and sockets hosts), with the in-memory sinks.

import { BrokenPipeError, compact, concat } from './bytes.ts';
import { type NodeWritableLike, nodeSink } from './node.ts';
import { webSink } from './web.ts';

/**
 * Where bytes go. `write` may return a Promise to apply backpressure: the
 * next chunk is not offered until it settles. A write failing with a broken
 * pipe (`isBrokenPipe`: EPIPE and its kin) means "the consumer went away":
 * transfers end cleanly. Any other failure is an error.
 *
 * Unless the sink sets `releasesChunks`, the caller hands each chunk over and
 * does not reuse its buffer (the sink may keep it).
 */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Resolves once what was written so far reached its destination (optional). */
  flush?(): void | Promise<void>;
  /** End of the data (optional: a sink may have nothing to finish). */
  close?(): void | Promise<void>;
  /**
   * True if the sink is done with a chunk once `write` returns (or its
   * Promise settles), so the caller may refill the same buffer for the next
   * write (no allocation per chunk). Default: the sink may keep chunks.
   */
  readonly releasesChunks?: boolean;
}

/** Where bytes come from: any AsyncIterable of chunks (a StreamReader is one). */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Optional synchronous side of a ByteSource: bytes it can give without
 * waiting (a buffer, a string, a file descriptor). A guest read then
 * completes at once (0.3) and `blocking-read` needs no suspension (0.2).
 * Returns the next bytes (at most `max`), an empty array when nothing is
 * available yet, or null at end of input.
 */
export interface SyncReadable {
  readSync(max: number): Uint8Array | null;
  /**
   * Optional: the same, written into `target` (a 0.3 guest's read buffer, in its
   * linear memory: the bytes' one copy). Returns the count, 0 when nothing is
   * available yet, or null at end of input.
   */
  readSyncInto?(target: Uint8Array): number | null;
}

/** Anything `toSink` makes a ByteSink of. */
export type SinkLike =
  | ByteSink
  | WritableStream<Uint8Array>
  | NodeWritableLike
  | ((chunk: Uint8Array) => void | Promise<void>);

/** Collects everything written, for embedders and tests. */
export class CaptureSink implements ByteSink {
  #chunks: Uint8Array[] = [];
  /** Bytes collected. */
  length = 0;
  closed = false;
  /** Most bytes kept; writes past it fail with RangeError (default unbounded). */
  readonly limit: number;

  constructor(limit = Number.POSITIVE_INFINITY) {
    this.limit = limit;
  }

  write(chunk: Uint8Array): void {
    if (this.closed) throw new BrokenPipeError('write after close on a CaptureSink');
    if (this.length + chunk.length > this.limit)
      throw new RangeError(`CaptureSink limit of ${this.limit} bytes exceeded`);
    // the chunk is handed over (see ByteSink); only a small view of a large buffer is copied, not to pin it
    this.#chunks.push(compact(chunk));
    this.length += chunk.length;
  }

  close(): void {
    this.closed = true;
  }

  bytes(): Uint8Array {
    if (this.#chunks.length !== 1) this.#chunks = [concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** Forgets what was collected. */
  clear(): void {
    this.#chunks = [];
    this.length = 0;
  }
}

/** Discards everything (and never keeps a chunk). */
export const discardSink: ByteSink = Object.freeze({ releasesChunks: true, write() {}, close() {} });

function isNodeWritable(o: object): o is NodeWritableLike {
  const w = o as Partial<NodeWritableLike>;
  return typeof w.write === 'function' && typeof w.once === 'function' && typeof w.on === 'function';
}

/** A ByteSink for a ByteSink (as is), a WritableStream, a Node Writable or a function (called per chunk). */
export function toSink(sink: SinkLike): ByteSink {
  if (typeof sink === 'function') return { write: sink };
  if (typeof sink === 'object' && sink !== null) {
    if (isNodeWritable(sink)) return nodeSink(sink, { end: false });
    if (typeof (sink as WritableStream).getWriter === 'function') return webSink(sink as WritableStream<Uint8Array>);
    if (typeof (sink as ByteSink).write === 'function') return sink as ByteSink;
  }
  throw new TypeError('expected a ByteSink, a WritableStream, a Node Writable or a function');
}
