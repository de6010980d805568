// The timing loop shared by bench.ts and peers.ts: warm up, pick N from the warm-up rate so
// the timed run fits the budget, then time N calls. Results go into a sink so no call is dead code.

/** Time budget per op and side, in ns. */
export const BUDGET_NS = 1_500_000_000n;
export const WARMUP_NS = 300_000_000n;

let sink = 0;

/**
 * Keeps `v` observable. The sink stays a small integer (V8's Smi): once a running sum passed
 * 2^30 every `+=` would allocate a heap number, and each side measured after that point (the
 * bare call, bundle mode) paid a few ns per call more than the sides measured before it.
 */
export function consume(v: unknown): void {
  if (typeof v === 'number') sink = (sink + v) & 0xfffffff;
  else if (typeof v === 'string') sink = (sink + v.length) & 0xfffffff;
  else if (v instanceof Uint8Array) sink = (sink + (v[0] ?? 0)) & 0xfffffff;
  else if (v) sink = (sink + 1) & 0xfffffff;
}

/** What the sink holds (printed at the end, so the results stay observable). */
export function sinkValue(): number {
  return sink;
}

/**
 * A fresh copy of `f`: its own code, so its inline caches and optimized code see only the side
 * it measures. One shared loop would see every side in turn: the first measured would get
 * monomorphic code and the later ones megamorphic calls and deoptimizations. `f` may use only
 * its parameters and `bound` (named by key).
 */
export function fresh<F extends Function>(f: F, bound: Record<string, unknown> = {}): F {
  // Numbered: V8 caches evaluated sources, and the same text would give back the same code.
  return new Function(...Object.keys(bound), `return (${f.toString()}); // copy ${++copies}`)(
    ...Object.values(bound),
  ) as F;
}
let copies = 0;

function measureLoop(
  fn: (arg: unknown) => unknown,
  arg: unknown,
  maxIters: number,
  consume: (v: unknown) => void,
  warmupNs: bigint,
  budgetNs: bigint,
): number {
  let warm = 0;
  const w0 = process.hrtime.bigint();
  while (process.hrtime.bigint() - w0 < warmupNs && warm < maxIters) {
    consume(fn(arg));
    warm++;
  }
  const perIter = Number(process.hrtime.bigint() - w0) / warm;
  const n = Math.max(3, Math.min(maxIters, Math.floor(Number(budgetNs) / perIter)));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(fn(arg));
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * ns per call of `fn(arg)`, at most `maxIters` calls per phase, in a fresh copy of the loop.
 * Give each side its own `fn` (`fresh(run)`), so no side pays for the ones measured before it.
 */
export function measure<A>(fn: (arg: A) => unknown, maxIters: number, arg?: A): number {
  return fresh(measureLoop)(fn, arg, maxIters, consume, WARMUP_NS, BUDGET_NS);
}

async function roundTripLoop(add: (a: number, b: number) => Promise<unknown>, budgetMs: number): Promise<number> {
  if ((await add(40, 2)) !== 42) throw new Error('wrong result');
  const warmEnd = performance.now() + budgetMs / 5;
  while (performance.now() < warmEnd) await add(1, 2);
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = performance.now() + budgetMs;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) await add(i, 1);
    n += 64;
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

/** ns per awaited call of an async `add(u32, u32)` (checked once), after a warm-up of a fifth of the budget; a fresh loop per call. */
export function roundTrip(add: (a: number, b: number) => Promise<unknown>, budgetMs: number): Promise<number> {
  return fresh(roundTripLoop)(add, budgetMs);
}
