// Input sources: every stdin option becomes one shared ByteSource, so the 0.3
// read-via-stream and the 0.2 input-stream continue from the same position.

import type { ByteSource, StdinOption } from './types.ts';

const EMPTY: Iterable<Uint8Array> = [];

function toIterator(
  opt: StdinOption | undefined,
  inherit: (() => ByteSource) | undefined,
): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (opt === undefined || opt === 'inherit')
    return inherit !== undefined ? inherit()[Symbol.asyncIterator]() : EMPTY[Symbol.iterator]();
  if (opt === 'ignore') return EMPTY[Symbol.iterator]();
  if (typeof opt === 'string') return [new TextEncoder().encode(opt)][Symbol.iterator]();
  if (opt instanceof Uint8Array) return [opt][Symbol.iterator]();
  const o = opt as unknown as Record<symbol | string, unknown>;
  if (typeof o[Symbol.asyncIterator] === 'function') return (opt as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  if (typeof o.getReader === 'function') {
    const r = (opt as ReadableStream<Uint8Array>).getReader();
    return {
      next: () => r.read() as Promise<IteratorResult<Uint8Array>>,
      return: async () => {
        await r.cancel();
        return { done: true, value: undefined };
      },
    };
  }
  if (typeof o[Symbol.iterator] === 'function') return (opt as Iterable<Uint8Array>)[Symbol.iterator]();
  throw new TypeError(
    'stdin must be an AsyncIterable, Iterable, ReadableStream, Uint8Array, string, "inherit" or "ignore"',
  );
}

/**
 * One underlying iterator, opened on first read; every consumer's iterator
 * pulls from it, and a consumer stopping early does not close it (the next
 * read-via-stream continues where that one stopped).
 */
export function sharedSource(opt: StdinOption | undefined, inherit?: () => ByteSource): ByteSource {
  let it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined;
  let ended = false;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (ended) return { done: true, value: undefined };
    it ??= toIterator(opt, inherit);
    const r = await it.next();
    if (r.done) ended = true;
    return r;
  };
  return {
    [Symbol.asyncIterator]: () => ({
      next,
      return: async () => ({ done: true, value: undefined }),
    }),
  };
}
