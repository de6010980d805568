// The Component Model spec's reference tests: every `*.wast` under the spec's
// `test/` folder, each through @weft/wast's runner in its own worker thread.
// The runner only reads the files, so they run in place (the folder may be read-only).

import { readdir } from 'node:fs/promises';
import { runWastFileInWorker, type WastOptions, type WastResult } from '@weft/wast';
import { verdict, verdictMessage } from './expectations.ts';
import type { Tally } from './summary.ts';

export interface WastRunOptions {
  /** For `runWastFile` (default: 10 000 ms per directive, as `weft wast`). */
  wast?: WastOptions;
  /** For the whole file, stopping synchronous hangs (default 60 000 ms). */
  fileTimeoutMs?: number;
}

/** `*.wast` under `dir`, as sorted paths relative to it (`async/cancel-stream.wast`). */
export async function listWastFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries
    .filter((e) => e.endsWith('.wast'))
    .map((e) => e.split('\\').join('/'))
    .sort();
}

export function runWastInWorker(file: string, opts: WastRunOptions = {}): Promise<WastResult> {
  return runWastFileInWorker(file, { timeoutMs: 10_000, ...opts.wast }, opts.fileTimeoutMs ?? 60_000);
}

/** `assert_return at line 12: ...`, for messages. */
export function describeFailure(r: WastResult): string {
  const f = r.failure;
  if (!f) return 'passed';
  return `${f.line > 0 ? `${f.directive} at line ${f.line}` : f.directive}: ${f.reason}`;
}

/**
 * A spec file's result against expectations/spec.json (`expected`: file → why it is expected to
 * fail): tallied, and what to fail the test with when the outcome is not the expected one.
 */
export function judgeSpecFile(
  r: WastResult,
  file: string,
  expected: ReadonlyMap<string, string>,
  tally: Tally,
): string | undefined {
  const v = verdict(r.passed, expected.get(file));
  tally.add(file, v);
  return verdictMessage(v, file, 'expectations/spec.json', { reason: expected.get(file), failure: describeFailure(r) });
}
