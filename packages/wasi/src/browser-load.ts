// `@weft/wasi/load` under the `browser` condition: the same functions, but WASI 0.2 is never
// loaded (@weft/wasi-p2 needs Node: preview2-shim's browser build lacks parts it uses). A
// component that imports a 0.2 interface is refused here, by name, before it is instantiated.

import { composeWasiHost, type WasiHost, type WasiOptions } from './compose.ts';
import { importsWasiP2 } from './load.ts';

export { importsWasiP2 };

/** The first WASI 0.2 import among `importNames`, if any. */
function firstP2(importNames: Iterable<string>): string | undefined {
  for (const name of importNames) if (importsWasiP2([name])) return name;
  return undefined;
}

/** Throws unless the options leave WASI 0.2 out (or say nothing of it). */
export function checkNoP2(options: WasiOptions): void {
  if (options.p2 !== undefined && options.p2 !== false)
    throw new TypeError('WASI 0.2 (the p2 option) is not available in the browser build of @weft/wasi: 0.3 only');
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
  const p2 = importNames === undefined ? undefined : firstP2(importNames);
  if (p2 !== undefined)
    throw new Error(
      `the component imports ${p2}: WASI 0.2 is not available in the browser build of @weft/wasi (0.3 only)`,
    );
  return (options) => {
    checkNoP2(options);
    return composeWasiHost(options, undefined);
  };
}
