// xoshiro128** over 32-bit lanes (Math.imul, no bigint on the byte path),
// seeded through splitmix32. Fast and reproducible; NOT cryptographically secure.

function splitmix32(state: { s: number }): number {
  let z = (state.s = (state.s + 0x9e3779b9) | 0);
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Folds a seed (number, bigint or string) into 32-bit words. */
export function seedWords(seed: number | bigint | string): number[] {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new TypeError('seed must be finite');
    return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  }
  if (typeof seed === 'bigint') {
    const words: number[] = [];
    let v = seed < 0n ? -seed * 2n + 1n : seed;
    do {
      words.push(Number(v & 0xffffffffn));
      v >>= 32n;
    } while (v > 0n);
    return words;
  }
  const words: number[] = [];
  for (let i = 0; i < seed.length; i++) words.push(seed.charCodeAt(i));
  return words;
}

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `words` seed the state; `stream` separates independent generators from one seed. */
  constructor(words: readonly number[], stream = 0) {
    const st = { s: stream | 0 };
    let h = splitmix32(st);
    for (const w of words) {
      st.s = (st.s ^ Math.imul(w | 0, 0x27d4eb2f) ^ h) | 0;
      h = splitmix32(st);
    }
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  nextU64(): bigint {
    const hi = this.nextU32();
    const lo = this.nextU32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  fill(out: Uint8Array): Uint8Array {
    const n = out.length;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = this.nextU32();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < n) {
      let v = this.nextU32();
      for (; i < n; i++, v >>>= 8) out[i] = v;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
