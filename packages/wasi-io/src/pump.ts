// Moving bytes between host producers/consumers and stream ends, one chunk at
// a time so backpressure carries through: the producer is pulled only after
// the previous chunk was taken by the reader.

import type { ValType } from '@weft/core';
import { ABORTED, type ByteChunk, isBrokenPipe, raceAbort, toBytes } from './bytes.ts';
import { holdHost, type StreamPair, type StreamReader, type StreamWriter, stream } from './core.ts';
import type { ByteSink, ByteSource } from './sink.ts';

/** How a transfer ended. */
export type EndReason =
  /** the producer finished */
  | 'end'
  /** the consumer went away (dropped its end, broken pipe) */
  | 'closed'
  /** the AbortSignal fired */
  | 'aborted';

export interface TransferResult {
  /** Bytes the consumer took. */
  bytes: number;
  reason: EndReason;
}

export interface PumpOptions {
  /** Stops the transfer: the producer is told to finish (`return()`), the writer closed. */
  signal?: AbortSignal;
  /** Close the writer when done (default true); the reader then sees the end of the stream. */
  close?: boolean;
}

/** What a byte producer may be. */
export type ByteProducer = AsyncIterable<ByteChunk> | Iterable<ByteChunk>;

function iteratorOf(src: ByteProducer): AsyncIterator<ByteChunk> | Iterator<ByteChunk> {
  const a = (src as AsyncIterable<ByteChunk>)[Symbol.asyncIterator];
  if (typeof a === 'function') return a.call(src);
  const s = (src as Iterable<ByteChunk>)[Symbol.iterator];
  if (typeof s === 'function' && typeof src !== 'string' && !(src instanceof Uint8Array)) return s.call(src);
  throw new TypeError('expected an AsyncIterable or Iterable of byte chunks');
}

/**
 * Writes everything `src` yields into `writer`, waiting for the reader to take
 * each chunk before pulling the next (at most one chunk is held). Resolves
 * with how it ended; rejects with the producer's error (after closing the writer).
 */
export async function pump(
  src: ByteProducer,
  writer: StreamWriter,
  options: PumpOptions = {},
): Promise<TransferResult> {
  const { signal, close = true } = options;
  const it = iteratorOf(src);
  let bytes = 0;
  let reason: EndReason = 'end';
  // An abort while a write is blocked cancels it (the write returns what it copied).
  const onAbort = () => writer.cancelWrite();
  signal?.addEventListener('abort', onAbort, { once: true });
  // While we wait on the producer, a guest reading this stream is not deadlocked
  // (only that guest's store is held).
  const release = holdHost(writer);
  try {
    for (;;) {
      if (signal?.aborted) {
        reason = 'aborted';
        break;
      }
      const r = await raceAbort(Promise.resolve(it.next()), signal);
      if (r === ABORTED) {
        reason = 'aborted';
        break;
      }
      if (r.done) break;
      const chunk = toBytes(r.value);
      if (chunk.length === 0) continue;
      const n = await writer.write(chunk);
      bytes += n;
      if (n < chunk.length) {
        reason = writer.readerDropped ? 'closed' : 'aborted';
        break;
      }
    }
  } catch (e) {
    if (close) writer.close();
    throw e;
  } finally {
    release();
    signal?.removeEventListener('abort', onAbort);
  }
  if (reason !== 'end') {
    // Let the producer clean up (a generator's finally, a Node stream's destroy); don't wait on it.
    try {
      void Promise.resolve(it.return?.()).catch(() => {});
    } catch {
      // its cleanup failing is not the consumer's concern
    }
  }
  if (close) writer.close();
  return { bytes, reason };
}

export interface SourceOptions {
  /** Ends the stream early (the reader sees the end; the producer is stopped). */
  signal?: AbortSignal;
  /** Told about a producer error (the stream then just ends). */
  onError?: (error: unknown) => void;
  /** Told how the transfer ended. */
  onDone?: (result: TransferResult) => void;
}

const U8: ValType = { kind: 'u8' };

/** A fresh host stream<u8>: the writer end and the reader end. */
export function byteStream(): StreamPair<number> {
  return stream<number>(U8);
}

