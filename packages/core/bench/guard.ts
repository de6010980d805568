// The cost of fuel and deadline checks (issue 9): the componentize-qjs values
// guest compiled plain, interruptible (deadline checks), and with fuel, the
// same calls timed in the same run. Goal: ≤ 10% slower with deadlines, ≤ 25% with fuel.
// "sliced": interruptible with time slicing (every call enters through JSPI).

import { Component } from '@weft/core';
import { fresh } from './measure.ts';

export interface GuardRow {
  op: string;
  plain: number;
  deadline: number;
  sliced: number;
  fuel: number;
}

type Fn = (...a: unknown[]) => unknown;

export async function runGuardBench(
  bytes: Uint8Array,
  measure: <A>(fn: (arg: A) => unknown, maxIters: number, arg?: A) => number,
  str100: string,
): Promise<GuardRow[]> {
  const make = async (opts: { fuel?: boolean; interruptible?: boolean }, inst: Record<string, unknown>) =>
    ((await (await Component.compile(bytes, opts)).instantiate({}, inst)) as { exports: Record<string, Fn> }).exports;
  const plain = await make({}, {});
  const deadline = await make({ interruptible: true }, { timeout: 3_600_000 });
  const sliced = await make({ interruptible: true }, { timeout: 3_600_000, timeSlice: true });
  const fuel = await make({ fuel: true }, { fuel: 10n ** 15n });
  const ops: Array<[string, (e: Record<string, Fn>) => unknown, number]> = [
    ['add(u32, u32)', (e) => e.add!(20, 22), 20_000_000],
    ['echo(string), 100 chars', (e) => e.echo!(str100), 5_000_000],
  ];
  const rows: GuardRow[] = [];
  for (const [op, run, max] of ops) {
    // interleaved, so drift in machine load hits every column alike
    const on = (e: Record<string, Fn>) => measure(fresh(run, { str100 }), max, e);
    const p1 = on(plain);
    const d = on(deadline);
    const sl = on(sliced);
    const f = on(fuel);
    const p2 = on(plain);
    rows.push({ op, plain: (p1 + p2) / 2, deadline: d, sliced: sl, fuel: f });
  }
  return rows;
}

export function guardSummary(rows: GuardRow[]): string {
  const pct = (x: number, base: number) => `${x / base >= 1 ? '+' : ''}${((x / base - 1) * 100).toFixed(0)}%`;
  return `instrumented values guest (plain / deadline / deadline+timeSlice / fuel ns): ${rows
    .map(
      (r) =>
        `${r.op.split('(')[0]} ${r.plain.toFixed(0)} / ${r.deadline.toFixed(0)} (${pct(r.deadline, r.plain)}) / ${r.sliced.toFixed(0)} (${pct(r.sliced, r.plain)}) / ${r.fuel.toFixed(0)} (${pct(r.fuel, r.plain)})`,
    )
    .join('; ')} — goals ≤ +10% deadline, ≤ +25% fuel`;
}
