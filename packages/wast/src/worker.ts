// Runs a .wast file in a worker thread, so a guest stuck in a synchronous
// loop is stopped by terminating the worker after `hardLimitMs`, counted from
// when the worker has loaded (it posts READY first).

import { Worker } from 'node:worker_threads';
import type { WastOptions, WastResult } from './runner.ts';

// The worker script sits beside this file: .ts when run from source, .js from dist.
const WORKER = new URL(`./worker-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** The worker's first message: its modules are loaded. */
export const READY = 'weft-wast-worker-ready';
/** How long a worker may take to load before its file fails (ms). */
const LOAD_LIMIT_MS = 60_000;

export function runWastFileInWorker(
  file: string,
  options: WastOptions = {},
  hardLimitMs = 60_000,
): Promise<WastResult> {
  const failed = (reason: string): WastResult => ({
    file,
    passed: false,
    failure: { directive: 'file', line: 0, reason },
    directives: 0,
  });
  // Sources run with the weft-source condition; keep it for the worker.
  const execArgv = process.execArgv.some((a) => a.includes('weft-source'))
    ? process.execArgv
    : import.meta.url.endsWith('.ts')
      ? [...process.execArgv, '--conditions=weft-source']
      : process.execArgv;
  return new Promise((resolve) => {
    const w = new Worker(WORKER, { workerData: { file, options }, execArgv });
    let done = false;
    const finish = (r: WastResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void w.terminate();
      resolve(r);
    };
    let timer = setTimeout(() => finish(failed(`the worker did not load within ${LOAD_LIMIT_MS} ms`)), LOAD_LIMIT_MS);
    w.on('message', (r: WastResult | typeof READY) => {
      if (r !== READY) return finish(r);
      clearTimeout(timer);
      timer = setTimeout(() => finish(failed(`timed out after ${hardLimitMs} ms`)), hardLimitMs);
    });
    w.on('error', (e) => finish(failed(`crashed: ${e.message}`)));
    w.on('exit', (code) => finish(failed(`worker exited with code ${code}`)));
  });
}
