// The worker side of runWastFileInWorker: one file, its result posted back.

import { parentPort, workerData } from 'node:worker_threads';
import { runWastFile, type WastOptions } from './runner.ts';
import { READY } from './worker.ts';

const { file, options } = workerData as { file: string; options: WastOptions };
process.on('unhandledRejection', () => {
  // A guest's background task failing surfaces through the directive that awaits it.
});
// Loaded: the file's time starts now (a cold start of the sources is not the file's).
parentPort!.postMessage(READY);
parentPort!.postMessage(await runWastFile(file, options));
