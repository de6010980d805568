import { describe, expect, it } from 'vitest';
import {
  BrokenPipeError,
  CaptureSink,
  discardSink,
  fromGenerator,
  isBrokenPipe,
  pipeToSink,
  toSink,
  webSink,
} from '../src/index.ts';
import { text, tick } from './helpers.ts';

describe('broken pipes', () => {
  it('isBrokenPipe: the codes meaning the consumer went away, and nothing else', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(isBrokenPipe(new BrokenPipeError())).toBe(true);
    for (const code of ['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END'])
      expect(isBrokenPipe(err(code))).toBe(true);
    for (const e of [err('EIO'), err('ENOSPC'), new Error('x'), undefined, null, 'EPIPE'])
      expect(isBrokenPipe(e)).toBe(false);
  });
});

describe('sinks', () => {
  it('toSink takes a ByteSink as is, a function, and rejects anything else', async () => {
    const capture = new CaptureSink();
    expect(toSink(capture)).toBe(capture);
    const seen: string[] = [];
    await toSink((c) => void seen.push(text(c))).write(new TextEncoder().encode('hi'));
    expect(seen).toEqual(['hi']);
    expect(() => toSink('nope' as never)).toThrow(TypeError);
  });

  it('CaptureSink clear() forgets; closed sinks refuse writes as a broken pipe', () => {
    const sink = new CaptureSink();
    sink.write(new Uint8Array([1, 2]));
    sink.write(new Uint8Array([3]));
    expect(Array.from(sink.bytes())).toEqual([1, 2, 3]);
    sink.clear();
    expect(sink.length).toBe(0);
    expect(sink.bytes().length).toBe(0);
    sink.close();
    expect(() => sink.write(new Uint8Array(1))).toThrow(BrokenPipeError);
  });

  it('CaptureSink captures bytes and text', async () => {
    const sink = new CaptureSink();
    const res = await pipeToSink(
      fromGenerator(() => ['hé', 'llo']),
      sink,
    );
    expect(res).toEqual({ bytes: 6, reason: 'end' });
    expect(sink.text()).toBe('héllo');
    expect(sink.closed).toBe(true);
    expect(sink.length).toBe(6);
  });

  it('CaptureSink with a limit fails the transfer instead of growing', async () => {
    const sink = new CaptureSink(4);
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
    const sink = {
      async write() {
        consumed++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        await tick(1);
      },
    };
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
    const sink = {
      write() {
        if (++n === 3) throw new BrokenPipeError();
      },
      close: () => void (closed = true),
    };
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

  it('close: false leaves the sink open; discardSink swallows', async () => {
    const sink = new CaptureSink();
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
          discardSink,
        )
      ).bytes,
    ).toBe(1);
  });

  it("webSink waits on the stream's ready signal", async () => {
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
      webSink(ws),
    );
    expect(got.join('')).toBe('1234');
    expect(maxInFlight).toBe(1);
  });
});

describe('sources', () => {
  it('pipeToSink takes any AsyncIterable source', async () => {
    const sink = new CaptureSink();
    await pipeToSink(
      (async function* () {
        yield new TextEncoder().encode('plain ');
        yield new TextEncoder().encode('iterable');
      })(),
      sink,
    );
    expect(sink.text()).toBe('plain iterable');
  });
});
