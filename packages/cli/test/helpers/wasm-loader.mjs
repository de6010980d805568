// Node module hooks for loading `weft bundle` output as workerd and bundlers do: a `.wasm` import's
// default export is its WebAssembly.Module (Node's own wasm modules give an instance's exports),
// and `@weft/*` resolves from this package (the bundle is written to a temporary directory).
import { registerHooks } from 'node:module';
import { readFileSync } from 'node:fs';

const here = import.meta.url;

registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('@weft/')) return next(specifier, { ...context, parentURL: here });
    return next(specifier, context);
  },
  load(url, context, next) {
    if (!url.endsWith('.wasm')) return next(url, context);
    const b64 = readFileSync(new URL(url)).toString('base64');
    return {
      format: 'module',
      shortCircuit: true,
      source: `export default new WebAssembly.Module(Uint8Array.fromBase64(${JSON.stringify(b64)}));`,
    };
  },
});
