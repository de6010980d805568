import { spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  byteStream,
  fromGenerator,
  fromNodeReadable,
  nodeSink,
  pipeToNodeWritable,
  toNodeReadable,
  toNodeWritable,
} from '../src/index.ts';
import { readAll, text, tick } from './helpers.ts';

/** A Writable that takes `delayMs` per chunk and records the most bytes Node ever buffered. */
function slowWritable(delayMs: number, highWaterMark: number) {
  const got: Uint8Array[] = [];
  let maxBuffered = 0;
  const w = new Writable({
    highWaterMark,
    write(chunk: Uint8Array, _e, cb) {
      got.push(chunk);
      setTimeout(cb, delayMs);
    },
  });
  const origWrite = w.write.bind(w);
  let falses = 0;
  w.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
    const ok = (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    if (!ok) falses++;
    maxBuffered = Math.max(maxBuffered, w.writableLength);
    return ok;
  }) as typeof w.write;
  return { w, got, stats: () => ({ maxBuffered, falses }) };
}

describe('fromNodeReadable / toNodeReadable', () => {
  it('round-trips bytes and strings', async () => {
    const src = Readable.from(['ab', Buffer.from('cd'), new Uint8Array([101])]);
    expect(text(await readAll(fromNodeReadable(src)))).toBe('abcde');
    const back = toNodeReadable(fromGenerator(() => ['x', 'y', 'z']));
    const parts: string[] = [];
    for await (const c of back) parts.push(Buffer.from(c).toString());
    expect(parts.join('')).toBe('xyz');
  });

  it('destroys the Node stream when the reader drops, unless told not to', async () => {
    const a = new PassThrough();
    a.write('1');
    const ra = fromNodeReadable(a);
    await ra.read();
    ra.cancel();
    a.write('2');
    await tick(10);
    expect(a.destroyed).toBe(true);

    const b = new PassThrough();
    b.write('1');
    const rb = fromNodeReadable(b, { destroyOnCancel: false });
    await rb.read();
    rb.cancel();
    b.write('2');
    await tick(10);
    expect(b.destroyed).toBe(false);
  });

  it('keeps Node-side buffering bounded by highWaterMark', async () => {
    let pushed = 0;
    const src = new Readable({
      highWaterMark: 1024,
      read() {
        pushed += 256;
        this.push(new Uint8Array(256));
      },
    });
    const r = fromNodeReadable(src);
    let got = 0;
    for (let i = 0; i < 10; i++) {
      got += ((await r.read(256)) as Uint8Array).length;
      await tick(1);
    }
    // Node fills to its highWaterMark (plus a read-ahead chunk or two), never more
    expect(pushed - got).toBeLessThanOrEqual(1024 + 3 * 256);
    r.cancel();
  });

  it('toNodeReadable is pulled lazily and drops the reader on destroy', async () => {
    let produced = 0;
    let cleaned = false;
    const rd = toNodeReadable(
      fromGenerator(function* () {
        try {
          for (;;) {
            produced++;
            yield new Uint8Array(1024);
          }
        } finally {
          cleaned = true;
        }
      }),
    );
    rd.pause();
    await tick(20);
    expect(produced).toBeLessThanOrEqual(20); // Node's default 16 KiB highWaterMark
    rd.destroy();
    await tick(10);
    expect(cleaned).toBe(true);
  });
});

