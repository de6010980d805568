// Node module hooks for loading `weft bundle` output as workerd and bundlers do: a `.wasm`
// import's default export is its WebAssembly.Module (Node's own wasm modules give an instance's
// exports), and `@weft/*` that the bundle's own place does not provide resolves from this
// package, so a bundle written anywhere runs on the CLI's own runtime.

import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

let registered = false;

/** Registers the hooks in this process (once; later calls do nothing). */
export function registerBundleHooks(): void {
  if (registered) return;
  registered = true;
  const here = import.meta.url;
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (e) {
        // A bundle outside any project with @weft/* installed: the CLI's own packages serve.
        if (!specifier.startsWith('@weft/') || (e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
        return next(specifier, { ...context, parentURL: here });
      }
    },
    load(url, context, next) {
      if (!url.endsWith('.wasm')) return next(url, context);
      // The module's source holds the bytes: no file access and no eval when it is evaluated.
      const b64 = readFileSync(new URL(url)).toString('base64');
      return {
        format: 'module',
        shortCircuit: true,
        source: `export default new WebAssembly.Module(Uint8Array.fromBase64(${JSON.stringify(b64)}));`,
      };
    },
  });
}
