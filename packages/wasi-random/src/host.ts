// wasi:random@0.3.0 import objects: `random` (secure), `insecure`, `insecure-seed`.

import { seedWords, Xoshiro128 } from './prng.ts';

/** crypto.getRandomValues fills at most 65536 bytes per call. */
const CRYPTO_CHUNK = 65536;
/** Default cap on the bytes one call returns (the WIT allows short reads). */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface RandomOptions {
  /**
   * Makes every interface deterministic: the same seed gives the same bytes in
   * the same call order. NOT secure — for tests, replay and simulation only.
   * (The WIT asks deterministic environments to omit `random`; pass
   * `omitSecure: true` to do so.)
   */
  seed?: number | bigint | string;
  /** Leave `wasi:random/random` out of the imports (e.g. with `seed`). */
  omitSecure?: boolean;
  /**
   * Most bytes one `get-*-random-bytes` call returns (default 1 MiB). Larger
   * requests get a short read, which the 0.3.0 WIT permits, so a guest asking
   * for 2^40 bytes cannot make the host allocate them.
   */
  maxBytes?: number;
}

export interface RandomHost {
  getRandomBytes(maxLen: bigint): Uint8Array;
  getRandomU64(): bigint;
}

export interface InsecureHost {
  getInsecureRandomBytes(maxLen: bigint): Uint8Array;
  getInsecureRandomU64(): bigint;
}

export interface InsecureSeedHost {
  getInsecureSeed(): [bigint, bigint];
}

export type RandomImports = {
  'wasi:random/random@0.3.0'?: RandomHost;
  'wasi:random/insecure@0.3.0': InsecureHost;
  'wasi:random/insecure-seed@0.3.0': InsecureSeedHost;
};

export function cryptoFill(out: Uint8Array): Uint8Array {
  for (let off = 0; off < out.length; off += CRYPTO_CHUNK) {
    crypto.getRandomValues(out.subarray(off, Math.min(off + CRYPTO_CHUNK, out.length)));
  }
  return out;
}

function cryptoU64(): bigint {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}

/** A source of bytes and u64s. */
interface Source {
  fill(out: Uint8Array): Uint8Array;
  nextU64(): bigint;
}

const CRYPTO_SOURCE: Source = { fill: cryptoFill, nextU64: cryptoU64 };

// Independent generator streams per interface, so one interface's calls don't shift another's output.
const STREAM_SECURE = 1;
const STREAM_INSECURE = 2;
const STREAM_SEED = 3;

/** Builds the `wasi:random@0.3.0` import object entries. */
export function createRandom(options: RandomOptions = {}): RandomImports {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('maxBytes must be a positive integer');
  const bmax = BigInt(max);
  const len = (maxLen: bigint): number => Number(maxLen < bmax ? (maxLen < 0n ? 0n : maxLen) : bmax);

  let secure: Source;
  let insecureSource: Source | undefined;
  let seedSrc: Source;
  if (options.seed !== undefined) {
    const words = seedWords(options.seed);
    secure = new Xoshiro128(words, STREAM_SECURE);
    insecureSource = new Xoshiro128(words, STREAM_INSECURE);
    seedSrc = new Xoshiro128(words, STREAM_SEED);
  } else {
    secure = CRYPTO_SOURCE;
    seedSrc = CRYPTO_SOURCE;
  }
  // Unseeded, insecure bytes come from a fast PRNG seeded from the system CSPRNG on first use
  // (a host made per instance, as weft serve does, seldom needs one).
  const insecure = (): Source =>
    (insecureSource ??= new Xoshiro128(Array.from(crypto.getRandomValues(new Uint32Array(4))), STREAM_INSECURE));

  let insecureSeed: [bigint, bigint] | undefined;
  const imports: RandomImports = {
    'wasi:random/insecure@0.3.0': {
      getInsecureRandomBytes: (maxLen) => insecure().fill(new Uint8Array(len(maxLen))),
      getInsecureRandomU64: () => insecure().nextU64(),
    },
    // One pair for the life of the host (= its instance), as Wasmtime gives it.
    'wasi:random/insecure-seed@0.3.0': {
      getInsecureSeed: () => {
        insecureSeed ??= [seedSrc.nextU64(), seedSrc.nextU64()];
        return [insecureSeed[0], insecureSeed[1]];
      },
    },
  };
  if (!options.omitSecure) {
    imports['wasi:random/random@0.3.0'] = {
      getRandomBytes: (maxLen) => secure.fill(new Uint8Array(len(maxLen))),
      getRandomU64: () => secure.nextU64(),
    };
  }
  return imports;
}
