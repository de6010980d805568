import { describe, expect, it } from 'vitest';
import { pipe } from '../src/index.ts';
import { pattern, readAll, text, tick } from './helpers.ts';

describe('pipe()', () => {
  it('carries bytes in order and ends on close()', async () => {
    const { reader, writer } = pipe();
    const all = readAll(reader);
    await writer.write('hello, ');
    await writer.write(new TextEncoder().encode('world'));
    await writer.write(new Uint16Array([0x2121])); // any ArrayBufferView
    writer.close();
    expect(text(await all)).toBe('hello, world!!');
    await writer.finished;
  });

  it('copies on write, so the producer may reuse its buffer', async () => {
    const { reader, writer } = pipe();
    const buf = new Uint8Array([1, 2, 3]);
    await writer.write(buf);
    buf.fill(9);
    writer.close();
    expect(Array.from(await readAll(reader))).toEqual([1, 2, 3]);
  });

  it('keeps the buffer bounded: a fast producer waits for a slow consumer', async () => {
    const hwm = 4096;
    const { reader, writer } = pipe({ highWaterMark: hwm });
    const chunk = 1000;
    const total = 100;
    let maxBuffered = 0;
    let written = 0;
    const producer = (async () => {
      for (let i = 0; i < total; i++) {
        await writer.write(pattern(chunk, i));
        written++;
        maxBuffered = Math.max(maxBuffered, writer.buffered);
      }
      writer.close();
    })();
    let read = 0;
    let maxAhead = 0;
    for (;;) {
      const c = await reader.read(500);
      if (c === undefined) break;
      read += c.length;
      maxAhead = Math.max(maxAhead, written * chunk - read);
      await tick(); // slow consumer
    }
    await producer;
    expect(read).toBe(total * chunk);
    expect(maxBuffered).toBeLessThanOrEqual(hwm + chunk);
    // the producer never got more than the buffer (+ one chunk in flight) ahead
    expect(maxAhead).toBeLessThanOrEqual(hwm + 2 * chunk);
  });

  it('write() waits while full and ready()/desiredSize report room', async () => {
    const { reader, writer } = pipe({ highWaterMark: 10 });
    await writer.write(new Uint8Array(10));
    expect(writer.desiredSize).toBe(0);
    let wrote = false;
    const w = writer.write(new Uint8Array(1)).then(() => (wrote = true));
    let ready = false;
    void writer.ready().then(() => (ready = true));
    await tick(5);
    expect(wrote).toBe(false);
    expect(ready).toBe(false);
    expect((await reader.read(100))!.length).toBe(10);
    await w;
    expect(ready).toBe(true);
  });

  it('fails writes with EPIPE once the reader dropped its end', async () => {
    const { reader, writer } = pipe({ highWaterMark: 4 });
    expect((await Promise.all([reader.read(2), writer.write('ab')]))[0]!.length).toBe(2);
    reader.cancel();
    // the drop is noticed when the pipe next hands bytes over
    await writer.write('cd').catch(() => {});
    await writer.finished;
    expect(writer.readerClosed).toBe(true);
    await expect(writer.write('x')).rejects.toMatchObject({ code: 'EPIPE' });
  });

  it('wakes a writer blocked on a full pipe when the reader drops', async () => {
    const { reader, writer } = pipe({ highWaterMark: 4 });
    await writer.write('abcd');
    const blocked = writer.write('efgh');
    await tick();
    reader.cancel();
    await expect(blocked).rejects.toMatchObject({ code: 'EPIPE' });
  });

  it('cancel() discards buffered bytes and ends the stream', async () => {
    const { reader, writer } = pipe();
    await writer.write('lost');
    writer.cancel();
    expect(await reader.read()).toBeUndefined();
    await expect(writer.write('x')).rejects.toThrow();
  });
});
