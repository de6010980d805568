// ByteSink / ByteSource: the plain shapes wasi-cli (stdio) and other hosts
// accept, with constructors for buffers, callbacks, Node and Web streams.

import { BrokenPipeError, compact, concat, isBrokenPipe } from './bytes.ts';
import type { StreamReader } from './core.ts';
import { drain, type DrainOptions, type TransferResult } from './pump.ts';

/**
 * Where bytes go. `write` may return a Promise to apply backpressure (the
 * next chunk is not offered until it settles). A write failing with an
 * EPIPE-coded error means "the consumer went away": transfers end cleanly.
 */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** End of the data (optional: a sink may have nothing to finish). */
  close?(): void | Promise<void>;
}

/** Where bytes come from: any AsyncIterable of chunks (a StreamReader is one). */
export type ByteSource = AsyncIterable<Uint8Array>;

export interface PipeToSinkOptions extends DrainOptions {
  /** Close the sink at the end (default true). */
  close?: boolean;
}

/**
 * Copies `reader` into `sink` with backpressure; a broken pipe ends it
 * cleanly (reason 'closed') and drops the reader so its producer sees DROPPED.
 */
export async function pipeToSink(
  reader: StreamReader | ByteSource,
  sink: ByteSink,
  options: PipeToSinkOptions = {},
): Promise<TransferResult> {
  let broken = false;
  let result: TransferResult;
  try {
    result = await drain(
      reader,
      async (chunk) => {
        try {
          await sink.write(chunk);
        } catch (e) {
          if (!isBrokenPipe(e)) throw e;
          broken = true;
          return false;
        }
      },
      options,
    );
  } catch (e) {
    await closeQuietly(sink);
    throw e;
  }
  if (options.close !== false && !broken) await sink.close?.();
  return result;
}

async function closeQuietly(sink: ByteSink): Promise<void> {
  try {
    await sink.close?.();
  } catch {
    // already failing
  }
}

/** Collects everything written, for tests and capture. */
export class BufferSink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  closed = false;
  /** Most bytes kept; writes past it fail with RangeError (default unbounded). */
  readonly limit: number;

  constructor(limit = Number.POSITIVE_INFINITY) {
    this.limit = limit;
  }

  write(chunk: Uint8Array): void {
    if (this.closed) throw new BrokenPipeError('write after close on a BufferSink');
    if (this.length + chunk.length > this.limit)
      throw new RangeError(`BufferSink limit of ${this.limit} bytes exceeded`);
    this.chunks.push(chunk.slice());
    this.length += chunk.length;
  }

  close(): void {
    this.closed = true;
  }

  bytes(): Uint8Array {
    return concat(this.chunks);
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

export function bufferSink(limit?: number): BufferSink {
  return new BufferSink(limit);
}

/** Calls `onChunk` per chunk (awaiting a returned Promise); `onClose` at the end. */
export function callbackSink(
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  onClose?: () => void | Promise<void>,
): ByteSink {
  return { write: onChunk, close: () => onClose?.() };
}

/** Discards everything. */
export function nullSink(): ByteSink {
  return { write() {}, close() {} };
}

/** A sink into a Web WritableStream (waits on `ready`, so its queue stays bounded). */
export function fromWritableStream(ws: WritableStream<Uint8Array>): ByteSink {
  const w = ws.getWriter();
  let failed: unknown;
  return {
    async write(chunk) {
      if (failed !== undefined) throw failed;
      await w.ready;
      // don't await the write itself: `ready` is the backpressure signal
      w.write(compact(chunk)).catch((e) => (failed ??= brokenIfClosed(e)));
    },
    async close() {
      try {
        await w.close();
      } finally {
        w.releaseLock();
      }
    },
  };
}

function brokenIfClosed(e: unknown): unknown {
  return e instanceof TypeError ? new BrokenPipeError(e.message) : e;
}

/** A ByteSource over bytes or text already in memory. */
export async function* bytesSource(data: Uint8Array | string | Iterable<Uint8Array>): ByteSource {
  if (typeof data === 'string') yield new TextEncoder().encode(data);
  else if (data instanceof Uint8Array) yield data;
  else yield* data;
}

/** A ByteSource that ends at once. */
export async function* emptySource(): ByteSource {}
