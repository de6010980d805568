// esbuild for pages: one ES module from a TypeScript entry, @weft/* from their sources (the
// workspace needs no build first) with their "browser" exports, and `.wasm` imports left to the
// page (bundle output's core modules, loaded as source phase imports).

import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

export interface PageBundle {
  entry: string;
  outfile: string;
  /** Replace modules by path (a Node-only module by its browser stand-in). */
  alias?: Record<string, string>;
  define?: Record<string, string>;
}

export async function bundlePage(b: PageBundle): Promise<void> {
  await build({
    entryPoints: [b.entry],
    outfile: b.outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2024',
    conditions: ['weft-source', 'browser'],
    external: ['*.wasm'],
    alias: b.alias,
    define: b.define,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/**
 * Rewrites a bundled page's `import x from "./y.wasm"` (what `weft bundle` output says, and
 * what esbuild leaves as written, the .wasm files being external) to `import source x from
 * "./y.wasm"`: the browser fetches and compiles the module as a script, under script-src, and
 * hands the page a `WebAssembly.Module`. esbuild cannot parse `import source` itself, so this
 * runs on its output.
 */
export function sourcePhaseWasmImports(file: string): number {
  let n = 0;
  const text = readFileSync(file, 'utf8').replace(
    /^import (\w+) from ("\.\/[^"\n]+\.wasm");$/gm,
    (_, name: string, spec: string) => {
      n++;
      return `import source ${name} from ${spec};`;
    },
  );
  writeFileSync(file, text);
  return n;
}
