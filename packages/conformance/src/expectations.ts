// Checked-in expected failures (expectations/<suite>.json) and the verdict of
// each test against them: a failure must be listed, a listed test must fail.

import { readFile } from 'node:fs/promises';

export interface ExpectationsFile {
  about?: string;
  /** Test name → why it is expected to fail. */
  'expected-failures': Record<string, string>;
}

export type Verdict = 'pass' | 'expected-failure' | 'unexpected-failure' | 'unexpected-pass';

export async function loadExpectations(path: string): Promise<Map<string, string>> {
  const json = JSON.parse(await readFile(path, 'utf8')) as ExpectationsFile;
  const list = json['expected-failures'];
  if (typeof list !== 'object' || list === null || Array.isArray(list))
    throw new Error(`${path}: "expected-failures" must be an object of test name → reason`);
  for (const [name, why] of Object.entries(list)) {
    if (typeof why !== 'string' || why.trim() === '') throw new Error(`${path}: "${name}" needs a reason`);
  }
  return new Map(Object.entries(list));
}

export function verdict(passed: boolean, expectedFailure: string | undefined): Verdict {
  if (expectedFailure === undefined) return passed ? 'pass' : 'unexpected-failure';
  return passed ? 'unexpected-pass' : 'expected-failure';
}

/** Entries naming no test of the suite (renamed or removed upstream). */
export function unknownEntries(expectations: Map<string, string>, names: Iterable<string>): string[] {
  const known = new Set(names);
  return [...expectations.keys()].filter((n) => !known.has(n));
}

/** The message a test fails with when its verdict is not `pass` / `expected-failure`. */
export function verdictMessage(
  v: Verdict,
  name: string,
  file: string,
  detail: { reason?: string; failure?: string },
): string | undefined {
  if (v === 'unexpected-pass')
    return `${name} passes now but ${file} lists it as an expected failure ("${detail.reason}"): remove its entry`;
  if (v === 'unexpected-failure')
    return `${name} failed and is not in ${file}: ${detail.failure ?? '(no reason given)'}\n(fix it, or list it in ${file} with the reason)`;
  return undefined;
}
