export {
  composeWasiHost,
  type WasiHost,
  type WasiImports,
  type WasiOptions,
  type WasiP2Factory,
  type WasiParts,
  wasiPartsOf,
} from './compose.ts';
export { createWasi, createWasiHost } from './create.ts';
export { importsWasiP2, loadWasiHost, wasiHostFactory } from './load.ts';
export { CaptureSink, type CliOptions, runCommand, WasiExit } from '@weft/wasi-cli';
export { VirtualClock } from '@weft/wasi-clocks';
