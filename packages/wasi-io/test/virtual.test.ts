import { describe, expect, it } from 'vitest';
import {
  BrokenPipeError,
  byteStream,
  discardSink,
  fromAsyncIterable,
  fromBytes,
  fromGenerator,
  pipeToSink,
  pump,
} from '../src/index.ts';
import { readAll, text, tick } from './helpers.ts';

describe('fromAsyncIterable / fromBytes', () => {
  it('reads sync and async iterables of mixed chunk types', async () => {
    expect(text(await readAll(fromAsyncIterable(['a', new Uint8Array([98]), new Uint8Array([99]).buffer, ''])))).toBe(
      'abc',
    );
    async function* gen() {
      yield 'x';
      await tick(1);
      yield 'yz';
    }
    expect(text(await readAll(fromAsyncIterable(gen())))).toBe('xyz');
    expect(text(await readAll(fromBytes('one')))).toBe('one');
    expect((await readAll(fromAsyncIterable([]))).length).toBe(0);
  });

  it('reports a producer error through onError and ends the stream', async () => {
    let err: unknown;
    const r = fromAsyncIterable(
      (function* () {
        yield 'ok';
        throw new Error('boom');
      })(),
      { onError: (e) => (err = e) },
    );
    expect(text(await readAll(r))).toBe('ok');
    expect((err as Error).message).toBe('boom');
  });
});

describe('fromGenerator', () => {
  it('is pulled lazily: the producer stays at most one chunk ahead of a slow reader', async () => {
    let produced = 0;
    const r = fromGenerator(function* () {
      for (let i = 0; i < 50; i++) {
        produced++;
        yield new Uint8Array(100);
      }
    });
    let consumed = 0;
    let maxAhead = 0;
    for (;;) {
      const c = await r.read(100);
      if (c === undefined) break;
      consumed++;
      await tick();
      maxAhead = Math.max(maxAhead, produced - consumed);
    }
    expect(consumed).toBe(50);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('stops the producer (signal + finally) when the reader drops its end', async () => {
    let cleaned = false;
    let sawAbort = false;
    let produced = 0;
    const r = fromGenerator(async function* (signal) {
      signal.addEventListener('abort', () => (sawAbort = true));
      try {
        for (;;) {
          produced++;
          yield 'data';
          await tick();
        }
      } finally {
        cleaned = true;
      }
    });
    expect(text((await r.read())! as Uint8Array)).toBe('data');
    r.cancel();
    await tick(20);
    expect(cleaned).toBe(true);
    expect(sawAbort).toBe(true);
    const at = produced;
    await tick(20);
    expect(produced).toBe(at);
  });

  it('ends when the caller aborts, even while the producer is idle', async () => {
    const ac = new AbortController();
    const done: string[] = [];
    const r = fromGenerator(
      async function* (signal) {
        yield 'first';
        await new Promise((res) => signal.addEventListener('abort', res)); // idle until aborted
      },
      { signal: ac.signal, onDone: (res) => done.push(res.reason) },
    );
    expect(text((await r.read())! as Uint8Array)).toBe('first');
    const next = r.read();
    await tick(5);
    ac.abort();
    expect(await next).toBeUndefined();
    await tick();
    expect(done).toEqual(['aborted']);
  });
});

describe('pump / drain', () => {
  it('pump reports end, bytes and closed-by-reader', async () => {
    const { writer: w, reader: r } = byteStream();
    const p = pump(['abc', 'de'], w);
    expect(text(await readAll(r))).toBe('abcde');
    expect(await p).toEqual({ bytes: 5, reason: 'end' });

    const { writer: w2, reader: r2 } = byteStream();
    let returned = false;
    const p2 = pump(
      (function* () {
        try {
          for (;;) yield 'zz';
        } finally {
          returned = true;
        }
      })(),
      w2,
    );
    await r2.read(3);
    r2.cancel();
    const res = await p2;
    expect(res.reason).toBe('closed');
    await tick();
    expect(returned).toBe(true);
  });

  it('pump rejects with the producer error and closes the writer', async () => {
    const { writer: w, reader: r } = byteStream();
    const p = pump(
      (async function* () {
        yield 'a';
        throw new Error('bad source');
      })(),
      w,
    );
    const all = readAll(r);
    await expect(p).rejects.toThrow('bad source');
    expect(text(await all)).toBe('a');
  });

  it('pipeToSink stops at a broken pipe and drops the reader', async () => {
    const { writer: w, reader: r } = byteStream();
    const p = pump(['1', '2', '3', '4'], w);
    const seen: string[] = [];
    const res = await pipeToSink(r, {
      write(c) {
        seen.push(text(c));
        if (seen.length === 2) throw new BrokenPipeError();
      },
    });
    expect(res).toEqual({ bytes: 2, reason: 'closed' });
    expect((await p).reason).toBe('closed');
  });

  it('pipeToSink aborts a blocked read via AbortSignal', async () => {
    const { writer: w, reader: r } = byteStream();
    const ac = new AbortController();
    const p = pipeToSink(r, discardSink, { signal: ac.signal });
    await tick(5);
    ac.abort();
    expect(await p).toEqual({ bytes: 0, reason: 'aborted' });
    // the writer sees the reader gone
    expect(await w.write(new Uint8Array(1))).toBe(0);
    expect(w.readerDropped).toBe(true);
  });
});
