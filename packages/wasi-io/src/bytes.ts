// Normalising what producers hand us into Uint8Array chunks.

/** Anything a byte producer may yield. */
export type ByteChunk = Uint8Array | ArrayBufferView | ArrayBuffer | string;

let encoder: TextEncoder | undefined;

/** A Uint8Array view of `chunk` (strings are UTF-8 encoded); no copy for binary input. */
export function toBytes(chunk: ByteChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return (encoder ??= new TextEncoder()).encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`expected bytes (Uint8Array, ArrayBuffer, a typed array or a string), got ${typeof chunk}`);
}

/**
 * A chunk fit to keep: a read returns a view into a freshly allocated buffer
 * sized for the largest read, so a small chunk held for long would pin it.
 */
export function compact(chunk: Uint8Array): Uint8Array {
  return chunk.byteLength * 2 < chunk.buffer.byteLength ? chunk.slice() : chunk;
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** The error a write into a stream whose consumer went away fails with (like a closed pipe). */
export class BrokenPipeError extends Error {
  readonly code = 'EPIPE';
  constructor(message = 'the reading end of the stream was closed') {
    super(message);
    this.name = 'BrokenPipeError';
  }
}

/** True for errors meaning "the consumer went away" rather than a failure. */
export function isBrokenPipe(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    code === 'EPIPE' ||
    code === 'ERR_STREAM_DESTROYED' ||
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_WRITE_AFTER_END'
  );
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Races `p` against `signal`; `undefined` marks the abort. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export const ABORTED: unique symbol = Symbol('aborted');
