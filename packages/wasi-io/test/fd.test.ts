// The fd sink (process stdout/stderr) and pipeToSink's buffer-reusing pump, with fakes.
// (Real pipes to a child process: @weft/wasi-cli's stdout.test.ts.)

import { EventEmitter } from 'node:events';
import type { StreamReader } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { BrokenPipeError, fdSink, pipeToSink } from '../src/index.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const errno = (code: string) => Object.assign(new Error(code), { code });

/** A fake fd: takes at most `room` bytes per writeSync, then EAGAIN until `room` is refilled. */
function fakeFd() {
  const written: string[] = [];
  const state = { room: Infinity, fail: undefined as string | undefined };
  const fs = {
    writeSync(_fd: number, b: Uint8Array, off: number, len: number): number {
      if (state.fail !== undefined) throw errno(state.fail);
      if (state.room === 0) throw errno('EAGAIN');
      const n = Math.min(len, state.room, 3); // partial writes, as on a pipe
      state.room -= n;
      written.push(text(b.subarray(off, off + n)));
      return n;
    },
  };
  return { fs, written, state };
}

/** A fake Node Writable whose write callbacks the test releases. */
class FakeStream extends EventEmitter {
  writes: string[] = [];
  callbacks: ((err?: Error | null) => void)[] = [];
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    this.writes.push(text(chunk));
    this.callbacks.push(cb ?? (() => {}));
    return false;
  }
}

describe('fdSink', () => {
  it('loops over partial writes and reports it releases chunks', () => {
    const { fs, written } = fakeFd();
    const sink = fdSink(1, fs);
    expect(sink.releasesChunks).toBe(true);
    expect(sink.write(bytes('hello world'))).toBeUndefined();
    expect(written.join('')).toBe('hello world');
  });

  it('on EAGAIN hands the rest to the stream and waits for it, keeping order', async () => {
    const { fs, written, state } = fakeFd();
    const stream = new FakeStream();
    let created = 0;
    const sink = fdSink(1, fs, () => {
      created++;
      return stream;
    });
    state.room = 4;
    const p = sink.write(bytes('abcdefgh'));
    expect(p).toBeInstanceOf(Promise);
    expect(created).toBe(1);
    expect(written.join('')).toBe('abcd');
    expect(stream.writes).toEqual(['efgh']);
    // a caller that does not wait (0.2) queues behind the pending write
    state.room = Infinity;
    const q = sink.write(bytes('ij'));
    let settled = false;
    void p!.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(written.join('')).toBe('abcd');
    stream.callbacks[0]!();
    await p;
    await q;
    expect(written.join('')).toBe('abcdij');
    // back on the fast path
    expect(sink.write(bytes('k'))).toBeUndefined();
    expect(written.join('')).toBe('abcdijk');
    expect(created).toBe(1);
    await sink.flush!();
  });

  it('turns EPIPE into BrokenPipeError, from writeSync and from the stream', async () => {
    const { fs, state } = fakeFd();
    state.fail = 'EPIPE';
    expect(() => fdSink(1, fs).write(bytes('x'))).toThrow(BrokenPipeError);

    const b = fakeFd();
    const stream = new FakeStream();
    const sink = fdSink(1, b.fs, () => stream);
    b.state.room = 0;
    const p = sink.write(bytes('xyz'));
    stream.callbacks[0]!(errno('EPIPE'));
    await expect(p).rejects.toBeInstanceOf(BrokenPipeError);
    b.state.room = Infinity;
    stream.emit('error', errno('EPIPE'));
    expect(() => sink.write(bytes('more'))).toThrow(BrokenPipeError);
  });
});

describe('pipeToSink from a StreamReader', () => {
  /** A reader whose guest writes the given chunks, one per read. */
  function reader(chunks: string[]): StreamReader<number> & { dropped: boolean } {
    let i = 0;
    const r = {
      dropped: false,
      read: async () => (i < chunks.length ? bytes(chunks[i++]!) : undefined),
      readInto: async (t: Uint8Array) => {
        if (i >= chunks.length) return undefined;
        const c = bytes(chunks[i++]!);
        t.set(c);
        return c.length;
      },
      cancelRead() {},
      cancel() {
        r.dropped = true;
      },
    };
    return r as unknown as StreamReader<number> & { dropped: boolean };
  }

  it('refills one buffer when the sink releases chunks', async () => {
    const seen: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const sink = {
      releasesChunks: true,
      write: (c: Uint8Array) => {
        seen.push(text(c));
        buffers.add(c.buffer);
      },
    };
    const r = reader(['one', 'two', 'three']);
    await pipeToSink(r, sink);
    expect(seen).toEqual(['one', 'two', 'three']);
    expect(buffers.size).toBe(1);
    expect(r.dropped).toBe(true);
  });

  it('gives a sink that may keep chunks a fresh one each time', async () => {
    const kept: Uint8Array[] = [];
    await pipeToSink(reader(['a', 'b']), { write: (c) => void kept.push(c) });
    expect(kept.map(text)).toEqual(['a', 'b']);
    expect(kept[0]!.buffer).not.toBe(kept[1]!.buffer);
  });
});
