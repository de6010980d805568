// The host's stream and future ends follow web conventions: `{ reader, writer }`
// pairs, `close()` finishes a writer, `cancel(reason)` abandons either end,
// `Symbol.dispose` / `Symbol.asyncDispose`.

import { describe, expect, it } from 'vitest';
import { future, stream } from '../src/index.ts';

const U8 = { kind: 'u8' } as const;
const tick = () => new Promise((r) => setImmediate(r));

describe('host stream ends', () => {
  it('stream() gives { reader, writer }; close() lets a pending write finish, then ends the stream', async () => {
    const { reader, writer } = stream<number>(U8);
    const wrote = writer.write(Uint8Array.of(1, 2, 3));
    const closed = writer.close();
    await tick();
    expect(Array.from((await reader.read()) as Uint8Array)).toEqual([1, 2, 3]);
    expect(await wrote).toBe(3);
    expect(reader.writerDropped).toBe(false);
    await closed;
    // Known before a read tells it.
    expect(reader.writerDropped).toBe(true);
    expect(await reader.read()).toBeUndefined();
    expect(reader.writerDropped).toBe(true);
    await expect(writer.write(Uint8Array.of(4))).rejects.toThrow('closed');
  });

  it("a writer's cancel() abandons a pending write and ends the stream now", async () => {
    const { reader, writer } = stream<number>(U8);
    const wrote = writer.write(Uint8Array.of(1, 2, 3));
    writer.cancel('gave up');
    expect(await wrote).toBe(0);
    expect(await reader.read()).toBeUndefined();
  });

  it("a reader's cancel() abandons the stream: the writer sees the reader gone", async () => {
    const { reader, writer } = stream<number>(U8);
    const wrote = writer.write(Uint8Array.of(1, 2, 3));
    reader.cancel('not interested');
    expect(await wrote).toBe(0);
    expect(writer.readerDropped).toBe(true);
    expect(await reader.read()).toBeUndefined();
  });

  it('cancelRead() stops a read in progress but keeps the stream open', async () => {
    const { reader, writer } = stream<number>(U8);
    const pending = reader.read();
    reader.cancelRead();
    expect(await pending).toEqual(new Uint8Array(0));
    const wrote = writer.write(Uint8Array.of(7));
    expect(Array.from((await reader.read()) as Uint8Array)).toEqual([7]);
    expect(await wrote).toBe(1);
  });

  it('Symbol.dispose cancels, Symbol.asyncDispose closes', async () => {
    const a = stream<number>(U8);
    a.reader[Symbol.dispose]();
    expect(await a.writer.write(Uint8Array.of(1))).toBe(0);
    const b = stream<number>(U8);
    const wrote = b.writer.write(Uint8Array.of(9));
    const disposed = b.writer[Symbol.asyncDispose]();
    expect(Array.from((await b.reader.read()) as Uint8Array)).toEqual([9]);
    await disposed;
    expect(await wrote).toBe(1);
    expect(await b.reader.read()).toBeUndefined();
  });
});

describe('host future ends', () => {
  it('future() gives { reader, writer }; the reader is a thenable of the value', async () => {
    const { reader, writer } = future<string>({ kind: 'string' });
    const took = writer.write('hi');
    expect(await reader).toBe('hi');
    expect(await took).toBe(true);
  });

  it("cancel() on either end: the writer's value is refused, or the reader sees no value", async () => {
    const a = future<string>({ kind: 'string' });
    a.reader.cancel();
    expect(await a.writer.write('x')).toBe(false);
    const b = future<string>({ kind: 'string' });
    b.writer[Symbol.dispose]();
    await expect(Promise.resolve(b.reader)).rejects.toThrow('dropped without a value');
  });
});
