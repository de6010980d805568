// Where the corpora, the CLI and the results live. The corpora sit outside the
// repository, at ../shared/conformance from its root (WEFT_CONFORMANCE_DIR overrides).

import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const CONFORMANCE_DIR = process.env.WEFT_CONFORMANCE_DIR ?? join(REPO_ROOT, '../shared/conformance');
/** The spec's `test/` folder: `*.wast` under async, values, resources, linking, validation, binary. */
export const SPEC_DIR = join(CONFORMANCE_DIR, 'component-model/test');
/** wasi-testsuite's prebuilt programs: NAME.wasm, NAME.json, data dirs. */
export const WASI_DIR = join(CONFORMANCE_DIR, 'wasi-testsuite/wasm32-wasip3');

/** `weft` from source: run with `node --conditions=weft-source`. */
export const CLI_BIN = join(REPO_ROOT, 'packages/cli/src/bin.ts');

export const EXPECTATIONS_DIR = join(PACKAGE_DIR, 'expectations');
/** Gitignored; one `<suite>.txt` summary line and `<suite>.json` per suite run, for .ci/run. */
export const RESULTS_DIR = join(PACKAGE_DIR, '.results');

/** A path as the repository root sees it, for messages. */
export function shown(path: string): string {
  return relative(REPO_ROOT, path) || '.';
}
