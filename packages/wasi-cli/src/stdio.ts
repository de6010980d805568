// wasi:cli stdin / stdout / stderr @0.3.0: guest streams pumped to and from
// the resolved sources and sinks, one chunk at a time (backpressure: the
// guest's next write waits until the sink took the previous chunk).

import { ComponentError } from '@weft/core';
import { isBrokenPipe } from './sinks.ts';
import type { ByteSink, ByteSource, SyncReadable } from './types.ts';

/** The host's view of a guest stream<u8> readable end (core's StreamReader). */
export interface ByteStreamReader {
  read(max?: number): Promise<Uint8Array | unknown[] | undefined>;
  /** Reads into the caller's buffer (core's StreamReader has it); resolves with the count, undefined at the end. */
  readInto?(target: Uint8Array): Promise<number | undefined>;
  drop(): void;
}

const MIN_READ = 64 * 1024;
const MAX_READ = 4 * 1024 * 1024;

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
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }
}

/**
 * Copies a guest stream into a sink until the guest drops its end. Resolves
 * (ok) then; rejects with ComponentError('pipe') if the sink's reader went
 * away, ComponentError('io') on any other sink failure — the guest's future
 * reads that as err(error-code).
 */
export async function pumpToSink(data: ByteStreamReader, sink: ByteSink, transfers?: Transfers): Promise<void> {
  try {
    if (sink.releasesChunks === true && typeof data.readInto === 'function') await pumpReusing(data, sink, transfers);
    else await pumpFresh(data, sink, transfers);
  } catch (e) {
    data.drop();
    throw new ComponentError(isBrokenPipe(e) ? 'pipe' : 'io');
  }
  data.drop();
}

/** The sink may keep chunks: each read gets its own buffer (sized to what arrived). */
async function pumpFresh(data: ByteStreamReader, sink: ByteSink, transfers: Transfers | undefined): Promise<void> {
  // Reads grow while the guest fills them (large writers), shrink back otherwise.
  let size = MIN_READ;
  for (;;) {
    const chunk = (await data.read(size)) as Uint8Array | undefined;
    if (chunk === undefined) return;
    const n = chunk.length;
    if (n === 0) continue;
    if (n === size && size < MAX_READ) size *= 2;
    else if (n < size >>> 2 && size > MIN_READ) size >>>= 1;
    const p = sink.write(chunk);
    if (p !== undefined) await (transfers !== undefined ? transfers.track(p) : p);
  }
}

/**
 * The sink releases chunks: one buffer, refilled by each read straight from
 * the guest's memory (a single copy, no allocation per chunk), grown while
 * the guest fills it.
 */
async function pumpReusing(data: ByteStreamReader, sink: ByteSink, transfers: Transfers | undefined): Promise<void> {
  let buf = new Uint8Array(MIN_READ);
  for (;;) {
    const n = await data.readInto!(buf);
    if (n === undefined) return;
    if (n === 0) continue;
    const p = sink.write(n === buf.length ? buf : buf.subarray(0, n));
    if (p !== undefined) await (transfers !== undefined ? transfers.track(p) : p);
    if (n === buf.length && n < MAX_READ) buf = new Uint8Array(n * 2);
  }
}

/**
 * stdin's stream and the future reporting how it ended. The stream pulls from
 * the shared source only as the guest reads. A plain iterator, not an async
 * generator: `return()` on a generator that never started skips its body, so
 * a guest dropping stdin unread would leave the future pending forever.
 */
export function stdinStream(source: ByteSource): [AsyncIterable<Uint8Array>, PromiseLike<void>] {
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
