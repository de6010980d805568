// Virtual sources: feed a stream<u8> from user-space code, no file descriptor.

import type { ByteChunk } from './bytes.ts';
import type { StreamReader } from './core.ts';
import { fromAsyncIterable, type SourceOptions } from './pump.ts';

/**
 * A StreamReader fed by a generator function. The generator receives an
 * AbortSignal that fires when the stream is abandoned (the reader dropped its
 * end, or `options.signal` fired); the generator is also `return()`ed then, so
 * its `finally` blocks run. It is pulled lazily: it runs one chunk ahead of the
 * reader at most.
 *
 * ```ts
 * const reader = fromGenerator(async function* (signal) {
 *   for (let i = 0; i < 3 && !signal.aborted; i++) yield `line ${i}\n`;
 * });
 * ```
 */
export function fromGenerator(
  fn: (signal: AbortSignal) => AsyncIterable<ByteChunk> | Iterable<ByteChunk>,
  options: SourceOptions = {},
): StreamReader<number> {
  const ac = new AbortController();
  const outer = options.signal;
  if (outer !== undefined) {
    if (outer.aborted) ac.abort(outer.reason);
    else outer.addEventListener('abort', () => ac.abort(outer.reason), { once: true });
  }
  return fromAsyncIterable(fn(ac.signal), {
    signal: ac.signal,
    onError: options.onError,
    onDone: (r) => {
      if (r.reason !== 'end' && !ac.signal.aborted) ac.abort();
      options.onDone?.(r);
    },
  });
}

/** A StreamReader over one buffer or string. */
export function fromBytes(data: ByteChunk): StreamReader<number> {
  return fromAsyncIterable([data]);
}
