// Feeds a guest component's stream<u8> from virtual sources — no file
// descriptor anywhere. Run from the repository root:
//   node --conditions=weft-source examples/virtual-source/run.ts
import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';
import { fromGenerator, pipe } from '@weft/wasi-io';

interface Digest {
  length(s: unknown): Promise<number>;
  fnv1a(s: unknown): Promise<number>;
}

const bytes = await readFile(new URL('stream-digest.wasm', import.meta.url));
const guest = (await (await Component.compile(bytes)).instantiate({})).exports as unknown as Digest;

// 1. A user-space protocol layer writing plaintext into a bounded pipe.
//    Here a toy "TLS": ciphertext records arrive from a fake network with
//    delays, are decrypted in JS (XOR), and the plaintext goes to the guest.
const KEY = 0x5a;
async function* network(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 5)); // latency
    const plain = new TextEncoder().encode(`record ${i}: ${'payload '.repeat(200)}\n`);
    yield plain.map((b) => b ^ KEY); // "encrypted" on the wire
  }
}

const { reader, writer } = pipe({ highWaterMark: 4096 });
const result = guest.fnv1a(reader); // the guest starts reading while we produce
let sent = 0;
const plaintext: Uint8Array[] = [];
for await (const record of network()) {
  const plain = record.map((b) => b ^ KEY); // decrypt
  plaintext.push(plain);
  await writer.write(plain); // waits while 4 KiB are unread: the guest's pace
  sent += plain.length;
}
writer.close(); // the guest sees the end of the stream
console.log(`pipe:      sent ${sent} bytes; guest fnv1a = ${hex(await result)}, host fnv1a = ${hex(fnv1a(plaintext))}`);

// 2. A generator pulled by the guest's reads (it runs at most one chunk ahead).
let produced = 0;
const length = await guest.length(
  fromGenerator(function* () {
    for (let i = 0; i < 100; i++) {
      produced++;
      yield new Uint8Array(10_000).fill(i);
    }
  }),
);
console.log(`generator: guest read ${length} bytes from ${produced} generated chunks`);

function fnv1a(chunks: Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const c of chunks) for (const b of c) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
