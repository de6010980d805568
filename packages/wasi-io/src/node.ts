// Node.js stream adapters. Streams are used duck-typed and node:stream is
// loaded only when a Node stream is built, so importing this package in a
// browser is fine.

import type { Readable, Writable } from 'node:stream';
import { BrokenPipeError, type ByteChunk, compact, isBrokenPipe, toBytes } from './bytes.ts';
import type { StreamReader, StreamWriter } from './core.ts';
import { drain, type DrainOptions, fromAsyncIterable, type SourceOptions, type TransferResult } from './pump.ts';
import type { ByteSink } from './sink.ts';

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
      reader.drop();
      cb(err);
    },
  });
}

function nodeStream(): typeof import('node:stream') {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (get === undefined) throw new Error('Node.js streams need Node.js (process.getBuiltinModule)');
  return get('node:stream') as typeof import('node:stream');
}

type NodeWritableLike = NodeJS.WritableStream & {
  destroyed?: boolean;
  writableEnded?: boolean;
  writableLength?: number;
  writableNeedDrain?: boolean;
};

export interface PipeToNodeOptions extends DrainOptions {
  /** Call `writable.end()` and wait for 'finish' at the end (default true; false for process.stdout). */
  end?: boolean;
}

/**
 * Copies a StreamReader into a Node Writable: waits for 'drain' whenever
 * `write()` returns false, so a slow consumer holds the producer back. A
 * broken pipe (EPIPE, destroyed stream) ends the transfer cleanly with reason
 * 'closed' and drops the reader, so the producer sees DROPPED. Other errors reject.
 */
export async function pipeToNodeWritable(
  reader: StreamReader | AsyncIterable<Uint8Array>,
  writable: NodeWritableLike,
  options: PipeToNodeOptions = {},
): Promise<TransferResult> {
  const sink = nodeSink(writable, { end: options.end ?? true });
  let broken = false;
  try {
    const r = await drain(
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
    if (!broken) await sink.close();
    return r;
  } finally {
    sink.release();
  }
}

export interface NodeSinkOptions {
  /** `close()` ends the writable and waits for 'finish' (default true). Otherwise it waits only for buffered data to flush. */
  end?: boolean;
}

/** A ByteSink over a Node Writable (drain-aware; EPIPE surfaces as an EPIPE-coded rejection). */
export function nodeSink(
  writable: NodeWritableLike,
  options: NodeSinkOptions = {},
): Required<ByteSink> & { release(): void } {
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
        while (error === undefined && writable.writableNeedDrain !== false && !closed()) await wait();
        if (error !== undefined) throw error;
      })();
    },
    async close() {
      if (error !== undefined) return;
      if (end) {
        if (closed()) return;
        const done = new Promise<void>((resolve) => {
          writable.once('finish', resolve);
          waiters.push(resolve);
        });
        writable.end();
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
