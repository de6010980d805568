export { createWasiP2, WASI_P2_VERSION } from './create.ts';
export type { P2Cli, WasiP2Imports, WasiP2Options } from './types.ts';
