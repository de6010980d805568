// runCommand: calls a command component's wasi:cli/run export and turns how
// it ended into an exit code (0 ok, 1 err, the code given to exit / exit-with-code).

import { findWasiExit } from './exit.ts';

interface InstanceLike {
  exports: Record<string, unknown>;
}

/** The run export's key: wasi:cli/run@0.3.x preferred, else @0.2.x (highest patch wins). */
export function findRunExport(exports: Record<string, unknown>): string | undefined {
  const keys = Object.keys(exports).filter((k) => /^wasi:cli\/run@0\.[23]\./.test(k));
  const rank = (k: string) => {
    const m = /@0\.(\d+)\.(\d+)(-.*)?$/.exec(k);
    return m === null ? -1 : Number(m[1]) * 1e6 + Number(m[2]) * 10 - (m[3] !== undefined ? 1 : 0);
  };
  keys.sort((a, b) => rank(b) - rank(a));
  return keys[0];
}

export interface RunCommandOptions {
  /** Awaited after run ends, before returning (e.g. CliHost.drain, so output lands first). */
  drain?: () => Promise<void>;
}

/**
 * Runs the command; resolves with its exit code. A trap (or any other host
 * failure) rejects: the caller reports it.
 */
export async function runCommand(instance: InstanceLike, options: RunCommandOptions = {}): Promise<number> {
  const key = findRunExport(instance.exports);
  if (key === undefined) throw new TypeError('the component does not export wasi:cli/run (0.3.x or 0.2.x)');
  const iface = instance.exports[key] as { run?: () => unknown };
  if (typeof iface?.run !== 'function') throw new TypeError(`${key} has no run function`);
  let code: number;
  try {
    // `run` returns `result`: ok resolves, err rejects with a ComponentError.
    await iface.run();
    code = 0;
  } catch (e) {
    const exit = findWasiExit(e);
    if (exit !== undefined) code = exit.code;
    else if ((e as { name?: string })?.name === 'ComponentError') code = 1;
    else throw e;
  }
  await options.drain?.();
  return code;
}
