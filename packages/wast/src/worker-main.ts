// The worker side of runWastFileInWorker: one file, its result posted back.

import { parentPort, workerData } from 'node:worker_threads';
import { runWastFile, type WastOptions } from './runner.ts';

const { file, options } = workerData as { file: string; options: WastOptions };
process.on('unhandledRejection', () => {
  // A guest's background task failing surfaces through the directive that awaits it.
});
parentPort!.postMessage(await runWastFile(file, options));
