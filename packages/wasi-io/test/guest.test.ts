// A real guest component reading stream<u8>s fed by virtual sources.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fromAsyncIterable, fromGenerator, fromNodeReadable, fromReadableStream, pipe } from '../src/index.ts';
import { fnv1a, instantiateDigest } from './guest.ts';
import { pattern, tick } from './helpers.ts';

describe('feeding a guest stream<u8> from host sources', () => {
  it('from a bounded pipe written by a user-space producer', async () => {
    const g = await instantiateDigest();
    const { reader, writer } = pipe({ highWaterMark: 8192 });
    const data = pattern(100_000, 3);
    const result = g.fnv1a(reader);
    let maxBuffered = 0;
    for (let off = 0; off < data.length; off += 3000) {
      await writer.write(data.subarray(off, off + 3000));
      maxBuffered = Math.max(maxBuffered, writer.buffered);
    }
    writer.close();
    expect(await result).toBe(fnv1a(data));
    expect(maxBuffered).toBeLessThanOrEqual(8192 + 3000);
  });

  it("the guest's reads pace a generator (pulled, not pushed)", async () => {
    const g = await instantiateDigest();
    let produced = 0;
    const total = 64;
    const result = g.length(
      fromGenerator(async function* () {
        for (let i = 0; i < total; i++) {
          produced++;
          yield new Uint8Array(10_000); // bigger than the guest's 4096-byte reads
          await tick();
        }
      }),
    );
    expect(await result).toBe(total * 10_000);
    expect(produced).toBe(total);
  });

  it('from chunks, a Web ReadableStream and a Node Readable', async () => {
    const g = await instantiateDigest();
    expect(await g.length(fromAsyncIterable(['abc', new Uint8Array(5000), '']))).toBe(5003);
    const bytes = pattern(20_000, 9);
    const rs = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 7000));
        c.enqueue(bytes.subarray(7000));
        c.close();
      },
    });
    expect(await g.fnv1a(fromReadableStream(rs))).toBe(fnv1a(bytes));
    expect(await g.fnv1a(fromNodeReadable(Readable.from([Buffer.from(bytes)])))).toBe(fnv1a(bytes));
  });

  it('an empty source gives a zero-length stream', async () => {
    const g = await instantiateDigest();
    expect(await g.length(fromAsyncIterable([]))).toBe(0);
  });
});

describe('guest waiting on an idle host producer', () => {
  it('does not trap as a deadlock while a pipe writer is between writes', async () => {
    const g = await instantiateDigest();
    const { reader, writer } = pipe();
    const result = g.length(reader);
    for (let i = 0; i < 3; i++) {
      await tick(30); // e.g. waiting on the network
      await writer.write('abcd');
    }
    writer.close();
    expect(await result).toBe(12);
  });
});

describe('examples/virtual-source', () => {
  it('runs and the guest agrees with the host', async () => {
    const { execFile } = await import('node:child_process');
    const script = new URL('../../../examples/virtual-source/run.ts', import.meta.url).pathname;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--conditions=weft-source', script], (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    const m = /guest fnv1a = (0x[0-9a-f]+), host fnv1a = (0x[0-9a-f]+)/.exec(out)!;
    expect(m[1]).toBe(m[2]);
    expect(out).toContain('guest read 1000000 bytes from 100 generated chunks');
  });
});
