// The descriptor-to-stream half of wasi:filesystem@0.3.0: read-via-stream, write-via-stream,
// append-via-stream and read-directory, each a stream plus the future of how it ended.

import type { StreamReader } from '@weft/core';
import { FsError } from '../backend.ts';
import { errorP3, typeP3 } from './convert.ts';
import type { OpenFile } from '../open-file.ts';

/** A future's value: the guest reads a rejection through the future, so it is never unhandled here. */
function settled(): { promise: Promise<void>; settle(e?: unknown): void } {
  let settle!: (e?: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (e) => (e === undefined ? resolve() : reject(errorP3(e)));
  });
  promise.catch(() => {});
  return { promise, settle };
}

const EMPTY = new Uint8Array(0);
/** Most a fallback read (a host reader, not guest memory) allocates at once. */
const MAX_CHUNK = 1 << 20;
const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

/** What read-via-stream hands the guest: a byte source read only as the guest reads. */
export interface FileSource extends AsyncIterable<Uint8Array> {
  readSync(max: number): Uint8Array | null;
  readSyncInto(target: Uint8Array): number | null;
}

/**
 * read-via-stream: each guest read is one backend read at the running offset, straight into
 * the guest's buffer (`readSyncInto`). The end of the file completes the future; an error ends
 * the stream and fails the future with its code; the guest dropping the stream early completes
 * it too. The file stays open for the stream even if the guest drops its descriptor.
 */
export function readViaStream(file: OpenFile, offset: bigint): [FileSource, Promise<void>] {
  const { promise, settle } = settled();
  let pos = offset;
  let open = true;
  const end = (e?: unknown): null => {
    if (open) {
      open = false;
      file.release();
      settle(e);
    }
    return null;
  };
  // Fail at once, not at the first read, if the descriptor cannot be read (a directory, not
  // opened for reading): a guest that only awaits the future still learns why.
  try {
    file.backend.readInto(file.handle, pos, EMPTY);
  } catch (e) {
    end(e);
  }
  const readSyncInto = (target: Uint8Array): number | null => {
    if (!open) return null;
    let n: number;
    try {
      n = file.backend.readInto(file.handle, pos, target);
    } catch (e) {
      return end(e);
    }
    if (n === 0 && target.length > 0) return end();
    pos += BigInt(n);
    return n;
  };
  const readSync = (max: number): Uint8Array | null => {
    const buf = new Uint8Array(Math.min(max, MAX_CHUNK));
    const n = readSyncInto(buf);
    return n === null ? null : buf.subarray(0, n);
  };
  const source: FileSource = {
    readSync,
    readSyncInto,
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const chunk = readSync(64 * 1024);
        return chunk === null ? DONE : { done: false, value: chunk };
      },
      return: async () => {
        end();
        return DONE;
      },
    }),
  };
  return [source, promise];
}

/** Host buffer one write transfer reuses: each guest write lands here, then goes to the backend. */
const WRITE_CHUNK = 256 * 1024;
/** Longest a write transfer keeps the event loop from a macrotask turn (ms). */
const TURN_MS = 4;

/**
 * write-via-stream / append-via-stream: reads the guest's stream into one reused buffer and
 * writes each chunk to the backend before reading the next, so a slow backend makes the guest's
 * write wait (backpressure). The future completes when the guest drops its end; a failed write
 * drops the stream (the guest's next write sees it dropped) and fails the future with its code.
 */
export function writeViaStream(file: OpenFile, data: StreamReader<number>, offset: bigint | 'append'): Promise<void> {
  const { promise, settle } = settled();
  const write = (bytes: Uint8Array): void => {
    if (offset === 'append') file.backend.append(file.handle, bytes);
    else {
      file.backend.write(file.handle, offset, bytes);
      offset += BigInt(bytes.length);
    }
  };
  const run = async () => {
    write(EMPTY); // the descriptor's checks (a directory, not opened for writing), before any data
    const buf = new Uint8Array(WRITE_CHUNK);
    let turn = performance.now();
    for (;;) {
      const n = await data.readInto(buf);
      if (n === undefined) return;
      if (n > 0) write(buf.subarray(0, n));
      // Synchronous writes chained by promises never reach the event loop: give timers and
      // I/O a turn every few milliseconds of a long transfer.
      if (performance.now() - turn > TURN_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        turn = performance.now();
      }
    }
  };
  run().then(
    () => {
      file.release();
      settle();
    },
    (e: unknown) => {
      data.cancel();
      file.release();
      // A trap of the writing instance is not a filesystem error: report it as io.
      settle(e instanceof FsError ? e : new FsError('io'));
    },
  );
  return promise;
}

/** read-directory: the entries (a snapshot taken now), and the future of how listing went. */
export function readDirectory(file: OpenFile): [Iterable<{ type: unknown; name: string }>, Promise<void>] {
  const { promise, settle } = settled();
  try {
    const entries = file.backend.readDirectory(file.handle).map((e) => ({ type: typeP3(e.type), name: e.name }));
    settle();
    return [entries, promise];
  } catch (e) {
    settle(e);
    return [[], promise];
  }
}
