// Every package's browser entry (the `browser` export condition, with `weft-source` for the
// TypeScript sources) bundles for the browser with esbuild: no `node:` import (esbuild fails
// on one), no free Node global, none of the Node-only modules; and without `browser` the same
// names still resolve to the Node entries.

import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, inputsOf, PACKAGES } from './browser-bundle.ts';

/** Modules that need Node: none may be in any browser bundle. */
const NODE_ONLY = [
  'wasi-fs/src/node.ts',
  'wasi-fs/src/preopens.ts',
  'wasi-http/src/client/client.ts',
  'wasi-http/src/client/index.ts',
  'wasi-http/src/server/serve.ts',
  'wasi-http/src/server/node.ts',
  'wasi-http/src/imports.ts',
  'wasi-http/src/node-defaults.ts',
  'wasi-sockets/src/udp/udp-socket.ts',
  'wasi-sockets/src/create.ts',
  'wasi/src/load.ts',
  'wasi/src/create.ts',
  'wasi-p2/',
  'preview2-shim',
  'undici',
];

/** Package name (or subpath) → the directory it is resolved from (itself) and the file its browser entry is. */
const ENTRIES: [spec: string, dir: string, entry: string][] = [
  ['@weft/core', 'core', 'core/src/index.ts'],
  ['@weft/wasi-io', 'wasi-io', 'wasi-io/src/browser.ts'],
  ['@weft/wasi-cli', 'wasi-cli', 'wasi-cli/src/index.ts'],
  ['@weft/wasi-clocks', 'wasi-clocks', 'wasi-clocks/src/index.ts'],
  ['@weft/wasi-random', 'wasi-random', 'wasi-random/src/index.ts'],
  ['@weft/wasi-fs', 'wasi-fs', 'wasi-fs/src/browser.ts'],
  ['@weft/wasi-fs/memory', 'wasi-fs', 'wasi-fs/src/memory.ts'],
  ['@weft/wasi-fs/overlay', 'wasi-fs', 'wasi-fs/src/overlay.ts'],
  ['@weft/wasi-fs/p3', 'wasi-fs', 'wasi-fs/src/p3/index.ts'],
  ['@weft/wasi-sockets', 'wasi-sockets', 'wasi-sockets/src/browser.ts'],
  ['@weft/wasi-http', 'wasi-http', 'wasi-http/src/browser.ts'],
  ['@weft/wasi-http/imports', 'wasi-http', 'wasi-http/src/browser-imports.ts'],
  ['@weft/wasi-http/web', 'wasi-http', 'wasi-http/src/web.ts'],
  ['@weft/wasi', 'wasi', 'wasi/src/browser.ts'],
  ['@weft/wasi/load', 'wasi', 'wasi/src/browser-load.ts'],
];

describe('browser entries', { timeout: 60_000 }, () => {
  for (const [spec, dir, entry] of ENTRIES) {
    it(`${spec} bundles for the browser without Node`, async () => {
      const b = await bundleForBrowser(`export * from '${spec}';`, `${PACKAGES}${dir}`);
      expect(b.inputs, 'the browser entry is the one bundled').toContain(entry);
      expect(b.freeGlobals, 'free Node globals').toEqual([]);
      expect(
        b.inputs.filter((p) => NODE_ONLY.some((n) => p.includes(n))),
        'Node-only modules',
      ).toEqual([]);
      expect(b.code).not.toMatch(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:/);
    });
  }

  it('the Node entries stay what Node resolves (no `browser` condition)', async () => {
    const nodeEntry = async (spec: string, dir: string) => {
      const r = await build({
        stdin: { contents: `export * from '${spec}';`, resolveDir: `${PACKAGES}${dir}`, loader: 'ts' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        conditions: ['weft-source'],
        metafile: true,
        logLevel: 'silent',
      });
      return inputsOf(r.metafile);
    };
    for (const [spec, dir, file] of [
      ['@weft/wasi-io', 'wasi-io', 'wasi-io/src/index.ts'],
      ['@weft/wasi-fs', 'wasi-fs', 'wasi-fs/src/index.ts'],
      ['@weft/wasi-sockets', 'wasi-sockets', 'wasi-sockets/src/index.ts'],
      ['@weft/wasi-http', 'wasi-http', 'wasi-http/src/index.ts'],
      ['@weft/wasi-http/imports', 'wasi-http', 'wasi-http/src/imports.ts'],
      ['@weft/wasi', 'wasi', 'wasi/src/index.ts'],
      ['@weft/wasi/load', 'wasi', 'wasi/src/load.ts'],
    ] as const) {
      const inputs = await nodeEntry(spec, dir);
      expect(inputs.includes(file), `${spec} → ${file}`).toBe(true);
    }
  });
});
