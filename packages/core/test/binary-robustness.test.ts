// Whatever bytes arrive, the decoder either returns an IR or throws a
// DecodeError: never another error type, never a hang.
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from '@bytecodealliance/jco';
import { decodeComponent } from '../src/binary/index.ts';
import { DecodeError } from '../src/host/errors.ts';

const TEXTS = [
  `(component
    (core module $m (memory (export "mem") 1) (func (export "f") (param i32 i32) (result i32) i32.const 0))
    (core instance $i (instantiate $m))
    (alias core export $i "f" (core func $f))
    (alias core export $i "mem" (core memory $mem))
    (type $r (resource (rep i32)))
    (type $rec (record (field "a" u32) (field "b" (list string))))
    (type $v (variant (case "x" $rec) (case "y") (case "z" (option (tuple u8 char)))))
    (type $fn (func async (param "v" $v) (param "h" (borrow $r)) (result (result (own $r) (error (stream u8))))))
    (type $fn2 (func (param "s" string) (result u32)))
    (import "wasi:io/x@0.3.0" (instance (export "t" (type (sub resource))) (export "g" (func (param "m" (map string (future u64)))))))
    (canon lift (core func $f) (memory $mem) string-encoding=utf8 (func $g (type $fn2)))
    (canon task.return (result $rec) (memory $mem) (core func))
    (canon stream.new $v (core func))
    (canon waitable-set.wait (memory $mem) (core func))
    (component $c (import "x" (func (param "a" (flags "p" "q")))) (type (enum "e" "f")))
    (instance (instantiate $c (with "x" (func $g))))
    (export "g" (func $g)))`,
  `(component
    (type $ct (component
      (import "i" (instance (type (func)) (export "t" (type (sub resource)))))
      (export "f" (func (param "x" (list u32 3)) (result error-context)))))
    (core type (module (import "a" "b" (memory 1 2)) (export "c" (global (mut i32))) (export "t" (table 1 funcref))))
    (import "c" (component (type $ct))))`,
];

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeOrDecodeError(bytes: Uint8Array): 'ok' | 'error' {
  try {
    decodeComponent(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof DecodeError))
      throw new Error(`non-DecodeError ${String(e)} for ${Buffer.from(bytes).toString('hex')}`);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    return 'error';
  }
}

describe('decoder robustness', () => {
  const binaries: Uint8Array[] = [];
  beforeAll(async () => {
    for (const t of TEXTS) binaries.push(await parse(t));
  });

  it('the seeds decode', () => {
    for (const b of binaries) expect(decodeOrDecodeError(b)).toBe('ok');
  });

  it('every truncation throws a DecodeError', () => {
    for (const b of binaries) {
      for (let n = 0; n < b.length; n++) {
        // Truncating exactly at a section boundary leaves a valid component.
        decodeOrDecodeError(b.subarray(0, n));
      }
      // Truncations inside the preamble or a section never succeed.
      expect(decodeOrDecodeError(b.subarray(0, 7))).toBe('error');
      expect(decodeOrDecodeError(b.subarray(0, b.length - 1))).toBe('error');
    }
  });

  it('random byte flips throw only DecodeError', () => {
    const rand = rng(0xc0ffee);
    let errors = 0;
    for (const b of binaries) {
      for (let iter = 0; iter < 3000; iter++) {
        const copy = b.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) {
          const at = 8 + Math.floor(rand() * (copy.length - 8));
          copy[at] = rand() < 0.5 ? Math.floor(rand() * 256) : copy[at]! ^ (1 << Math.floor(rand() * 8));
        }
        if (decodeOrDecodeError(copy) === 'error') errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });

  it('random splices and garbage throw only DecodeError', () => {
    const rand = rng(42);
    for (const b of binaries) {
      for (let iter = 0; iter < 1000; iter++) {
        const at = 8 + Math.floor(rand() * (b.length - 8));
        const len = Math.floor(rand() * 16);
        const junk = Array.from({ length: len }, () => Math.floor(rand() * 256));
        const spliced = new Uint8Array([...b.subarray(0, at), ...junk, ...b.subarray(at + Math.floor(rand() * 8))]);
        decodeOrDecodeError(spliced);
      }
    }
    for (let iter = 0; iter < 2000; iter++) {
      const len = Math.floor(rand() * 64);
      const body = Array.from({ length: len }, () => Math.floor(rand() * 256));
      decodeOrDecodeError(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...body]));
    }
  });
});

describe('definition counts (wasmparser limits)', () => {
  const leb = (n: number): number[] => {
    const o: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      o.push(b);
    } while (n !== 0);
    return o;
  };
  const section = (id: number, count: number, entry: number[]) => {
    const body = [...leb(count)];
    for (let i = 0; i < count; i++) body.push(...entry);
    return [id, ...leb(body.length), ...body];
  };
  const component = (...sections: number[][]) =>
    Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...sections.flat()]);
  const decodeError = (bytes: Uint8Array) => {
    try {
      decodeComponent(bytes);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('refuses more than 1,000,000 definitions while reading, before they cost gigabytes', () => {
    const listU8 = [0x70, 0x7d];
    expect(decodeComponent(component(section(7, 1000, listU8))).definitions).toHaveLength(1000);
    const e = decodeError(component(section(7, 1_000_001, listU8)));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as Error).message).toMatch(/^definitions count exceeds limit of 1000000/);
    // settable (compile option maxDefinitions)
    expect(() => decodeComponent(component(section(7, 11, listU8)), { maxDefinitions: 10 })).toThrow(
      /^definitions count exceeds limit of 10 \(compile option maxDefinitions\)/,
    );
  });

  it('refuses more than 1000 instances in one component', () => {
    const emptyInstance = [0x01, 0x00]; // (instance) of no exports
    expect(decodeComponent(component(section(5, 1000, emptyInstance))).definitions).toHaveLength(1000);
    const e = decodeError(component(section(5, 1001, emptyInstance)));
    expect((e as Error).message).toMatch(/^instances count exceeds limit of 1000/);
  });
});
