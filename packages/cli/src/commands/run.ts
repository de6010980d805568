// `weft run [options] component.wasm [args...]`: runs a command component's
// wasi:cli/run (0.3.x, else 0.2.x) with the process's stdio, and returns its
// exit code. With --invoke, calls one export and prints the result in WAVE
// syntax instead (the component still gets the WASI imports).

import type { ComponentType, FuncType } from '@weft/core';
import { camelCase } from '@weft/core';
import { NodeBackend } from '@weft/wasi-fs';
import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { loadComponent } from './load.ts';
import { networkOptions } from './net-args.ts';
import { checkDirs, guestArgs, guestEnv, type RunArgs } from './run-args.ts';
import { blockingStdioFor } from './run-stdio.ts';

const TYPE = Symbol.for('weft.type');

type Fn = ((...args: unknown[]) => unknown) & { [TYPE]?: FuncType };

/** Finds `name` (top level) or `iface#func` / `iface.func` (inside an exported instance). */
export function findExport(
  exports: Record<string, any>,
  type: ComponentType,
  name: string,
): { fn: Fn; type?: FuncType } {
  const top = exports[name] ?? exports[camelCase(name)];
  if (typeof top === 'function') {
    const ext = type.exports.get(name);
    return { fn: top, type: top[TYPE] ?? (ext?.kind === 'func' ? ext.type : undefined) };
  }
  const sep = Math.max(name.lastIndexOf('#'), name.lastIndexOf('.'));
  if (sep > 0) {
    const iface = name.slice(0, sep);
    const fname = name.slice(sep + 1);
    const inst = exports[iface];
    const fn = inst?.[camelCase(fname)] ?? inst?.[fname];
    if (typeof fn === 'function') {
      const ext = type.exports.get(iface);
      const fext = ext?.kind === 'instance' ? ext.type.exports.get(fname) : undefined;
      return { fn, type: fn[TYPE] ?? (fext?.kind === 'func' ? fext.type : undefined) };
    }
  }
  const names = [...type.exports.keys()].join(', ') || '(none)';
  throw new Error(`no exported function "${name}"; exports: ${names}`);
}

export type RunOptions = Pick<RunArgs, 'file'> & Partial<Omit<RunArgs, 'file'>>;

export async function runCommand(opts: RunOptions, io: Io): Promise<number> {
  const dirs = opts.dirs ?? [];
  checkDirs(dirs);
  const component = await loadComponent(opts.file, {
    fuel: opts.fuel !== undefined,
    interruptible: opts.timeoutMs !== undefined,
    maxMemoryPages: opts.maxMemoryPages,
  });
  // @weft/wasi/load brings in WASI 0.2 (preview2-shim) only if the component imports it.
  const { loadWasiHost } = await import('@weft/wasi/load');
  const host = await loadWasiHost(
    {
      args: guestArgs(opts),
      env: guestEnv({ env: [], inheritEnv: false, dirs: [], help: false, args: [], ...opts }, process.env),
      cwd: dirs.length > 0 ? '/' : undefined,
      ...io.stdio,
      // Each directory is served by a sandboxed NodeBackend, for 0.3 and 0.2 alike.
      preopens: dirs.map((d) => ({ guestPath: d.guest, backend: new NodeBackend(d.host, { readOnly: d.readOnly }) })),
      // --allow-net / --inherit-network; none: the guest's sockets are all denied.
      network: networkOptions(opts),
    },
    component.type.imports.keys(),
  );
  // WASI 0.2's blocking calls (stdin's blocking-read) are synchronous for the
  // guest but wait on the event loop here: let the guest suspend on them.
  const importsP2 = [...component.type.imports.keys()].some((k) => /^wasi:[^/]+\/[^@]+@0\.2\./.test(k));
  const instance = await component.instantiate(host.imports, {
    hostImportsMaySuspend: importsP2,
    fuel: opts.fuel,
    timeout: opts.timeoutMs,
  });
  // Only with the process's own stdio (tests and embedders pass theirs).
  if (io.stdio === undefined) blockingStdioFor(component.type.imports.keys());
  if (!opts.invoke) {
    const { findRunExport } = await import('@weft/wasi-cli');
    if (findRunExport(instance.exports) === undefined)
      throw new UsageError("the component exports no wasi:cli/run (0.3.x or 0.2.x); pass --invoke 'name(args)'");
    return await host.run(instance);
  }
  // WAVE is only needed for --invoke: a plain run never loads it.
  const [{ parseCall }, { printWave }] = await Promise.all([import('../wave/parse.ts'), import('../wave/print.ts')]);
  const call = parseCall(opts.invoke);
  const { fn, type } = findExport(instance.exports, component.type, call.name);
  if (!type) throw new Error(`cannot find the type of "${call.name}"`);
  const args = call.args(type);
  const rt = type.result;
  let value: unknown;
  if (rt?.kind === 'result') {
    try {
      value = { tag: 'ok', val: await fn(...args) };
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ComponentError' && 'payload' in e)) throw e;
      value = { tag: 'err', val: (e as { payload: unknown }).payload };
    }
  } else {
    value = await fn(...args);
  }
  await host.drain();
  if (rt) io.out(printWave(value, rt));
  return 0;
}
