// Mutation fuzzing of Component.compile + instantiate.
//
// A fixed-seed PRNG mutates a corpus of valid components (the componentize-qjs guests and
// small hand-written texts assembled by jco). Every case must end in a clean instance or a
// WeftError (DecodeError / ValidationError / LinkError / Trap). Any other throw fails; a hang
// or a crash of the worker that runs the cases fails with the seed and case index.
//
// Reproduce one case:  WEFT_FUZZ_SEED=<seed> WEFT_FUZZ_ONLY=<index> vitest run test/fuzz.test.ts
// Failing inputs are also written to the OS temp dir (path in the failure message).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parse } from '@bytecodealliance/jco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SEED = Number(process.env.WEFT_FUZZ_SEED ?? 0x5eed_c0de) >>> 0;
const MAX_CASES = Number(process.env.WEFT_FUZZ_CASES ?? 25000);
const ONLY = process.env.WEFT_FUZZ_ONLY === undefined ? undefined : Number(process.env.WEFT_FUZZ_ONLY);
/** Wall-clock bound for the whole run; cases past it are skipped (and the count is logged). */
const BUDGET_MS = Number(process.env.WEFT_FUZZ_BUDGET_MS ?? 18_000);
/** A single case taking longer than this is a hang. */
const CASE_TIMEOUT_MS = 10_000;
/** Share of cases drawn from the (large) real-toolchain guests. */
const GUEST_SHARE = 0.01;

// --- corpus ----------------------------------------------------------------------------

const TEXTS: Record<string, string> = {
  empty: '(component)',
  add: `(component
    (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))`,
  strings: `(component
    (core module $m
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $r i32)
        global.get $bump
        local.set $r
        global.get $bump
        local.get 3
        i32.add
        global.set $bump
        local.get $r)
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 0) (local.get 0))
        (i32.store (i32.const 4) (local.get 1))
        i32.const 0))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))`,
  resource: `(component
    (type $r (resource (rep i32)))
    (core func $new (canon resource.new $r))
    (core func $rep (canon resource.rep $r))
    (core module $m
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (func (export "make") (param i32) (result i32) local.get 0 call $new)
      (func (export "get") (param i32) (result i32) local.get 0 call $rep))
    (core instance $i (instantiate $m (with "" (instance (export "new" (func $new)) (export "rep" (func $rep))))))
    (func $make (param "x" u32) (result (own $r)) (canon lift (core func $i "make")))
    (func $get (param "c" (borrow $r)) (result u32) (canon lift (core func $i "get")))
    (instance $api (export "counter" (type $r)) (export "make" (func $make)) (export "get" (func $get)))
    (export "ns:pkg/counters" (instance $api)))`,
  nested: `(component
    (component $inner
      (core module $m (func (export "f") (result i32) i32.const 42))
      (core instance $i (instantiate $m))
      (func (export "f") (result u32) (canon lift (core func $i "f"))))
    (instance $a (instantiate $inner))
    (alias export $a "f" (func $f))
    (export "f" (func $f))
    (instance $b (export "g" (func $f)))
    (export "ns:pkg/iface" (instance $b)))`,
  types: `(component
    (type $point (record (field "x" s32) (field "y" s32)))
    (type $shape (variant (case "circle" f64) (case "none")))
    (type $color (enum "red" "green" "blue"))
    (type $perms (flags "read" "write"))
    (core module $m
      (memory (export "mem") 1)
      (func (export "mk") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        i32.const 16)
      (func (export "tag") (param i32 f64) (result i32) local.get 0)
      (func (export "id") (param i32) (result i32) local.get 0))
    (core instance $i (instantiate $m))
    (func $mk (param "x" s32) (param "y" s32) (result $point) (canon lift (core func $i "mk") (memory (core memory $i "mem"))))
    (func $tag (param "s" $shape) (result u32) (canon lift (core func $i "tag")))
    (func $next (param "c" $color) (result $color) (canon lift (core func $i "id")))
    (func $toggle (param "p" $perms) (result $perms) (canon lift (core func $i "id")))
    (func $opt (param "o" (option u32)) (result (result u32 (error u8)))
      (canon lift (core func $i "mk") (memory (core memory $i "mem"))))
    (instance $api
      (export "point" (type $point)) (export "shape" (type $shape)) (export "color" (type $color))
      (export "perms" (type $perms)) (export "mk" (func $mk)) (export "tag" (func $tag))
      (export "next" (func $next)) (export "toggle" (func $toggle)) (export "opt" (func $opt)))
    (export "ns:pkg/types" (instance $api)))`,
  lower: `(component
    (import "host" (instance $h (export "log" (func (param "x" u32)))))
    (alias export $h "log" (func $log))
    (core func $log_lowered (canon lower (func $log)))
    (core module $m
      (import "host" "log" (func $log (param i32)))
      (func (export "run") (param i32) (result i32) local.get 0 call $log local.get 0 i32.const 1 i32.add))
    (core instance $i (instantiate $m (with "host" (instance (export "log" (func $log_lowered))))))
    (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))`,
  // Near the limits (issue 9): mutations may push them over; each must still end in a WeftError.
  typeChain: (() => {
    let t = '(type $t0 (list u8))';
    for (let k = 1; k < 99; k++) t += ` (type $t${k} (list $t${k - 1}))`;
    return `(component ${t})`;
  })(),
  instanceTree: (() => {
    let c = '(component)';
    for (let k = 0; k < 12; k++) c = `(component ${c} (instance (instantiate 0)) (instance (instantiate 0)))`;
    return `(component ${c} (instance (instantiate 0)))`;
  })(),
};

