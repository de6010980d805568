// esbuild for pages: one ES module from a TypeScript entry, @weft/* from their sources (the
// workspace needs no build first) with their "browser" exports, and `.wasm` imports left to the
// page (bundle output's core modules, loaded as source phase imports).

import { readFileSync, writeFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';

export interface PageBundle {
  entry: string;
  outfile: string;
  /** Modules replaced: import specifier (`node:worker_threads`) → the file that stands in for it. */
  replace?: Record<string, string>;
}

/**
 * A Node built-in loaded with `await import('node:…')` stays a runtime import: code paths that
 * only Node takes (a host name lookup) may load one on use. A static `import … from 'node:…'`
 * is still an error, since the page could not load at all.
 */
const lazyNodeBuiltins: Plugin = {
  name: 'lazy-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    );
  },
};

function replaceModules(replace: Record<string, string>): Plugin {
  const names = Object.keys(replace).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    name: 'replace-modules',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({ path: replace[args.path]! }));
    },
  };
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
    plugins: [lazyNodeBuiltins, ...(b.replace ? [replaceModules(b.replace)] : [])],
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
  const left = /^import (?!source )[^\n]*\.wasm['"];?$/m.exec(text);
  if (left) throw new Error(`${file}: a .wasm import not rewritten to a source phase import: ${left[0]}`);
  writeFileSync(file, text);
  return n;
}
