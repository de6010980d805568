// createWasi for the browser entry: the WASI 0.3 host with browser-safe parts, chosen by the
// `browser` export condition of each package (compose.ts is shared): stdio only as given (a
// CaptureSink, a function, a WritableStream; stdin as bytes, a string or a stream), else
// discarded / empty (never the process's, even where this build runs under Node),
// the real clocks (performance.now, Date.now), Web Crypto randomness, preopens that are
// Backends (memoryTree, MemoryBackend, OverlayBackend, your own), wasi:http's client on fetch
// (under `network`, as on Node), wasi:sockets over virtual connections only. No WASI 0.2 (see
// browser-load.ts).

import { composeWasiHost, type WasiHost, type WasiImports, type WasiOptions, type WasiParts } from './compose.ts';

/** Throws unless the options leave WASI 0.2 out (or say nothing of it). */
function checkNoP2(options: WasiOptions): void {
  if (options.p2 !== undefined && options.p2 !== false)
    throw new TypeError('WASI 0.2 (the p2 option) is not available in the browser build of @weft/wasi: 0.3 only');
}

/** The import object and the handles a runner needs (WASI 0.3 only; of its packages, `parts`). */
export function createWasiHost(options: WasiOptions = {}, parts?: WasiParts): WasiHost {
  checkNoP2(options);
  return composeWasiHost(browserStdio(options), undefined, parts);
}

/** `options` with unset stdio as 'ignore' (resolveCliOptions would inherit Node's under Node). */
function browserStdio(options: WasiOptions): WasiOptions {
  return {
    ...options,
    stdin: options.stdin ?? 'ignore',
    stdout: options.stdout ?? 'ignore',
    stderr: options.stderr ?? 'ignore',
  };
}

/**
 * One import object with wasi:cli, wasi:clocks, wasi:random, wasi:filesystem, wasi:http and
 * wasi:sockets at 0.3.0. A component importing a WASI 0.2 interface fails to link with a
 * `missing import` error naming it.
 */
export function createWasi(options: WasiOptions = {}): WasiImports {
  return createWasiHost(options).imports;
}