describe('pipeToNodeWritable', () => {
  it('waits for drain: a slow writable holds the producer back', async () => {
    const { w, got, stats } = slowWritable(2, 2048);
    let produced = 0;
    const reader = fromGenerator(function* () {
      for (let i = 0; i < 40; i++) {
        produced++;
        yield new Uint8Array(1024).fill(i);
      }
    });
    let maxAhead = 0;
    const iv = setInterval(() => (maxAhead = Math.max(maxAhead, produced - got.length)), 1);
    const res = await pipeToNodeWritable(reader, w);
    clearInterval(iv);
    expect(res).toEqual({ bytes: 40 * 1024, reason: 'end' });
    expect(got.length).toBe(40);
    expect(got[39]![0]).toBe(39);
    expect(w.writableFinished).toBe(true);
    const s = stats();
    expect(s.falses).toBeGreaterThan(0); // write() did say "wait"
    expect(s.maxBuffered).toBeLessThanOrEqual(2048 + 1024);
    expect(maxAhead).toBeLessThanOrEqual(6);
  });

  it('end: false leaves the writable open', async () => {
    const pt = new PassThrough();
    const out: string[] = [];
    pt.on('data', (c) => out.push(String(c)));
    await pipeToNodeWritable(
      fromGenerator(() => ['a', 'b']),
      pt,
      { end: false },
    );
    expect(pt.writableEnded).toBe(false);
    expect(out.join('')).toBe('ab');
  });

  it('a destroyed writable ends the transfer cleanly and drops the reader', async () => {
    const pt = new PassThrough({ highWaterMark: 4 });
    pt.resume();
    let cleaned = false;
    const reader = fromGenerator(async function* () {
      try {
        for (;;) {
          yield 'tick';
          await tick(1);
        }
      } finally {
        cleaned = true;
      }
    });
    setTimeout(() => pt.destroy(), 10);
    const res = await pipeToNodeWritable(reader, pt);
    expect(res.reason).toBe('closed');
    await tick(5);
    expect(cleaned).toBe(true);
  });

  it('rejects on a real writable error', async () => {
    const w = new Writable({
      write(_c, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    await expect(
      pipeToNodeWritable(
        fromGenerator(() => ['x', 'y']),
        w,
      ),
    ).rejects.toThrow('disk full');
  });

  it('EPIPE: a child that exits early ends the pipe cleanly', async () => {
    const child = spawn(process.execPath, ['-e', "process.stdin.once('data', () => process.exit(0))"], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    let cleaned = false;
    const reader = fromGenerator(async function* () {
      try {
        for (;;) {
          yield new Uint8Array(64 * 1024);
          await tick(1);
        }
      } finally {
        cleaned = true;
      }
    });
    const res = await pipeToNodeWritable(reader, child.stdin!);
    expect(res.reason).toBe('closed');
    await tick(5);
    expect(cleaned).toBe(true);
  });

  it('EPIPE on a closed process.stdout exits cleanly (no crash, no unhandled error)', async () => {
    const script = fileURLToPath(new URL('./fixtures/yes.ts', import.meta.url));
    const node = process.execPath;
    const out = await new Promise<{ code: number | null; stderr: string; stdout: number }>((resolve) => {
      // `yes.ts | head -c 100`, without a shell: we read 100 bytes, then close the pipe
      const child = spawn(node, ['--conditions=weft-source', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = 0;
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.length;
        if (stdout >= 100) child.stdout.destroy();
      });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect(out.stdout).toBeGreaterThanOrEqual(100);
    expect(out.stderr).toContain('reason=closed');
    expect(out.code).toBe(0);
  });
});

describe('nodeSink / toNodeWritable', () => {
  it('nodeSink returns a Promise only when the writable wants a pause', async () => {
    const { w } = slowWritable(1, 100);
    const sink = nodeSink(w);
    expect(sink.write(new Uint8Array(10))).toBeUndefined();
    const p = sink.write(new Uint8Array(200));
    expect(p).toBeInstanceOf(Promise);
    await p;
    await sink.close();
    expect(w.writableFinished).toBe(true);
    sink.release();
  });

  it('toNodeWritable writes into a stream<u8> with backpressure, EPIPE after drop', async () => {
    const { writer: sw, reader: r } = byteStream();
    const nw = toNodeWritable(sw, { highWaterMark: 8 });
    expect(nw.write('0123456789')).toBe(false); // over the 8-byte mark: Node asks us to wait
    expect(text((await r.read())! as Uint8Array)).toBe('0123456789');
    await new Promise((res) => nw.once('drain', res));
    r.cancel();
    const err = await new Promise<NodeJS.ErrnoException>((res) => {
      nw.on('error', res);
      nw.write('x');
    });
    expect(err.code).toBe('EPIPE');
  });

  it('toNodeWritable end() closes the stream', async () => {
    const { writer: sw, reader: r } = byteStream();
    const nw = toNodeWritable(sw);
    const all = readAll(r);
    nw.write('a');
    nw.end('b');
    expect(text(await all)).toBe('ab');
  });
});
