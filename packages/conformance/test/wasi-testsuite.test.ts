// wasi-testsuite's wasm32-wasip3 programs under `weft run` (and `weft serve`),
// one test per program, against expectations/wasi-testsuite.json, twice: in
// runtime mode (the .wasm) and in bundle mode (`weft bundle` output, run with
// code generation from strings disallowed). Skipped (one line) when ../shared
// is absent.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExpectations, unknownEntries, verdict, verdictMessage } from '../src/expectations.ts';
import { EXPECTATIONS_DIR, shown, WASI_DIR } from '../src/paths.ts';
import { skippedSummary, Tally, writeSummary } from '../src/summary.ts';
import { runWasiTest, type WasiTestResult } from '../src/wasi/executor.ts';
import { bundleProgram, copyWasiSuite, weftBundleEngine, weftEngine } from '../src/wasi/suite.ts';

const LISTED = 'expectations/wasi-testsuite.json';
const MODES = [
  { suite: 'wasi-testsuite', bundle: false },
  { suite: 'wasi-testsuite-bundle', bundle: true },
];
/** Per program, from start to exit; the process is killed past it. */
const TIMEOUT_MS = 20_000;
const available = existsSync(WASI_DIR);

if (!available) {
  describe.skip(`wasi-testsuite (${shown(WASI_DIR)} not found)`, () => {
    it('runs every program', () => {});
  });
  process.stdout.write(`${writeSummary(skippedSummary('wasi-testsuite', `${shown(WASI_DIR)} not found`))}\n`);
} else {
  const expected = await loadExpectations(join(EXPECTATIONS_DIR, 'wasi-testsuite.json'));
  const bundleDir = await mkdtemp(join(tmpdir(), 'weft-wasi-bundles-'));
  const bundles = new Map<string, string>();
  afterAll(() => rm(bundleDir, { recursive: true, force: true }));
  for (const { suite, bundle } of MODES) {
    // Each mode its own copy: the two run side by side, and a program writes under its root.
    const copy = await copyWasiSuite(WASI_DIR);
    const tally = new Tally(suite, copy.tests.length);
    const engine = bundle ? weftBundleEngine(bundles) : weftEngine();

    describe(`${suite} (${shown(WASI_DIR)}, ${copy.tests.length} programs)`, () => {
      afterAll(async () => {
        process.stdout.write(`${writeSummary(tally.summary())}\n`);
        await copy.dispose();
      });

      it(`lists only programs that exist in ${LISTED}`, () => {
        tally.unknownEntries = unknownEntries(
          expected,
          copy.tests.map((t) => t.name),
        );
        expect(tally.unknownEntries, `remove these entries from ${LISTED}`).toEqual([]);
      });

      it.concurrent.each(copy.tests.map((t) => [t.name, t] as const))('%s', async (name, test) => {
        let failure: string | undefined;
        let result: WasiTestResult | undefined;
        if (test.spec) {
          if (bundle) bundles.set(test.wasm, await bundleProgram(test.wasm, bundleDir));
          result = await runWasiTest({
            name,
            wasm: test.wasm,
            spec: test.spec,
            engine,
            baseDir: await copy.isolate(test),
            timeoutMs: TIMEOUT_MS,
          });
          failure = result.failure;
        } else {
          failure = `invalid specification: ${test.specError}`;
        }
        const v = verdict(failure === undefined, expected.get(name));
        tally.add(name, v);
        const message = verdictMessage(v, name, LISTED, {
          reason: expected.get(name),
          failure: result ? `${failure}${report(result)}` : failure,
        });
        if (message) expect.fail(message);
      });
    });
  }
}

/** The command line and the ends of stdout and stderr, for a failure message. */
function report(r: WasiTestResult): string {
  const tail = (s: string) => (s.length > 1500 ? `…${s.slice(-1500)}` : s);
  let out = '';
  if (r.argv.length > 0)
    out += `\n  command: ${r.argv.map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  if (r.exit) out += `\n  exit: ${r.exit.signal ?? r.exit.code}`;
  if (r.argv.length === 0) return out;
  out += `\n  stdout: ${r.stdout ? `\n${tail(r.stdout)}` : '(empty)'}`;
  out += `\n  stderr: ${r.stderr ? `\n${tail(r.stderr)}` : '(empty)'}`;
  return out;
}
