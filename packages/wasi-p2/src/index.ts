export { createWasiP2, WASI_P2_VERSION } from './create.ts';
export type { ByteSink, ByteSource, P2Cli, ResolvedCli, SyncReadable, WasiP2Imports, WasiP2Options } from './types.ts';
