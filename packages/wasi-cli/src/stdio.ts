// wasi:cli stdin / stdout / stderr @0.3.0: guest streams pumped to and from
// the resolved sources and sinks, one chunk at a time (backpressure: the
// guest's next write waits until the sink took the previous chunk).

import { ComponentError, type StreamReader } from '@weft/core';
import { type ByteSink, type ByteSource, pipeToSink, type SyncReadable, type TransferResult } from '@weft/wasi-io';

/** A future's value: the guest sees a rejection through the future, so it is never unhandled here. */
export function asFuture<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/**
 * Tracks sink writes in flight. A runner waits for these (not for the
 * transfers themselves: a guest may return while still holding its stream
 * open) so everything the guest wrote has reached its sink before exit.
 */
export class Transfers {
  private readonly writing = new Set<Promise<void>>();
  track(p: Promise<void>): Promise<void> {
    this.writing.add(p);
    const done = () => {
      this.writing.delete(p);
    };
    p.then(done, done);
    return p;
  }
  /** `sink`, with each write's Promise tracked. */
  tracking(sink: ByteSink): ByteSink {
    return {
      releasesChunks: sink.releasesChunks,
      write: (chunk) => {
        const p = sink.write(chunk);
        return p === undefined ? p : this.track(p);
      },
    };
  }
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }
}

/**
 * write-via-stream: copies a guest stream into a sink until the guest drops
 * its end (`pipeToSink`: one reused buffer when the sink releases chunks).
 * Resolves (ok) then; rejects with ComponentError('pipe') if the sink's reader
 * went away, ComponentError('io') on any other sink failure — the guest's
 * future reads that as err(error-code). The sink is never closed: it
 * outlives the stream.
 */
export async function writeToSink(data: StreamReader, sink: ByteSink): Promise<void> {
  let result: TransferResult;
  try {
    result = await pipeToSink(data, sink, { close: false });
  } catch {
    throw new ComponentError('io');
  }
  if (result.reason === 'closed') throw new ComponentError('pipe');
}

/**
 * stdin's stream and the future reporting how it ended. The stream pulls from
 * the shared source only as the guest reads. A plain iterator, not an async
 * generator: `return()` on a generator that never started skips its body, so
 * a guest dropping stdin unread would leave the future pending forever.
 */
export function stdinStream(source: ByteSource): [ByteSource & Partial<SyncReadable>, PromiseLike<void>] {
  let settle!: (e?: unknown) => void;
  const ended = new Promise<void>((resolve, reject) => {
    settle = (e) => (e === undefined ? resolve() : reject(e));
  });
  const finish = (): IteratorResult<Uint8Array> => {
    settle();
    return { done: true, value: undefined };
  };
  const readSync = (source as Partial<SyncReadable>).readSync;
  const stream: AsyncIterable<Uint8Array> & Partial<SyncReadable> = {
    // Bytes the source has at hand: the guest's read completes at once.
    readSync:
      readSync === undefined
        ? undefined
        : (max) => {
            const got = readSync.call(source, max);
            if (got === null) settle();
            return got;
          },
    [Symbol.asyncIterator]() {
      let it: AsyncIterator<Uint8Array> | undefined;
      return {
        async next() {
          try {
            it ??= source[Symbol.asyncIterator]();
            const r = await it.next();
            return r.done ? finish() : r;
          } catch {
            settle(new ComponentError('io'));
            return { done: true, value: undefined };
          }
        },
        // The guest dropped its end: the transfer ended without error. The
        // shared source stays open for the next read-via-stream.
        async return() {
          return finish();
        },
      };
    },
  };
  return [stream, asFuture(ended)];
}
