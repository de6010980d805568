export { createWasi, createWasiHost, type WasiHost, type WasiImports, type WasiOptions } from './create.ts';
export { CaptureSink, type CliOptions, runCommand, WasiExit } from '@weft/wasi-cli';
export { VirtualClock } from '@weft/wasi-clocks';
