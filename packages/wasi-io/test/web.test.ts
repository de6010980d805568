import { describe, expect, it } from 'vitest';
import { byteStream, fromGenerator, fromReadableStream, toReadableStream, toWritableStream } from '../src/index.ts';
import { readAll, text, tick } from './helpers.ts';

describe('toReadableStream', () => {
  it('reads everything and pulls lazily', async () => {
    let produced = 0;
    const rs = toReadableStream(
      fromGenerator(function* () {
        for (let i = 0; i < 20; i++) {
          produced++;
          yield `${i},`;
        }
      }),
    );
    await tick(10);
    expect(produced).toBeLessThanOrEqual(1); // nothing read yet: at most the pump's one chunk
    const r = rs.getReader();
    const first = await r.read();
    expect(text(first.value!)).toBe('0,');
    await tick(10);
    expect(produced).toBeLessThanOrEqual(3);
    r.releaseLock();
    const rest = await readAll(rs as unknown as AsyncIterable<Uint8Array>);
    expect(text(rest)).toBe(Array.from({ length: 19 }, (_, i) => `${i + 1},`).join(''));
  });

  it('cancel() drops the reader, stopping the producer', async () => {
    let cleaned = false;
    const rs = toReadableStream(
      fromGenerator(function* () {
        try {
          for (;;) yield 'x';
        } finally {
          cleaned = true;
        }
      }),
    );
    const r = rs.getReader();
    await r.read();
    await r.cancel();
    await tick(5);
    expect(cleaned).toBe(true);
  });
});

describe('fromReadableStream', () => {
  it('feeds a StreamReader with backpressure and cancels the source when dropped', async () => {
    let pulls = 0;
    let cancelled = false;
    const rs = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          c.enqueue(new Uint8Array(1000));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const reader = fromReadableStream(rs);
    await tick(10);
    expect(pulls).toBeLessThanOrEqual(2);
    for (let i = 0; i < 5; i++) expect((await reader.read(1000))!.length).toBe(1000);
    await tick(10);
    expect(pulls).toBeLessThanOrEqual(8);
    reader.cancel();
    await tick(10);
    expect(cancelled).toBe(true);
  });

  it('ends when the ReadableStream closes', async () => {
    const rs = new ReadableStream<Uint8Array | string>({
      start(c) {
        c.enqueue('ab');
        c.enqueue(new Uint8Array([99]));
        c.close();
      },
    });
    expect(text(await readAll(fromReadableStream(rs)))).toBe('abc');
  });
});

describe('toWritableStream / toReadableStream(...).pipeTo', () => {
  it('writes resolve as the reader consumes; EPIPE once it dropped', async () => {
    const { writer: w, reader: r } = byteStream();
    const ws = toWritableStream(w);
    const writer = ws.getWriter();
    let wrote = false;
    const p = writer.write('hello').then(() => (wrote = true));
    await tick(5);
    expect(wrote).toBe(false); // nobody read yet
    expect(text((await r.read())! as Uint8Array)).toBe('hello');
    await p;
    r.cancel();
    await expect(writer.write('more')).rejects.toMatchObject({ code: 'EPIPE' });
  });

  it('close() ends the stream', async () => {
    const { writer: w, reader: r } = byteStream();
    const writer = toWritableStream(w).getWriter();
    const all = readAll(r);
    await writer.write('a');
    await writer.write(new Uint8Array([98]));
    await writer.close();
    expect(text(await all)).toBe('ab');
  });

  it('pipes a reader into a WritableStream and honours its backpressure', async () => {
    const got: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const ws = new WritableStream<Uint8Array>(
      {
        async write(chunk) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await tick(1);
          got.push(text(chunk));
          inFlight--;
        },
      },
      { highWaterMark: 1 },
    );
    let produced = 0;
    await toReadableStream(
      fromGenerator(function* () {
        for (let i = 0; i < 10; i++) {
          produced++;
          yield String(i);
        }
      }),
    ).pipeTo(ws);
    expect(got.join('')).toBe('0123456789');
    expect(produced).toBe(10);
    expect(maxInFlight).toBe(1);
  });
});
