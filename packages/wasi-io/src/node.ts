// Node.js stream adapters. Streams are used duck-typed and node:stream is
// loaded only when a Node stream is built, so importing this package in a
// browser is fine.

import type { Readable, Writable } from 'node:stream';
import { BrokenPipeError, type ByteChunk, compact, isBrokenPipe, toBytes } from './bytes.ts';
import type { StreamReader, StreamWriter } from './core.ts';
import {
  fromAsyncIterable,
  pipeToSink,
  type PipeToSinkOptions,
  type SourceOptions,
  type TransferResult,
} from './pump.ts';
import type { ByteSink, ByteSource } from './sink.ts';

export interface FromNodeReadableOptions extends SourceOptions {
  /** Destroy the Node stream when the reader is dropped or aborted (default true; pass false for process.stdin). */
  destroyOnCancel?: boolean;
}

/**
 * A StreamReader fed by a Node Readable. Reading is paused-mode, so Node
 * buffers at most its highWaterMark ahead; strings (setEncoding) become UTF-8.
 */
export function fromNodeReadable(
  readable: NodeJS.ReadableStream & { iterator?: Readable['iterator'] },
  options: FromNodeReadableOptions = {},
): StreamReader<number> {
  const destroyOnReturn = options.destroyOnCancel ?? true;
  const src: AsyncIterable<ByteChunk> =
    typeof readable.iterator === 'function'
      ? { [Symbol.asyncIterator]: () => readable.iterator!({ destroyOnReturn })[Symbol.asyncIterator]() }
      : (readable as AsyncIterable<ByteChunk>);
  return fromAsyncIterable(src, options);
}

/** A Node Readable over a StreamReader; pulls only when Node asks (`_read`), drops the reader on destroy. */
export function toNodeReadable(reader: StreamReader): Readable {
  return new (nodeStream().Readable)({
    read() {
      reader.read().then(
        (chunk) => {
          if (chunk === undefined) this.push(null);
          else this.push((chunk as Uint8Array).length > 0 ? compact(chunk as Uint8Array) : new Uint8Array(0));
        },
        (e) => this.destroy(e as Error),
      );
    },
    destroy(err, cb) {
      reader.cancel();
      cb(err);
    },
  });
}

function nodeStream(): typeof import('node:stream') {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (get === undefined) throw new Error('Node.js streams need Node.js (process.getBuiltinModule)');
  return get('node:stream') as typeof import('node:stream');
}

/** The parts of a Node `Writable` the sinks use (process.stdout, fs.WriteStream, sockets). */
export interface NodeWritableLike {
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  end?(): unknown;
  once(event: string, fn: (...a: unknown[]) => void): unknown;
  on(event: string, fn: (...a: unknown[]) => void): unknown;
  off?(event: string, fn: (...a: unknown[]) => void): unknown;
  readonly destroyed?: boolean;
  readonly writableEnded?: boolean;
  readonly writableLength?: number;
  readonly writableNeedDrain?: boolean;
  readonly isTTY?: boolean;
}

export interface PipeToNodeOptions extends Omit<PipeToSinkOptions, 'close'> {
  /** Call `writable.end()` and wait for 'finish' at the end (default true; false for process.stdout). */
  end?: boolean;
}

/**
 * Copies a StreamReader into a Node Writable (`pipeToSink` into a `nodeSink`):
 * waits for 'drain' whenever `write()` returns false, so a slow consumer holds
 * the producer back. A broken pipe (EPIPE, destroyed stream) ends the transfer
 * cleanly with reason 'closed' and drops the reader, so the producer sees
 * DROPPED. Other errors reject.
 */
export async function pipeToNodeWritable(
  reader: StreamReader | ByteSource,
  writable: NodeWritableLike,
  options: PipeToNodeOptions = {},
): Promise<TransferResult> {
  const sink = nodeSink(writable, { end: options.end ?? true });
  try {
    const r = await pipeToSink(reader, sink, { signal: options.signal, close: false });
    if (r.reason !== 'closed') await sink.close();
    return r;
  } finally {
    sink.release();
  }
}

export interface NodeSinkOptions {
  /** `close()` ends the writable and waits for 'finish' (default true). Otherwise it waits only for buffered data to flush. */
  end?: boolean;
}

/** A Node-Writable ByteSink: `flush` and `close` always there, and `release` to stop listening. */
export interface NodeSink extends ByteSink {
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Removes the sink's listeners from the writable (a broken pipe's stays, so a late EPIPE cannot crash). */
  release(): void;
}

/**
 * A ByteSink over a Node Writable: `write` returns a Promise only when Node
 * wants a pause ('drain'); an EPIPE (or a destroyed stream) fails the write as
 * a broken pipe instead of crashing the process.
 */