/**
 * A StreamReader fed by `src` — pass it to a component as a `stream<u8>` or
 * read it on the host. The producer runs at most one chunk ahead of the reader.
 */
export function fromAsyncIterable(src: ByteProducer, options: SourceOptions = {}): StreamReader<number> {
  const { writer, reader } = byteStream();
  pump(src, writer, { signal: options.signal }).then(
    (r) => options.onDone?.(r),
    (e) => options.onError?.(e),
  );
  return reader;
}

export interface PipeToSinkOptions {
  /** Stops reading: the reader is dropped, so the producer's next write sees DROPPED. */
  signal?: AbortSignal;
  /** Close the sink at the end, or when the transfer fails (default true). */
  close?: boolean;
}

const MIN_READ = 64 * 1024;
const MAX_READ = 4 * 1024 * 1024;

/**
 * Copies `reader` (a guest's or host's stream<u8>, or any ByteSource) into
 * `sink` one chunk at a time: the next read starts only once the sink took
 * the previous chunk, so a slow sink holds the producer back. A StreamReader
 * is read into one reused buffer when the sink `releasesChunks` (one copy, no
 * allocation per chunk), else in fresh chunks; reads grow from 64 KiB up to
 * 4 MiB while the producer fills them. A broken pipe ends the transfer
 * cleanly (reason 'closed', the sink is not closed). The reader is dropped
 * when this returns, so its producer sees DROPPED; another sink failure
 * rejects (after closing the sink, unless `close: false`).
 */
export async function pipeToSink(
  reader: StreamReader | ByteSource,
  sink: ByteSink,
  options: PipeToSinkOptions = {},
): Promise<TransferResult> {
  const { signal } = options;
  const close = options.close !== false;
  let bytes = 0;
  let reason: EndReason = 'end';
  const sr = isStreamReader(reader) ? reader : undefined;
  const it = sr === undefined ? (reader as ByteSource)[Symbol.asyncIterator]() : undefined;
  const onAbort = () => sr?.cancelRead();
  signal?.addEventListener('abort', onAbort, { once: true });
  let buf =
    sr !== undefined && sink.releasesChunks === true && typeof sr.readInto === 'function'
      ? new Uint8Array(MIN_READ)
      : undefined;
  let size = MIN_READ;
  try {
    for (;;) {
      if (signal?.aborted) {
        reason = 'aborted';
        break;
      }
      let chunk: Uint8Array | undefined;
      if (buf !== undefined) {
        const n = await sr!.readInto(buf);
        if (n !== undefined) chunk = n === buf.length ? buf : buf.subarray(0, n);
      } else if (sr !== undefined) {
        chunk = (await sr.read(size)) as Uint8Array | undefined;
        const n = chunk?.length ?? 0;
        // Reads grow while the producer fills them (large writers), shrink back otherwise.
        if (n === size && size < MAX_READ) size *= 2;
        else if (n < size >>> 2 && size > MIN_READ) size >>>= 1;
      } else {
        const r = await raceAbort(it!.next(), signal);
        if (r === ABORTED) {
          reason = 'aborted';
          break;
        }
        if (!r.done) chunk = toBytes(r.value);
      }
      if (chunk === undefined) {
        if (signal?.aborted) reason = 'aborted';
        break;
      }
      const n = chunk.length;
      if (n === 0) continue;
      bytes += n;
      try {
        const p = sink.write(chunk);
        if (p !== undefined) await p;
      } catch (e) {
        if (!isBrokenPipe(e)) throw e;
        reason = 'closed';
        break;
      }
      if (buf !== undefined && n === buf.length && n < MAX_READ) buf = new Uint8Array(n * 2);
    }
  } catch (e) {
    if (close) await closeQuietly(sink);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (sr !== undefined) sr.cancel();
    else if (reason !== 'end') void Promise.resolve(it!.return?.()).catch(() => {});
  }
  if (close && reason !== 'closed') await sink.close?.();
  return { bytes, reason };
}

async function closeQuietly(sink: ByteSink): Promise<void> {
  try {
    await sink.close?.();
  } catch {
    // already failing
  }
}

export function isStreamReader(v: unknown): v is StreamReader {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as StreamReader).read === 'function' &&
    typeof (v as StreamReader).cancelRead === 'function'
  );
}
