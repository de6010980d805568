// Bundling for the browser in tests: esbuild with `platform: 'browser'` and the repository's
// conditions, as a page's build would. esbuild fails on any `node:` import there; free uses
// of Node globals are caught by defining each as a marker (`define` replaces only unbound
// identifiers, so `globalThis.process?.…` feature checks stay as they are; a `typeof process`
// check is harmless and not counted).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildResult, build, type Message, type Metafile } from 'esbuild';

export const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** Node globals a browser lacks, and the marker each free use becomes. */
const NODE_GLOBALS = ['process', 'Buffer', 'global', 'require', '__dirname', '__filename'];
const marker = (name: string) => `__weft_free_${name}__`;

export interface BrowserBundle {
  code: string;
  /** Source files in the bundle, relative to packages/ (e.g. `wasi-fs/src/browser.ts`). */
  inputs: string[];
  /** Node globals the bundle uses unbound, each `name in <module>`. */
  freeGlobals: string[];
}

/** A metafile's source files, relative to packages/ where they are in it (esbuild's are relative to the cwd). */
export function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).map((p) => {
    const abs = resolve(p);
    return (abs.startsWith(PACKAGES) ? abs.slice(PACKAGES.length) : abs).replaceAll('\\', '/');
  });
}

/** Bundles `source` (an ES module importing packages by name) as resolved from `resolveDir`. */
export async function bundleForBrowser(source: string, resolveDir: string): Promise<BrowserBundle> {
  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build({
      stdin: { contents: source, resolveDir, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2023',
      conditions: ['weft-source', 'browser'],
      define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, marker(g)])),
      metafile: true,
      logLevel: 'silent',
    });
  } catch (e) {
    // esbuild's message says only how many errors: name each (a `node:` import shows here).
    const errors = (e as { errors?: Message[] }).errors ?? [];
    const where = (m: Message) => (m.location ? `${m.location.file}:${m.location.line}: ` : '');
    throw new Error(`esbuild: ${errors.map((m) => where(m) + m.text).join('; ') || String(e)}`);
  }
  const code = result.outputFiles[0]!.text;
  return {
    code,
    inputs: inputsOf(result.metafile),
    freeGlobals: freeGlobalsIn(code),
  };
}

/** Each free use of a Node global, as `name in <module>` (esbuild heads each module with `// path`). */
function freeGlobalsIn(code: string): string[] {
  const found = new Set<string>();
  for (const g of NODE_GLOBALS)
    for (const m of code.matchAll(new RegExp(`(?<!typeof )${marker(g)}`, 'g'))) {
      const heads = [...code.slice(0, m.index).matchAll(/^\/\/ (\S+)$/gm)];
      found.add(`${g} in ${heads.at(-1)?.[1] ?? '?'}`);
    }
  return [...found];
}

/** Writes a bundle to a fresh temporary directory and imports it; `cleanup` removes the directory. */
export async function importBundle(code: string): Promise<{ module: Record<string, any>; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-browser-'));
  const file = join(dir, 'bundle.mjs');
  writeFileSync(file, code);
  const module = await import(pathToFileURL(file).href);
  return { module, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
