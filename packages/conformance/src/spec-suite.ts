// The Component Model spec's reference tests: every `*.wast` under the spec's
// `test/` folder, each through @weft/wast's runner in its own worker thread.
// The runner only reads the files, so they run in place (the folder may be read-only).

import { readdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { WastOptions, WastResult } from '@weft/wast';

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
  const options: WastOptions = { timeoutMs: 10_000, ...opts.wast };
  const hardLimit = opts.fileTimeoutMs ?? 60_000;
  const failed = (reason: string): WastResult => ({
    file,
    passed: false,
    failure: { directive: 'file', line: 0, reason },
    directives: 0,
  });
  return new Promise((resolve) => {
    const w = new Worker(new URL('./wast-worker.ts', import.meta.url), {
      workerData: { file, options },
      execArgv: ['--conditions=weft-source'],
    });
    let done = false;
    const finish = (r: WastResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void w.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish(failed(`timed out after ${hardLimit} ms`)), hardLimit);
    w.on('message', (r: WastResult) => finish(r));
    w.on('error', (e) => finish(failed(`crashed: ${e.message}`)));
    w.on('exit', (code) => finish(failed(`worker exited with code ${code}`)));
  });
}

/** `assert_return at line 12: ...`, for messages. */
export function describeFailure(r: WastResult): string {
  const f = r.failure;
  if (!f) return 'passed';
  return `${f.line > 0 ? `${f.directive} at line ${f.line}` : f.directive}: ${f.reason}`;
}
