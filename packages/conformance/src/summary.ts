// One summary line per suite, also written to .results/<suite>.{txt,json}
// (gitignored) for .ci/run to print at the end of CI.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from './expectations.ts';
import { RESULTS_DIR } from './paths.ts';

export interface SuiteSummary {
  suite: string;
  /** Why the suite did not run. */
  skipped?: string;
  /** Tests in the suite, and how many of them ran (fewer under a test filter). */
  total: number;
  ran: number;
  passed: number;
  expectedFailures: number;
  unexpectedFailures: string[];
  unexpectedPasses: string[];
  /** Listed in the expectations file but not in the suite. */
  unknownEntries: string[];
  durationMs: number;
}

export class Tally {
  readonly suite: string;
  readonly total: number;
  readonly start = performance.now();
  readonly verdicts = new Map<string, Verdict>();
  unknownEntries: string[] = [];

  constructor(suite: string, total: number) {
    this.suite = suite;
    this.total = total;
  }

  add(name: string, v: Verdict): void {
    this.verdicts.set(name, v);
  }

  summary(): SuiteSummary {
    const of = (v: Verdict) => [...this.verdicts].filter(([, x]) => x === v).map(([n]) => n);
    return {
      suite: this.suite,
      total: this.total,
      ran: this.verdicts.size,
      passed: of('pass').length,
      expectedFailures: of('expected-failure').length,
      unexpectedFailures: of('unexpected-failure'),
      unexpectedPasses: of('unexpected-pass'),
      unknownEntries: this.unknownEntries,
      durationMs: Math.round(performance.now() - this.start),
    };
  }
}

/**
 * `conformance: wasi-testsuite 7/55 passed, 48 expected failures, 0 unexpected (9.1 s)`, or
 * `conformance: spec skipped: <why>`.
 */
export function summaryLine(s: SuiteSummary): string {
  if (s.skipped !== undefined) return `conformance: ${s.suite} skipped: ${s.skipped}`;
  const unexpected = s.unexpectedFailures.length + s.unexpectedPasses.length + s.unknownEntries.length;
  const details = [
    s.unexpectedFailures.length ? `failed: ${s.unexpectedFailures.join(', ')}` : '',
    s.unexpectedPasses.length ? `now passing: ${s.unexpectedPasses.join(', ')}` : '',
    s.unknownEntries.length ? `unknown entries: ${s.unknownEntries.join(', ')}` : '',
  ].filter(Boolean);
  const partial = s.ran < s.total ? ` (${s.ran} of ${s.total} run)` : '';
  return (
    `conformance: ${s.suite} ${s.passed}/${s.ran} passed${partial}, ` +
    `${s.expectedFailures} expected failure${s.expectedFailures === 1 ? '' : 's'}, ` +
    `${unexpected} unexpected${details.length ? ` (${details.join('; ')})` : ''} ` +
    `(${(s.durationMs / 1000).toFixed(1)} s)`
  );
}

export function skippedSummary(suite: string, why: string): SuiteSummary {
  return {
    suite,
    skipped: why,
    total: 0,
    ran: 0,
    passed: 0,
    expectedFailures: 0,
    unexpectedFailures: [],
    unexpectedPasses: [],
    unknownEntries: [],
    durationMs: 0,
  };
}

/** Writes .results/<suite>.txt (the line) and .json; returns the line. */
export function writeSummary(s: SuiteSummary, dir: string = RESULTS_DIR): string {
  const line = summaryLine(s);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${s.suite}.json`), `${JSON.stringify({ ...s, line }, null, 2)}\n`);
  writeFileSync(join(dir, `${s.suite}.txt`), `${line}\n`);
  return line;
}
