// The wasi-testsuite folder as a list of tests, on a fresh writable copy (the
// programs create `*.cleanup` files and directories; the source is read-only),
// and the `weft run` engine.

import { chmod, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN } from '../paths.ts';
import type { Engine } from './executor.ts';
import { readSpec, type TestSpec } from './spec.ts';

export interface WasiTest {
  name: string;
  wasm: string;
  /** Absent when the .json is invalid; then `specError` says why. */
  spec?: TestSpec;
  specError?: string;
}

export interface WasiSuiteCopy {
  /** The copy of the folder the programs run from. */
  dir: string;
  tests: WasiTest[];
  /** A fresh copy of `root` for one test, so tests running side by side do not see each other's files. */
  isolate(test: WasiTest): Promise<string>;
  dispose(): Promise<void>;
}

/** Copies `source` (e.g. `wasm32-wasip3/`) to a temp dir, removes `*.cleanup`, lists `*.wasm` with their specs. */
export async function copyWasiSuite(source: string): Promise<WasiSuiteCopy> {
  const base = await mkdtemp(join(tmpdir(), 'weft-wasi-testsuite-'));
  const dir = join(base, 'suite');
  await cp(source, dir, { recursive: true });
  await makeWritable(dir);
  await removeCleanup(dir);
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => f.slice(0, -'.wasm'.length))
    .sort();
  const tests = await Promise.all(
    names.map(async (name): Promise<WasiTest> => {
      const wasm = join(dir, `${name}.wasm`);
      try {
        return { name, wasm, spec: await readSpec(wasm) };
      } catch (e) {
        return { name, wasm, specError: (e as Error).message };
      }
    }),
  );
  return {
    dir,
    tests,
    async isolate(test) {
      const own = join(base, 'roots', test.name);
      for (const op of test.spec?.operations ?? []) {
        if (op.type === 'run' && op.root !== null) {
          await cp(join(dir, op.root), join(own, op.root), { recursive: true });
          await makeWritable(join(own, op.root));
        }
      }
      return own;
    },
    dispose: () => rm(base, { recursive: true, force: true }),
  };
}

/** Copies keep the source's read-only modes; the programs need to write. */
async function makeWritable(path: string): Promise<void> {
  const s = await stat(path);
  await chmod(path, s.isDirectory() ? 0o755 : 0o644);
  if (s.isDirectory()) for (const e of await readdir(path)) await makeWritable(join(path, e));
}

/** Test artifacts from an earlier run, files or directories (the specification's preparation step). */
async function removeCleanup(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.endsWith('.cleanup') && !e.isSymbolicLink()) await rm(p, { recursive: true, force: true });
    else if (e.isDirectory()) await removeCleanup(p);
  }
}

/**
 * A command: `node --conditions=weft-source packages/cli/src/bin.ts run [--env K=V]... [--dir ROOT::/] X.wasm args...`.
 * A `wasi:http/service`: `... bin.ts serve --addr 127.0.0.1:0 [--env K=V]... [--dir ROOT::/] X.wasm [args...]`
 * (as the reference runs `wasmtime serve --addr=127.0.0.1:0`); the executor
 * learns the port from the `Serving HTTP on http://...` line on stderr.
 * The guest gets only the `--env` variables (no --inherit-env). Proposals need
 * no flags: Weft's hosts offer wasi:http (and whatever else it has) always.
 */
export function weftEngine(node: string = process.execPath, bin: string = CLI_BIN): Engine {
  return (run) => {
    const args = ['--conditions=weft-source', bin];
    if (run.world === 'wasi:http/service') args.push('serve', '--addr', '127.0.0.1:0');
    else args.push('run');
    for (const [k, v] of Object.entries(run.env)) args.push('--env', `${k}=${v}`);
    if (run.root !== null) args.push('--dir', `${run.root}::/`);
    args.push(run.wasm, ...run.args);
    return { command: node, args };
  };
}
