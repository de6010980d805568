// One pass of each byte-stream case on the streams guest (test/guests/async/streams.wat), shared
// by the Node bench (async.ts) and the Chromium page (browser-page.ts): no Node API here.

export const CHUNK = 64 * 1024;
const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 7) & 0xff);

/** `total` bytes as 64 KiB chunks (one buffer, yielded again and again). */
export function* chunks(total: number): Generator<Uint8Array> {
  for (let o = 0; o < total; o += CHUNK) yield chunk;
}

type Fn = (...args: any[]) => any;

/** host→guest: `sink` reads `total` bytes and returns their count. */
export async function sinkRun(e: Record<string, Fn>, total: number): Promise<void> {
  if ((await e.sink!(chunks(total))) !== BigInt(total)) throw new Error('wrong count');
}

/** guest→host: `source(total)`'s stream read to its end, into one buffer (`into`) or chunk by chunk. */
export async function sourceRun(e: Record<string, Fn>, total: number, into: boolean): Promise<void> {
  const r = await e.source!(total);
  let n = 0;
  if (into) {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const k = await r.readInto(buf);
      if (k === undefined) break;
      n += k;
    }
  } else {
    for await (const c of r) n += c.length;
  }
  if (n !== total) throw new Error(`wrong count ${n}`);
}
