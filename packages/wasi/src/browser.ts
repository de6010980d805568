// The browser entry of @weft/wasi (the `browser` export condition): createWasi with browser
// defaults and WASI 0.3 only. See BROWSER.md.

export {
  composeWasiHost,
  type WasiHost,
  type WasiImports,
  type WasiOptions,
  type WasiP2Factory,
  type WasiParts,
  wasiPartsOf,
} from './compose.ts';
export { createWasi, createWasiHost } from './browser-create.ts';
export { importsWasiP2, loadWasiHost, wasiHostFactory } from './browser-load.ts';
export { CaptureSink, type CliOptions, runCommand, WasiExit } from '@weft/wasi-cli';
export { VirtualClock } from '@weft/wasi-clocks';
export { MemoryBackend, type MemoryTree, memoryTree, OverlayBackend } from '@weft/wasi-fs';
