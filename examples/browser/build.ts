// Builds both pages into dist/:
//
//   dist/index.html, app.js     page 1: fetches components from dist/guests/ and compiles them
//   dist/csp/                   page 2: `weft bundle` output of the same guests, its core
//                               modules loaded as source phase imports (no compile in the page)
//
//   node --conditions=weft-source build.ts            build
//   node --conditions=weft-source build.ts --serve    build, then serve on 127.0.0.1:8788

import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@bytecodealliance/jco';
import { bundle } from '@weft/cli';
import { bundlePage, sourcePhaseWasmImports } from './harness/bundle.ts';
import { serveStatic } from './harness/static-server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '../../packages');
export const DIST = join(here, 'dist');
const BUILD = join(here, 'build');

/** The guests: name → .wasm file, or a .wat file assembled here. */
const GUESTS: Record<string, string> = {
  values: join(packages, 'core/test/guests/values/values.wasm'),
  streams: join(packages, 'core/test/guests/async/streams.wat'),
  trap: join(here, 'guests/trap.wat'),
  // wasi:cli commands in C: fs reads files (cat, ls, ...), command prints, exits, traps (trap)
  fs: join(packages, 'wasi-fs/test/guests/fs.wasm'),
  command: join(packages, 'wasi-cli/test/guests/command.wasm'),
};

/** The Content-Security-Policy of the csp/ page: no 'wasm-unsafe-eval', no 'unsafe-eval'. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";

async function guestBytes(file: string): Promise<Uint8Array> {
  return file.endsWith('.wat') ? parse(readFileSync(file, 'utf8')) : new Uint8Array(readFileSync(file));
}

export async function buildPages(): Promise<void> {
  rmSync(BUILD, { recursive: true, force: true });
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(join(DIST, 'guests'), { recursive: true });
  mkdirSync(join(DIST, 'csp'), { recursive: true });
  mkdirSync(join(BUILD, 'guests'), { recursive: true });

  // Page 1: the guests as .wasm files, the page's script.
  for (const [name, file] of Object.entries(GUESTS)) {
    const bytes = await guestBytes(file);
    writeFileSync(join(DIST, 'guests', `${name}.wasm`), bytes);
    writeFileSync(join(BUILD, 'guests', `${name}.wasm`), bytes);
  }
  for (const f of ['index.html', 'style.css']) copyFileSync(join(here, 'src', f), join(DIST, f));
  await bundlePage({ entry: join(here, 'src/app.ts'), outfile: join(DIST, 'app.js') });

  // Page 2: `weft bundle` of each guest, the page's script with them, their core modules beside it.
  const bundles = join(BUILD, 'bundles');
  for (const name of Object.keys(GUESTS))
    await bundle({ file: join(BUILD, 'guests', `${name}.wasm`), outDir: bundles });
  copyFileSync(join(here, 'src/csp.html'), join(DIST, 'csp/index.html'));
  copyFileSync(join(here, 'src/style.css'), join(DIST, 'csp/style.css'));
  await bundlePage({ entry: join(here, 'src/csp-loader.ts'), outfile: join(DIST, 'csp/loader.js') });
  await bundlePage({ entry: join(here, 'src/csp-app.ts'), outfile: join(DIST, 'csp/app.js') });
  sourcePhaseWasmImports(join(DIST, 'csp/app.js'));
  for (const f of readdirSync(bundles).filter((f) => f.endsWith('.wasm')))
    copyFileSync(join(bundles, f), join(DIST, 'csp', f));
}

/** Response headers for a served path: the strict CSP on the csp/ page and its scripts. */
export function headersFor(path: string): Record<string, string> {
  return path.startsWith('/csp/') ? { 'content-security-policy': STRICT_CSP } : {};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPages();
  console.error(`built ${DIST}`);
  if (process.argv.includes('--serve')) {
    const server = await serveStatic(DIST, { headers: headersFor, port: 8788 });
    console.error(`serving ${server.url}/ and ${server.url}/csp/ (Ctrl-C stops)`);
  }
}
