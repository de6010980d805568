// The wasi-testsuite folder as a list of tests, on a fresh writable copy (the
// programs create `*.cleanup` files and directories; the source is read-only),
// and the `weft run` engines: runtime mode (the .wasm) and bundle mode (its
// `weft bundle` output, under Node with code generation from strings disallowed).

import { execFile } from 'node:child_process';
import { chmod, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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
 * A command: `node --conditions=weft-source packages/cli/src/bin.ts run [--inherit-network] [--env K=V]... [--dir ROOT::/] X.wasm args...`.
 * A `wasi:http/service`: `... bin.ts serve --addr 127.0.0.1:0 [--env K=V]... [--dir ROOT::/] X.wasm [args...]`
 * (as the reference runs `wasmtime serve --addr=127.0.0.1:0`); the executor
 * learns the port from the `Serving HTTP on http://...` line on stderr.
 * The guest gets only the `--env` variables (no --inherit-env). A program whose spec lists the
 * `sockets` or `http` proposal runs with `--inherit-network` (the reference runner's
 * -Sinherit-network and -Shttp: Weft's default http client obeys the network policy).
 */
export function weftEngine(node: string = process.execPath, bin: string = CLI_BIN, mode: EngineMode = {}): Engine {
  return (run) => {
    const file = mode.file ? mode.file(run.wasm) : run.wasm;
    if (file === undefined) return { unsupported: `no bundle of ${run.wasm}` };
    const args = [...(mode.nodeFlags ?? []), '--conditions=weft-source', bin];
    if (run.world === 'wasi:http/service') args.push('serve', '--addr', '127.0.0.1:0');
    // A bundle keeps the program's own name as argv[0] (the file's basename otherwise).
    else args.push('run', ...(file !== run.wasm ? ['--argv0', basename(run.wasm)] : []));
    // As Wasmtime's runner passes -Sinherit-network (and -Shttp, whose client goes anywhere).
    if (run.proposals.includes('sockets') || run.proposals.includes('http')) args.push('--inherit-network');
    for (const [k, v] of Object.entries(run.env)) args.push('--env', `${k}=${v}`);
    if (run.root !== null) args.push('--dir', `${run.root}::/`);
    args.push(file, ...run.args);
    return { command: node, args };
  };
}

/** How `weftEngine` runs a program: bundle mode gives the bundle to run and Node's flags. */
export interface EngineMode {
  /** The file to run for a program (its bundle's .js); undefined: none was made. */
  file?: (wasm: string) => string | undefined;
  nodeFlags?: string[];
}

/**
 * Bundle mode: `weftEngine` on the bundle of each program (`bundles`: .wasm path → the
 * bundle's .js, made by `bundleProgram` before the run), under Node with code generation from
 * strings disallowed, so the closures that serve on workerd run.
 */
export function weftBundleEngine(bundles: ReadonlyMap<string, string>): Engine {
  return weftEngine(process.execPath, CLI_BIN, {
    file: (wasm) => bundles.get(wasm),
    nodeFlags: ['--disallow-code-generation-from-strings'],
  });
}

/** `weft bundle WASM -o DIR` in a child process, as a user runs it; resolves with the bundle's .js. */
export function bundleProgram(
  wasm: string,
  dir: string,
  node: string = process.execPath,
  bin: string = CLI_BIN,
): Promise<string> {
  const name = wasm.replace(/^.*\//, '').replace(/\.wasm$/, '');
  return new Promise((resolve, reject) => {
    execFile(
      node,
      ['--conditions=weft-source', bin, 'bundle', '-o', dir, '--name', name, wasm],
      { timeout: 60_000 },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`weft bundle ${wasm}: ${stderr || err.message}`)) : resolve(join(dir, `${name}.js`)),
    );
  });
}
