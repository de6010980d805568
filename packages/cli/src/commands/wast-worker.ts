// Runs one .wast file off the main thread, so a guest stuck in a loop can be
// stopped by terminating the worker.

import { parentPort, workerData } from 'node:worker_threads';
import { runWastFile, type WastOptions } from '@weft/wast';

const { file, options } = workerData as { file: string; options: WastOptions };
process.on('unhandledRejection', () => {
  // Background task failures surface through the directive that awaits them.
});
const result = await runWastFile(file, options);
parentPort!.postMessage(result);