const GUESTS: Record<string, URL> = {
  values: new URL('./guests/values/values.wasm', import.meta.url),
  hello: new URL('../../../examples/hello/hello.wasm', import.meta.url),
};

interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Byte ranges of top-level sections other than core modules: where guest mutations are aimed. */
  hot: Array<[number, number]>;
  /** Offsets of top-level section-size LEBs. */
  sizes: number[];
}

// --- PRNG and mutations ----------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for picking mutations. */
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

function caseSeed(i: number): number {
  return (SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
}

/** Top-level sections: [id, start of header, start of payload, end]. Stops at the first malformed header. */
function outerSections(b: Uint8Array): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  let p = 8;
  while (p < b.length) {
    const id = b[p];
    let size = 0;
    let shift = 0;
    let q = p + 1;
    for (;;) {
      if (q >= b.length || shift > 28) return out;
      const byte = b[q++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    if (q + size > b.length) return out;
    out.push([id, p, q, q + size]);
    p = q + size;
  }
  return out;
}

function makeSeed(name: string, bytes: Uint8Array): Seed {
  const secs = outerSections(bytes);
  const hot = secs.filter(([id]) => id !== 1).map(([, h, , e]) => [h, e] as [number, number]);
  return { name, bytes, hot, sizes: secs.map(([, h]) => h + 1) };
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0x41, 0x60, 0x0b];

/** Encodings a LEB field can be swapped for: edge values, overlong, unterminated. */
const LEB_REPLACEMENTS: Array<(old: number) => number[]> = [
  () => [0xff, 0xff, 0xff, 0xff, 0x0f], // u32::MAX
  () => [0x80, 0x80, 0x80, 0x80, 0x10], // 2^32: out of u32 range
  () => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 10-byte
  (old) => [0x80 | (old & 0x7f), 0x80, 0x80, 0x80, 0x80, 0x00], // overlong (6 bytes)
  (old) => [0x80 | (old & 0x7f)], // unterminated
  (old) => leb(old + 1),
  (old) => leb(Math.max(0, old - 1)),
  (old) => leb(old * 2 + 1),
  () => [0x00],
];

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

/** Reads the LEB at p: [value, byte length]. */
function readLeb(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let n = 0;
  while (p + n < b.length && n < 5) {
    const byte = b[p + n];
    v += (byte & 0x7f) * 2 ** (7 * n);
    n++;
    if (!(byte & 0x80)) break;
  }
  return [v, Math.max(n, 1)];
}

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  at = Math.min(Math.max(0, at), b.length);
  remove = Math.min(Math.max(0, remove), b.length - at);
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Applies 1–3 random mutations; returns the new bytes and a description for failure messages. */
function mutate(seed: Seed, r: () => number): { bytes: Uint8Array; what: string } {
  let b = seed.bytes;
  const steps: string[] = [];
  const int = (n: number) => Math.floor(r() * n);
  const pos = () => {
    // Aim at the component-level structure of big guests most of the time.
    if (seed.hot.length && r() < 0.8) {
      const [s, e] = seed.hot[int(seed.hot.length)];
      return Math.min(s + int(Math.max(1, e - s)), Math.max(0, b.length - 1));
    }
    return int(Math.max(1, b.length));
  };
  // Mostly one mutation, so more cases get past the decoder into validation and linking.
  const count = r() < 0.6 ? 1 : 2 + int(2);
  for (let k = 0; k < count; k++) {
    const m = int(8);
    if (m === 0) {
      const p = pos();
      const bit = int(8);
      b = b === seed.bytes ? b.slice() : b;
      b[p] ^= 1 << bit;
      steps.push(`flip bit ${bit} @${p}`);
    } else if (m === 1) {
      const p = pos();
      const v = r() < 0.5 ? INTERESTING[int(INTERESTING.length)] : int(256);
      b = b === seed.bytes ? b.slice() : b;
      b[p] = v;
      steps.push(`set @${p}=0x${v.toString(16)}`);
    } else if (m === 2) {
      const p = pos();
      const n = 1 + int(16);
      const ins = Array.from({ length: n }, () => int(256));
      b = splice(b, p, 0, ins);
      steps.push(`insert ${n} @${p}`);
    } else if (m === 3) {
      const p = pos();
      const n = 1 + int(Math.min(64, b.length - p));
      b = splice(b, p, n, []);
      steps.push(`delete ${n} @${p}`);
    } else if (m === 4) {
      const n = int(b.length);
      b = b.slice(0, n);
      steps.push(`truncate to ${n}`);
    } else if (m === 5 || m === 6) {
      // LEB fiddling, at a section size half the time, else anywhere.
      const p = m === 5 && seed.sizes.length ? seed.sizes[int(seed.sizes.length)] : pos();
      if (p >= b.length) continue;
      const [old, len] = readLeb(b, p);
      const which = int(LEB_REPLACEMENTS.length);
      b = splice(b, p, len, LEB_REPLACEMENTS[which](old));
      steps.push(`leb#${which} @${p} (was ${old})`);
    } else {
      // Duplicate a chunk somewhere else: repeated sections, shifted indices.
      const from = pos();
      const n = 1 + int(Math.min(32, b.length - from));
      const chunk = b.slice(from, from + n);
      const to = int(b.length + 1);
      b = splice(b, to, 0, chunk);
      steps.push(`dup ${n} @${from}->@${to}`);
    }
  }
  return { bytes: b, what: steps.join(', ') };
}

// --- the worker that runs cases (so a hang or crash is caught and attributed) ----------

const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
// Host functions for corpus imports; anything else is a LinkError, which is fine.
const imports = { host: { log() {} } };
import(workerData.coreUrl).then(({ Component, WeftError }) => {
  parentPort.on('message', async ({ i, bytes }) => {
    let out;
    try {
      const component = await Component.compile(bytes);
      await component.instantiate(imports);
      out = { i, kind: 'ok' };
    } catch (e) {
      if (e instanceof WeftError) out = { i, kind: 'weft', name: e.name, message: String(e.message).slice(0, 300) };
      else out = { i, kind: 'other', name: (e && e.constructor && e.constructor.name) || typeof e,
        message: String(e && e.message !== undefined ? e.message : e).slice(0, 300),
        stack: String((e && e.stack) || '').split('\\n').slice(1, 6).join('\\n') };
    }
    parentPort.postMessage(out);
  });
  parentPort.postMessage({ ready: true });
}, (e) => parentPort.postMessage({ fatal: String((e && e.stack) || e) }));
`;

type Outcome = { i: number; kind: 'ok' | 'weft' | 'other'; name?: string; message?: string; stack?: string };

class CaseRunner {
  worker!: Worker;
  #pending: { resolve: (o: Outcome) => void; reject: (e: Error) => void } | undefined;

  async start(): Promise<void> {
    const coreUrl = new URL('../src/index.ts', import.meta.url).href;
    this.worker = new Worker(WORKER_SRC, { eval: true, workerData: { coreUrl }, execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      this.worker.once('message', (m) =>
        m.ready ? resolve() : reject(new Error(`fuzz worker failed to start: ${m.fatal}`)),
      );
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: Outcome) => this.#pending?.resolve(m));
    this.worker.on('error', (e) => this.#pending?.reject(new Error(`worker crashed: ${e?.stack ?? e}`)));
    this.worker.on('exit', (code) => this.#pending?.reject(new Error(`worker exited with code ${code}`)));
  }

  run(i: number, bytes: Uint8Array): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`hang: no result within ${CASE_TIMEOUT_MS} ms`)),
        CASE_TIMEOUT_MS,
      );
      this.#pending = {
        resolve: (o) => {
          clearTimeout(timer);
          this.#pending = undefined;
          resolve(o);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.#pending = undefined;
          reject(e);
        },
      };
      this.worker.postMessage({ i, bytes });
    });
  }

  async stop(): Promise<void> {
    this.worker?.removeAllListeners('exit');
    await this.worker?.terminate();
  }
}

// --- the test --------------------------------------------------------------------------

describe('fuzz: mutated components end in an instance or a WeftError', () => {
  const small: Seed[] = [];
  const big: Seed[] = [];
  const runner = new CaseRunner();

  beforeAll(async () => {
    for (const [name, text] of Object.entries(TEXTS)) small.push(makeSeed(name, await parse(text)));
    for (const [name, url] of Object.entries(GUESTS)) big.push(makeSeed(name, new Uint8Array(readFileSync(url))));
    await runner.start();
  });
  afterAll(() => runner.stop());

  it('every unmutated seed compiles and instantiates', async () => {
    for (const s of [...small, ...big]) {
      const o = await runner.run(-1, s.bytes);
      expect(o.kind === 'ok' ? 'ok' : `${s.name}: ${o.name}: ${o.message}`).toBe('ok');
    }
  });

  it(`${MAX_CASES} mutated cases (seed 0x${SEED.toString(16)})`, {
    timeout: BUDGET_MS + 4 * CASE_TIMEOUT_MS,
  }, async () => {
    const failures: string[] = [];
    const tally: Record<string, number> = {};
    const t0 = Date.now();
    let ran = 0;
    for (let i = 0; i < MAX_CASES; i++) {
      if (ONLY !== undefined && i !== ONLY) continue;
      if (Date.now() - t0 > BUDGET_MS) break;
      const r = rng(caseSeed(i));
      const pool = r() < GUEST_SHARE ? big : small;
      const seed = pool[Math.floor(r() * pool.length)];
      const { bytes, what } = mutate(seed, r);
      const where = `seed 0x${SEED.toString(16)} case ${i} (${seed.name}: ${what})`;
      let o: Outcome;
      try {
        o = await runner.run(i, bytes);
      } catch (e) {
        // A hang or crash ends the run: the worker is gone or wedged.
        throw new Error(`${where}: ${(e as Error).message}; input saved to ${save(i, bytes)}`);
      }
      ran++;
      const key = o.kind === 'ok' ? 'ok' : (o.name ?? o.kind);
      tally[key] = (tally[key] ?? 0) + 1;
      if (o.kind === 'other' && failures.length < 20) {
        failures.push(`${where}: ${o.name}: ${o.message}\n${o.stack}\n  input saved to ${save(i, bytes)}`);
      }
    }
    console.log(`fuzz: ${ran} cases in ${Date.now() - t0} ms, seed 0x${SEED.toString(16)}:`, tally);
    expect(ran).toBeGreaterThan(0);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});

function save(i: number, bytes: Uint8Array): string {
  const path = join(tmpdir(), `weft-fuzz-${SEED.toString(16)}-${i}.wasm`);
  try {
    writeFileSync(path, bytes);
  } catch {
    return '(could not save)';
  }
  return path;
}
