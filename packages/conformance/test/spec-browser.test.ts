// The Component Model spec's .wast suite in Chromium (src/browser/spec-runner.ts), one test per
// file against the same expectations/spec.json as on Node, in runtime mode and in bundle mode.
// Skipped (one line) when ../shared is absent; skipped loudly without /usr/bin/chromium, unless
// WEFT_REQUIRE_BROWSER=1 (CI), which makes that a failure.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumStatus, skipBanner } from '../../../examples/browser/harness/chromium.ts';
import { BrowserWastRunner } from '../src/browser/spec-runner.ts';
import { loadExpectations, unknownEntries } from '../src/expectations.ts';
import { EXPECTATIONS_DIR, SPEC_DIR, shown } from '../src/paths.ts';
import { judgeSpecFile, listWastFiles } from '../src/spec-suite.ts';
import { skippedSummary, Tally, writeSummary } from '../src/summary.ts';

const EXPECTATIONS = join(EXPECTATIONS_DIR, 'spec.json');
const MODES = [
  { suite: 'spec-browser', bundle: false },
  { suite: 'spec-browser-bundle', bundle: true },
];

const available = existsSync(SPEC_DIR);
const chromium = chromiumStatus();

if (!available || !chromium.available) {
  const why = !available ? `${shown(SPEC_DIR)} not found` : chromium.available ? '' : chromium.reason;
  if (available && !chromium.available) console.warn(skipBanner('the spec .wast suite in Chromium', why));
  describe.skip(`spec .wast suite in Chromium (${why})`, () => {
    it('runs every file', () => {});
  });
  for (const { suite } of MODES) process.stdout.write(`${writeSummary(skippedSummary(suite, why))}\n`);
} else {
  const files = await listWastFiles(SPEC_DIR);
  const expected = await loadExpectations(EXPECTATIONS);
  let runner: BrowserWastRunner;

  describe(`spec .wast suite in Chromium (${shown(SPEC_DIR)}, ${files.length} files)`, () => {
    beforeAll(async () => {
      runner = await BrowserWastRunner.start();
    }, 120_000);
    afterAll(async () => {
      await runner?.close();
    });

    for (const { suite, bundle } of MODES) {
      // Made when the mode starts: the modes run one after the other, each timed on its own.
      let tally = new Tally(suite, files.length);

      describe(suite, () => {
        beforeAll(() => {
          tally = new Tally(suite, files.length);
        });
        afterAll(() => {
          process.stdout.write(`${writeSummary(tally.summary())}\n`);
        });

        it('lists only files that exist in expectations/spec.json', () => {
          tally.unknownEntries = unknownEntries(expected, files);
          expect(tally.unknownEntries, 'remove these entries from expectations/spec.json').toEqual([]);
        });

        // One page runs the files one after another (as on Node: legacyCancellable, 10 s a directive).
        it.each(files)('%s', async (file) => {
          const r = await runner.run(join(SPEC_DIR, file), { timeoutMs: 10_000, legacyCancellable: true, bundle });
          const message = judgeSpecFile(r, file, expected, tally);
          if (message) expect.fail(message);
        });
      });
    }
  });
}
