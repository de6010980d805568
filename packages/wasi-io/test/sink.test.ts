import { describe, expect, it } from 'vitest';
import {
  BrokenPipeError,
  bufferSink,
  bytesSource,
  callbackSink,
  emptySource,
  fromGenerator,
  fromWritableStream,
  nullSink,
  pipeToSink,
} from '../src/index.ts';
import { readAll, text, tick } from './helpers.ts';

describe('sinks', () => {
  it('bufferSink captures bytes and text', async () => {
    const sink = bufferSink();
    const res = await pipeToSink(
      fromGenerator(() => ['hé', 'llo']),
      sink,
    );
    expect(res).toEqual({ bytes: 6, reason: 'end' });
    expect(sink.text()).toBe('héllo');
    expect(sink.closed).toBe(true);
    expect(sink.length).toBe(6);
  });

  it('bufferSink with a limit fails the transfer instead of growing', async () => {
    const sink = bufferSink(4);
    await expect(
      pipeToSink(
        fromGenerator(() => ['abc', 'def']),
        sink,
      ),
    ).rejects.toThrow(RangeError);
    expect(sink.text()).toBe('abc');
  });

  it('a callback sink returning Promises paces the producer', async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const sink = callbackSink(async () => {
      consumed++;
      maxAhead = Math.max(maxAhead, produced - consumed);
      await tick(1);
    });
    await pipeToSink(
      fromGenerator(function* () {
        for (let i = 0; i < 30; i++) {
          produced++;
          yield 'x';
        }
      }),
      sink,
    );
    expect(consumed).toBe(30);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('a sink failing with EPIPE ends the transfer cleanly and stops the producer', async () => {
    let n = 0;
    let cleaned = false;
    let closed = false;
    const sink = callbackSink(
      () => {
        if (++n === 3) throw new BrokenPipeError();
      },
      () => void (closed = true),
    );
    const res = await pipeToSink(
      fromGenerator(function* () {
        try {
          for (;;) yield 'z';
        } finally {
          cleaned = true;
        }
      }),
      sink,
    );
    expect(res.reason).toBe('closed');
    expect(closed).toBe(false); // a broken sink is not closed again
    await tick(5);
    expect(cleaned).toBe(true);
  });

  it('close: false leaves the sink open; nullSink swallows', async () => {
    const sink = bufferSink();
    await pipeToSink(
      fromGenerator(() => ['a']),
      sink,
      { close: false },
    );
    expect(sink.closed).toBe(false);
    await pipeToSink(
      fromGenerator(() => ['b']),
      sink,
    );
    expect(sink.text()).toBe('ab');
    expect(
      (
        await pipeToSink(
          fromGenerator(() => ['q']),
          nullSink(),
        )
      ).bytes,
    ).toBe(1);
  });

  it("fromWritableStream waits on the stream's ready signal", async () => {
    const got: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const ws = new WritableStream<Uint8Array>(
      {
        async write(c) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await tick(1);
          got.push(text(c));
          inFlight--;
        },
      },
      { highWaterMark: 1 },
    );
    await pipeToSink(
      fromGenerator(() => ['1', '2', '3', '4']),
      fromWritableStream(ws),
    );
    expect(got.join('')).toBe('1234');
    expect(maxInFlight).toBe(1);
  });
});

describe('sources', () => {
  it('bytesSource and emptySource', async () => {
    expect(text(await readAll(bytesSource('abc')))).toBe('abc');
    expect(text(await readAll(bytesSource([new Uint8Array([65]), new Uint8Array([66])])))).toBe('AB');
    expect((await readAll(emptySource())).length).toBe(0);
  });

  it('pipeToSink takes any AsyncIterable source', async () => {
    const sink = bufferSink();
    await pipeToSink(bytesSource('plain iterable'), sink);
    expect(sink.text()).toBe('plain iterable');
  });
});