export function nodeSink(writable: NodeWritableLike, options: NodeSinkOptions = {}): NodeSink {
  const end = options.end ?? true;
  let error: unknown;
  let errored = false;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const onError = (e: unknown) => {
    errored = true;
    error ??= e;
    wake();
  };
  const onClose = () => {
    error ??= new BrokenPipeError('the writable stream was closed');
    wake();
  };
  // Listening for 'error' also keeps an EPIPE on a closed stdout from crashing the process.
  writable.on('error', onError);
  writable.on('close', onClose);
  writable.on('drain', wake);
  const wait = () => new Promise<void>((r) => waiters.push(r));
  const closed = () => writable.destroyed === true || writable.writableEnded === true;

  return {
    write(chunk) {
      if (error !== undefined) return Promise.reject(error);
      if (closed()) return Promise.reject(new BrokenPipeError('the writable stream was closed'));
      if (writable.write(compact(chunk))) return;
      return (async () => {
        do await wait();
        while (error === undefined && writable.writableNeedDrain === true && !closed());
        if (error !== undefined) throw error;
      })();
    },
    flush() {
      if (error !== undefined || closed()) return Promise.resolve();
      // An empty write's callback runs once everything before it was handed to the OS.
      return new Promise<void>((resolve) => {
        writable.write(new Uint8Array(0), () => resolve());
      });
    },
    async close() {
      if (error !== undefined) return;
      if (end) {
        if (closed()) return;
        const done = new Promise<void>((resolve) => {
          writable.once('finish', () => resolve());
          waiters.push(resolve);
        });
        writable.end?.();
        await done;
      } else {
        // wait for buffered bytes to reach the OS, so late errors (EPIPE) are seen here
        while (error === undefined && (writable.writableLength ?? 0) > 0 && !closed()) await wait();
      }
      if (error !== undefined && !isBrokenPipe(error)) throw error;
    },
    release() {
      writable.off?.('drain', wake);
      writable.off?.('close', onClose);
      // Keep swallowing a broken pipe that already happened (a late 'error' re-emit must not crash the process).
      if (!errored || !isBrokenPipe(error)) writable.off?.('error', onError);
    },
  };
}

/** The part of node:fs an fd sink uses. */
export interface FdWriter {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
}

/**
 * A file descriptor as a sink (the process's stdout/stderr): `fs.writeSync`
 * straight from the chunk, no stream machinery and no copy. On a blocking fd
 * (a shell pipe, a file, most terminals) the kernel applies backpressure.
 * On a non-blocking one (EAGAIN: Node made it so once `process.stdout` was
 * created, or the parent did), the rest of the chunk goes through `stream()`,
 * a Node Writable on the same fd created only then: libuv waits for the fd to
 * become writable (epoll) and the returned Promise settles once the kernel
 * took every byte, so the next write waits, nothing spins and bytes stay in
 * order. EPIPE (the reader went away) becomes a BrokenPipeError.
 *
 * `releasesChunks`: the sink is done with a chunk once `write` returns or its
 * Promise settles, so a caller may reuse its buffer (see pipeToSink).
 * `fdSink(process.stdout.fd, fs, () => process.stdout)` is the process's stdout.
 */
export function fdSink(
  fd: number,
  fs: FdWriter,
  stream?: () => NodeWritableLike,
): ByteSink & { readonly releasesChunks: true; flush(): Promise<void> } {
  let pending: Promise<void> | undefined;
  let out: NodeWritableLike | undefined;
  let streamError: Error | undefined;
  const failure = (e: unknown): Error =>
    isBrokenPipe(e) ? new BrokenPipeError('the output was closed by its reader') : (e as Error);
  const viaStream = (rest: Uint8Array): Promise<void> => {
    if (out === undefined) {
      out = stream!();
      // Without a listener an async EPIPE would be an uncaught exception.
      out.on('error', (e) => {
        streamError ??= e as Error;
      });
    }
    const w = out;
    return new Promise<void>((resolve, reject) => {
      w.write(rest, (err) => {
        const e = err ?? streamError;
        if (e) reject(failure(e));
        else resolve();
      });
    });
  };
  const track = (p: Promise<void>): Promise<void> => {
    pending = p;
    const clear = () => {
      if (pending === p) pending = undefined;
    };
    p.then(clear, clear);
    return p;
  };
  const writeNow = (chunk: Uint8Array): void | Promise<void> => {
    if (streamError !== undefined) throw failure(streamError);
    const len = chunk.length;
    let off = 0;
    try {
      while (off < len) off += fs.writeSync(fd, chunk, off, len - off);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'EAGAIN' || stream === undefined) throw failure(e);
      return viaStream(off === 0 ? chunk : chunk.subarray(off));
    }
  };
  const write = (chunk: Uint8Array): void | Promise<void> => {
    if (pending === undefined) {
      const r = writeNow(chunk);
      return r === undefined ? r : track(r);
    }
    // Only a caller that does not wait (the 0.2 output-stream) gets here: queue in order.
    return track(pending.then(() => writeNow(chunk)));
  };
  return {
    releasesChunks: true,
    write,
    flush: () =>
      (pending ?? Promise.resolve()).then(
        () => {},
        () => {},
      ),
  };
}

/**
 * A Node Writable into a StreamWriter: each write's callback fires when the
 * reader took the chunk, so Node's own buffering (highWaterMark) bounds what
 * is queued. Writes after the reader dropped its end fail with EPIPE.
 */
export function toNodeWritable(writer: StreamWriter, options: { highWaterMark?: number } = {}): Writable {
  return new (nodeStream().Writable)({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: ByteChunk, _enc, cb) {
      const bytes = toBytes(chunk);
      writer.write(bytes).then(
        (n) => cb(n < bytes.length ? new BrokenPipeError() : null),
        (e) => cb(e as Error),
      );
    },
    final(cb) {
      writer.close();
      cb();
    },
    destroy(err, cb) {
      writer.close();
      cb(err);
    },
  });
}
