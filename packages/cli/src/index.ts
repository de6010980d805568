export { main, USAGE } from './main.ts';
export type { Io } from './io.ts';
export { parseWave, parseCall, tokenize, WaveError, type ParsedCall } from './wave/parse.ts';
export { printWave, waveString, waveChar, waveFloat, waveLabel } from './wave/print.ts';
export { printWorld, witType, witFunc } from './wit.ts';
export { formatResult } from './commands/wast.ts';
export { type BundleArgs, type BundleResult, bundle } from './commands/bundle.ts';
