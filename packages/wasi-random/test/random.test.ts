import { describe, expect, it } from 'vitest';
import { createRandom, DEFAULT_MAX_BYTES, Xoshiro128 } from '../src/index.ts';
import { instantiateGuest } from './guest.ts';

const R = 'wasi:random/random@0.3.0';
const I = 'wasi:random/insecure@0.3.0';
const S = 'wasi:random/insecure-seed@0.3.0';

/** Rough uniformity: every byte value shows up, and the mean is near 127.5. */
function looksUniform(b: Uint8Array): void {
  const seen = new Set(b);
  expect(seen.size).toBe(256);
  let sum = 0;
  for (const x of b) sum += x;
  expect(Math.abs(sum / b.length - 127.5)).toBeLessThan(3);
}

describe('secure random (crypto)', () => {
  it('returns the requested number of fresh bytes', () => {
    const r = createRandom()[R]!;
    const a = r.getRandomBytes(100_000n);
    const b = r.getRandomBytes(100_000n);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(100_000); // over crypto.getRandomValues' 65536 limit: chunked
    looksUniform(a);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(r.getRandomBytes(0n).length).toBe(0);
  });

  it('bounds huge requests with a short read (allowed by the WIT)', () => {
    const r = createRandom()[R]!;
    expect(r.getRandomBytes(1n << 40n).length).toBe(DEFAULT_MAX_BYTES);
    expect(r.getRandomBytes((1n << 64n) - 1n).length).toBe(DEFAULT_MAX_BYTES);
    expect(createRandom({ maxBytes: 16 })[R]!.getRandomBytes(1000n).length).toBe(16);
    expect(() => createRandom({ maxBytes: 0 })).toThrow(RangeError);
  });

  it('returns u64 bigints spanning the range', () => {
    const r = createRandom()[R]!;
    const vs = Array.from({ length: 64 }, () => r.getRandomU64());
    for (const v of vs) expect(v >= 0n && v < 1n << 64n).toBe(true);
    expect(vs.some((v) => v >= 1n << 63n)).toBe(true);
    expect(new Set(vs).size).toBe(64);
  });
});

describe('insecure and insecure-seed', () => {
  it('insecure bytes are uniform-looking and u64s in range', () => {
    const i = createRandom()[I];
    looksUniform(i.getInsecureRandomBytes(65_536n));
    const v = i.getInsecureRandomU64();
    expect(v >= 0n && v < 1n << 64n).toBe(true);
    expect(i.getInsecureRandomBytes(1n << 50n).length).toBe(DEFAULT_MAX_BYTES);
  });

  it('insecure-seed returns a pair of u64s, the same pair for the life of the host', () => {
    const host = createRandom()[S];
    const [a, b] = host.getInsecureSeed();
    expect(typeof a).toBe('bigint');
    expect(typeof b).toBe('bigint');
    expect(a < 1n << 64n && b < 1n << 64n).toBe(true);
    expect(host.getInsecureSeed()).toEqual([a, b]);
    expect(createRandom()[S].getInsecureSeed()).not.toEqual([a, b]);
  });

  it('unseeded hosts differ from each other', () => {
    const a = createRandom()[I].getInsecureRandomBytes(32n);
    const b = createRandom()[I].getInsecureRandomBytes(32n);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});

describe('seeded (deterministic, not secure)', () => {
  const run = (seed: number | bigint | string) => {
    const h = createRandom({ seed });
    return [
      Array.from(h[R]!.getRandomBytes(13n)),
      h[R]!.getRandomU64(),
      Array.from(h[I].getInsecureRandomBytes(7n)),
      h[I].getInsecureRandomU64(),
      h[S].getInsecureSeed(),
    ];
  };

  it('the same seed replays the same values', () => {
    expect(run(42)).toEqual(run(42));
    expect(run(2n ** 100n)).toEqual(run(2n ** 100n));
    expect(run('replay-7')).toEqual(run('replay-7'));
  });

  it('different seeds give different values', () => {
    expect(run(1)).not.toEqual(run(2));
    expect(run(0n)).not.toEqual(run(-1n));
    expect(run('a')).not.toEqual(run('b'));
  });

  it('interfaces draw from independent streams', () => {
    const a = createRandom({ seed: 9 });
    const b = createRandom({ seed: 9 });
    a[I].getInsecureRandomBytes(100n); // only a's insecure stream moves
    expect(a[R]!.getRandomU64()).toBe(b[R]!.getRandomU64());
  });

  it('produces uniform-looking output and can omit `random`', () => {
    looksUniform(createRandom({ seed: 3 })[R]!.getRandomBytes(65_536n));
    expect(createRandom({ seed: 3, omitSecure: true })[R]).toBeUndefined();
  });

  it('fills byte tails consistently with whole words', () => {
    const x = new Xoshiro128([5]).fill(new Uint8Array(11));
    const y = new Xoshiro128([5]).fill(new Uint8Array(12));
    expect(Array.from(x)).toEqual(Array.from(y.subarray(0, 11)));
  });
});

describe('a guest importing wasi:random/random', () => {
  it('receives bytes as list<u8> and u64 as bigint', async () => {
    const inst = await instantiateGuest(createRandom({ seed: 1 }));
    expect(inst.exports.fill(5n)).toBe(5);
    const direct = createRandom({ seed: 1 })[R]!.getRandomBytes(5n);
    expect([0, 1, 2, 3, 4].map((i) => inst.exports.byte(i))).toEqual(Array.from(direct));
    expect(typeof inst.exports.roll()).toBe('bigint');
  });

  it('a guest asking for 2^40 bytes gets a bounded short read', async () => {
    const inst = await instantiateGuest(createRandom({ maxBytes: 4096 }));
    expect(inst.exports.fill(1n << 40n)).toBe(4096);
  });
});
