// Runs one .wast file off the test runner's thread, so a guest stuck in a loop
// is stopped by terminating the worker.

import { parentPort, workerData } from 'node:worker_threads';
import { runWastFile, type WastOptions } from '@weft/wast';

const { file, options } = workerData as { file: string; options: WastOptions };
process.on('unhandledRejection', () => {
  // A guest's background task failing surfaces through the directive that awaits it.
});
parentPort!.postMessage(await runWastFile(file, options));
