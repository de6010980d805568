// The timing loop shared by bench.ts and peers.ts: warm up, pick N from the warm-up rate so
// the timed run fits the budget, then time N calls. Results go into a sink so no call is dead code.

/** Time budget per op and side, in ns. */
export const BUDGET_NS = 1_500_000_000n;
export const WARMUP_NS = 300_000_000n;

let sink = 0;

export function consume(v: unknown): void {
  if (typeof v === 'number') sink += v;
  else if (typeof v === 'string') sink += v.length;
  else if (v instanceof Uint8Array) sink += v[0] ?? 0;
  else if (v) sink += 1;
}

/** What the sink holds (printed at the end, so the results stay observable). */
export function sinkValue(): number {
  return sink;
}

/** ns per call of `fn`, at most `maxIters` calls per phase. */
export function measure(fn: () => unknown, maxIters: number): number {
  let warm = 0;
  const w0 = process.hrtime.bigint();
  while (process.hrtime.bigint() - w0 < WARMUP_NS && warm < maxIters) {
    consume(fn());
    warm++;
  }
  const perIter = Number(process.hrtime.bigint() - w0) / warm;
  const n = Math.max(3, Math.min(maxIters, Math.floor(Number(BUDGET_NS) / perIter)));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(fn());
  return Number(process.hrtime.bigint() - t0) / n;
}

/** ns per awaited call of an async `add(u32, u32)` (checked once), after a warm-up of a fifth of the budget. */
export async function roundTrip(add: (a: number, b: number) => Promise<unknown>, budgetMs: number): Promise<number> {
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
