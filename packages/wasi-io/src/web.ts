// Web Streams adapters (work in browsers, Deno, Bun and Node alike).

import { BrokenPipeError, type ByteChunk, compact, toBytes } from './bytes.ts';
import type { StreamReader, StreamWriter } from './core.ts';
import type { ByteSink } from './sink.ts';
import { fromAsyncIterable, type SourceOptions } from './pump.ts';

/**
 * A ReadableStream over a StreamReader. It pulls lazily (high-water mark 0:
 * one read from the producer per consumer read); cancelling it drops the reader.
 */
export function toReadableStream(reader: StreamReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const chunk = (await reader.read()) as Uint8Array | undefined;
          if (chunk === undefined) {
            controller.close();
            return;
          }
          if (chunk.length > 0) {
            controller.enqueue(compact(chunk));
            return;
          }
        }
      },
      cancel() {
        reader.cancel();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A StreamReader fed from a ReadableStream (pass it to a component, or read
 * it). One chunk is read ahead at most; dropping the reader cancels `rs`.
 */
export function fromReadableStream(rs: ReadableStream<ByteChunk>, options: SourceOptions = {}): StreamReader<number> {
  const r = rs.getReader();
  const it: AsyncIterable<ByteChunk> = {
    [Symbol.asyncIterator]: () => ({
      next: () => r.read() as Promise<IteratorResult<ByteChunk>>,
      return: async () => {
        await r.cancel();
        return { done: true, value: undefined };
      },
    }),
  };
  return fromAsyncIterable(it, options);
}

/**
 * A WritableStream into a StreamWriter: each write resolves when the reader
 * took the chunk (so `writer.ready` carries the reader's pace). Writes after
 * the reader dropped its end fail with an EPIPE-coded error. Closing or
 * aborting closes the StreamWriter.
 */
export function toWritableStream(writer: StreamWriter): WritableStream<ByteChunk> {
  return new WritableStream<ByteChunk>(
    {
      async write(chunk) {
        const bytes = toBytes(chunk);
        const n = await writer.write(bytes);
        if (n < bytes.length) throw new BrokenPipeError();
      },
      close() {
        return writer.close();
      },
      abort(reason) {
        writer.cancel(reason);
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * A ByteSink into a Web WritableStream. `write` waits on the writer's `ready`
 * (so the stream's queue stays bounded) and queues the chunk; `flush` waits
 * for what was queued to be written; `close` closes the stream. A write the
 * stream refuses because it was closed fails as a broken pipe.
 */
export function webSink(ws: WritableStream<Uint8Array>): ByteSink & { flush(): Promise<void>; close(): Promise<void> } {
  const w = ws.getWriter();
  let failed: unknown;
  let last: Promise<void> = Promise.resolve();
  return {
    async write(chunk) {
      if (failed !== undefined) throw failed;
      await w.ready;
      // don't await the write itself: `ready` is the backpressure signal
      last = w.write(compact(chunk)).catch((e) => {
        failed ??= brokenIfClosed(e);
      });
    },
    async flush() {
      await last;
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
