// `@weft/wasi/load` under the `browser` condition: the same functions, but WASI 0.2 is never
// loaded (@weft/wasi-p2 needs Node: preview2-shim's browser build lacks parts it uses). A
// component that imports a 0.2 interface is refused here, by name, before it is instantiated.

import { createWasiHost } from './browser-create.ts';
import { type WasiHost, type WasiOptions, wasiPartsOf } from './compose.ts';

// (load.ts has the same test, but importing it would bundle its dynamic import of @weft/wasi-p2.)
const P2 = /^wasi:[^@]*@0\.2\./;

/** Whether any of the names is a WASI 0.2 interface (`wasi:…@0.2.x`). */
export function importsWasiP2(importNames: Iterable<string>): boolean {
  return firstP2(importNames) !== undefined;
}

/** The first WASI 0.2 import among `importNames`, if any. */
function firstP2(importNames: Iterable<string>): string | undefined {
  for (const name of importNames) if (P2.test(name)) return name;
  return undefined;
}

/**
 * The host for a component that imports `importNames` (e.g. `component.type.imports.keys()`):
 * WASI 0.3 only; a 0.2 import among them is an error naming it.
 */
export async function loadWasiHost(options: WasiOptions = {}, importNames?: Iterable<string>): Promise<WasiHost> {
  return (await wasiHostFactory(importNames, options.p2 === false))(options);
}

/** As the Node entry's: a synchronous `(options) => WasiHost` for components importing `importNames`. */
export async function wasiHostFactory(
  importNames?: Iterable<string>,
  _withoutP2 = false,
): Promise<(options: WasiOptions) => WasiHost> {
  // Read once: the names may come as an iterator (`imports.keys()`).
  const names = importNames === undefined ? undefined : [...importNames];
  const p2 = names === undefined ? undefined : firstP2(names);
  if (p2 !== undefined)
    throw new Error(
      `the component imports ${p2}: WASI 0.2 is not available in the browser build of @weft/wasi (0.3 only)`,
    );
  // Only the 0.3 packages it imports (all when not told).
  const parts = names === undefined ? undefined : wasiPartsOf(names);
  return (options) => createWasiHost(options, parts);
}
