// Input sources: every stdin option becomes one shared ByteSource, so the 0.3
// read-via-stream and the 0.2 input-stream continue from the same position.

import type { ByteSource, SyncReadable } from '@weft/wasi-io';
import type { StdinOption } from './types.ts';

const EMPTY: Iterable<Uint8Array> = [];

type Opened = { sync: true; it: Iterator<Uint8Array> } | { sync: false; it: AsyncIterator<Uint8Array> };

function toIterator(opt: StdinOption | undefined, inherit: (() => ByteSource) | undefined): Opened {
  const sync = (it: Iterator<Uint8Array>): Opened => ({ sync: true, it });
  if (opt === undefined || opt === 'inherit')
    return inherit !== undefined
      ? { sync: false, it: inherit()[Symbol.asyncIterator]() }
      : sync(EMPTY[Symbol.iterator]());
  if (opt === 'ignore') return sync(EMPTY[Symbol.iterator]());
  if (typeof opt === 'string') return sync([new TextEncoder().encode(opt)][Symbol.iterator]());
  if (opt instanceof Uint8Array) return sync([opt][Symbol.iterator]());
  const o = opt as unknown as Record<symbol | string, unknown>;
  if (typeof o[Symbol.asyncIterator] === 'function')
    return { sync: false, it: (opt as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]() };
  if (typeof o.getReader === 'function') {
    const r = (opt as ReadableStream<Uint8Array>).getReader();
    const it: AsyncIterator<Uint8Array> = {
      next: () => r.read() as Promise<IteratorResult<Uint8Array>>,
      return: async () => {
        await r.cancel();
        return { done: true, value: undefined };
      },
    };
    return { sync: false, it };
  }
  if (typeof o[Symbol.iterator] === 'function') return sync((opt as Iterable<Uint8Array>)[Symbol.iterator]());
  throw new TypeError(
    'stdin must be an AsyncIterable, Iterable, ReadableStream, Uint8Array, string, "inherit" or "ignore"',
  );
}

/**
 * One underlying iterator, opened on first read; every consumer's iterator
 * pulls from it, and a consumer stopping early does not close it (the next
 * read-via-stream continues where that one stopped). Its `readSync` answers
 * from a synchronous source (a string, bytes, an Iterable) without waiting.
 */
export function sharedSource(opt: StdinOption | undefined, inherit?: () => ByteSource): ByteSource & SyncReadable {
  let src: Opened | undefined;
  let ended = false;
  // What a readSync(max) smaller than a chunk left over.
  let rest: Uint8Array | undefined;
  const open = (): Opened => (src ??= toIterator(opt, inherit));
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (rest !== undefined) {
      const value = rest;
      rest = undefined;
      return { done: false, value };
    }
    if (ended) return { done: true, value: undefined };
    const r = await open().it.next();
    if (r.done) ended = true;
    return r;
  };
  const readSync = (max: number): Uint8Array | null => {
    let chunk = rest;
    rest = undefined;
    if (chunk === undefined) {
      if (ended) return null;
      const o = open();
      if (!o.sync) return EMPTY_BYTES;
      const r = o.it.next();
      if (r.done) {
        ended = true;
        return null;
      }
      chunk = r.value;
    }
    if (chunk.length <= max) return chunk;
    rest = chunk.subarray(max);
    return chunk.subarray(0, max);
  };
  return {
    readSync,
    [Symbol.asyncIterator]: () => ({
      next,
      return: async () => ({ done: true, value: undefined }),
    }),
  };
}

const EMPTY_BYTES = new Uint8Array(0);
