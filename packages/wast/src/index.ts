// @weft/wast: runs Component Model .wast scripts against @weft/core.

export { runWast, runWastFile, type WastFailure, type WastOptions, type WastResult } from './runner.ts';
export { runWastFileInWorker } from './worker.ts';
export { assembleText } from './assemble.ts';
