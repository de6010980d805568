// The Component Model spec's .wast suite, one test per file, against
// expectations/spec.json, twice: in runtime mode (Component.compile, call paths
// compiled to JavaScript) and in bundle mode (as `weft bundle` output loads: core
// modules compiled on their own, Component.fromModules, no code generation, as on
// workerd or under a strict CSP). Skipped (one line) when ../shared is absent.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExpectations, unknownEntries } from '../src/expectations.ts';
import { EXPECTATIONS_DIR, SPEC_DIR, shown } from '../src/paths.ts';
import { judgeSpecFile, listWastFiles, runWastInWorker } from '../src/spec-suite.ts';
import { skippedSummary, Tally, writeSummary } from '../src/summary.ts';

const EXPECTATIONS = join(EXPECTATIONS_DIR, 'spec.json');
const MODES = [
  { suite: 'spec', bundle: false },
  { suite: 'spec-bundle', bundle: true },
];
const available = existsSync(SPEC_DIR);

if (!available) {
  describe.skip(`spec .wast suite (${shown(SPEC_DIR)} not found)`, () => {
    it('runs every file', () => {});
  });
  process.stdout.write(`${writeSummary(skippedSummary('spec', `${shown(SPEC_DIR)} not found`))}\n`);
} else {
  const files = await listWastFiles(SPEC_DIR);
  const expected = await loadExpectations(EXPECTATIONS);
  for (const { suite, bundle } of MODES) {
    const tally = new Tally(suite, files.length);

    describe(`${suite} .wast suite (${shown(SPEC_DIR)}, ${files.length} files)`, () => {
      afterAll(() => {
        process.stdout.write(`${writeSummary(tally.summary())}\n`);
      });

      it('lists only files that exist in expectations/spec.json', () => {
        tally.unknownEntries = unknownEntries(expected, files);
        expect(tally.unknownEntries, 'remove these entries from expectations/spec.json').toEqual([]);
      });

      it.concurrent.each(files)('%s', async (file) => {
        // The corpus (component-model at 2026-08-21) predates #716, which removed the `cancellable` immediate.
        const r = await runWastInWorker(join(SPEC_DIR, file), { wast: { legacyCancellable: true, bundle } });
        const message = judgeSpecFile(r, file, expected, tally);
        if (message) expect.fail(message);
      });
    });
  }
}
