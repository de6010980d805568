// loadWasiHost: createWasiHost for one component, loading the WASI 0.2 half
// only if the component imports a 0.2 interface. Importing this module (the
// `@weft/wasi/load` entry) never loads @weft/wasi-p2 or preview2-shim, which
// is most of a runner's start-up besides the component itself.

import { composeWasiHost, type WasiHost, type WasiOptions, wasiPartsOf } from './compose.ts';

/** Whether any of the names is a WASI 0.2 interface (`wasi:…@0.2.x`). */
export function importsWasiP2(importNames: Iterable<string>): boolean {
  for (const name of importNames) if (/^wasi:[^@]*@0\.2\./.test(name)) return true;
  return false;
}

/**
 * The host for a component that imports `importNames` (e.g.
 * `component.type.imports.keys()`); all of 0.2 too when they are not given.
 */
export async function loadWasiHost(options: WasiOptions = {}, importNames?: Iterable<string>): Promise<WasiHost> {
  return (await wasiHostFactory(importNames, options.p2 === false))(options);
}

/**
 * Loads once what hosts for a component importing `importNames` need, and returns a function
 * that makes one such host, synchronously (a server making an instance per pool slot).
 */
export async function wasiHostFactory(
  importNames?: Iterable<string>,
  withoutP2 = false,
): Promise<(options: WasiOptions) => WasiHost> {
  // Read once: the names may come as an iterator (`imports.keys()`).
  const names = importNames === undefined ? undefined : [...importNames];
  const needP2 = !withoutP2 && (names === undefined || importsWasiP2(names));
  const createP2 = needP2 ? (await import('@weft/wasi-p2')).createWasiP2 : undefined;
  // Only the 0.3 packages it imports (all when not told): a host per instance builds no more.
  const parts = names === undefined ? undefined : wasiPartsOf(names);
  return (options) => composeWasiHost(options, options.p2 === false ? undefined : createP2, parts);
}
