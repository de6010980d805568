// Async exports for Weft's real-toolchain tests (built by ../build-async.sh).
// QuickJS has no TextEncoder; nothing here needs one.
import host from 'weft-test:async-guest/host';

export async function concat(a, b) {
  await Promise.resolve();
  return a + b;
}

export async function reverseWords(words) {
  await Promise.resolve();
  return words.map((w) => [...w].reverse().join('')).reverse();
}

export async function sumList(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** stream<string> transform: upper-cases each string. */
export async function upper(input) {
  return (async function* () {
    for await (const s of input) yield s.toUpperCase();
  })();
}

/** stream<u8> echo: hands each chunk straight back. */
export async function echoBytes(input) {
  return (async function* () {
    for await (const chunk of input) yield chunk;
  })();
}

export async function countBytes(input) {
  let n = 0;
  for await (const chunk of input) n += chunk.length;
  return n;
}

/** n bytes of (seed + i) & 0xff in 64 KiB chunks (a multiple of 256, so every full chunk is alike). */
export async function produceBytes(n, seed) {
  const CHUNK = 65536;
  const full = new Uint8Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) full[i] = (seed + i) & 0xff;
  return (async function* () {
    for (let off = 0; off < n; off += CHUNK) yield n - off >= CHUNK ? full : full.slice(0, n - off);
  })();
}

export async function later(v) {
  const { readable, writable } = wit.Future(wit.Future.U32);
  writable.write(v * 2 + 1);
  return readable;
}

/**
 * Calls the sync host import n times; between calls it waits for the next chunk of
 * `ticks`, which returns control to the host so concurrent calls interleave.
 */
export async function callHost(n, base, ticks) {
  const it = ticks[Symbol.asyncIterator]();
  let acc = base;
  for (let i = 0; i < n; i++) {
    acc = host.mix(acc, i);
    const t = await it.next();
    if (t.done) break;
  }
  ticks.drop();
  return acc;
}
