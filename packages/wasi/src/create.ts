// createWasi: every WASI interface Weft serves, in one import object. The
// 0.3 and 0.2 halves share one ResolvedCli, so both write through the same
// stdout/stderr sinks (output interleaves in call order) and read one stdin.

import { createWasiP2 } from '@weft/wasi-p2';
import { composeWasiHost, type WasiHost, type WasiImports, type WasiOptions } from './compose.ts';

/** The import object and the handles a runner needs. */
export function createWasiHost(options: WasiOptions = {}): WasiHost {
  return composeWasiHost(options, createWasiP2);
}

/**
 * One import object with every interface: wasi:cli, wasi:clocks and
 * wasi:random at 0.3.0 (which the linker's semver matching also offers for
 * 0.3.x and the 0.3.0-rc names), and WASI 0.2 through @weft/wasi-p2.
 */
export function createWasi(options: WasiOptions = {}): WasiImports {
  return createWasiHost(options).imports;
}
