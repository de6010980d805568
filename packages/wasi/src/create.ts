// createWasi: every WASI interface Weft serves, in one import object. The
// 0.3 and 0.2 halves share one ResolvedCli, so both write through the same
// stdout/stderr sinks (output interleaves in call order) and read one stdin.

import { type CliHost, type CliOptions, createCliHost, resolveCliOptions, runCommand } from '@weft/wasi-cli';
import { type ClocksOptions, createClocks } from '@weft/wasi-clocks';
import { createWasiP2, type WasiP2Options } from '@weft/wasi-p2';
import { createRandom, type RandomOptions } from '@weft/wasi-random';

export interface WasiOptions extends CliOptions {
  /** wasi:clocks@0.3 options, e.g. `{ virtual: new VirtualClock() }`. */
  clocks?: ClocksOptions;
  /** wasi:random@0.3 options, e.g. `{ seed: 1 }` for deterministic runs. */
  random?: RandomOptions;
  /** WASI 0.2 (preview2-shim) options: preopens, network, http. `false` leaves 0.2 out. */
  p2?: WasiP2Options | false;
}

export type WasiImports = Record<string, Record<string, unknown>>;

export interface WasiHost {
  /** Pass to `component.instantiate`. */
  imports: WasiImports;
  /** The 0.3 wasi:cli host (its resolved options are shared with 0.2). */
  cli: CliHost;
  /** Resolves once everything the guest wrote to stdout/stderr reached its sink. */
  drain(): Promise<void>;
  /** Runs the command's wasi:cli/run (0.3.x, else 0.2.x) and resolves with its exit code. */
  run(instance: { exports: Record<string, unknown> }): Promise<number>;
}

/** The import object and the handles a runner needs. */
export function createWasiHost(options: WasiOptions = {}): WasiHost {
  const { clocks, random, p2, ...cliOptions } = options;
  const resolved = resolveCliOptions(cliOptions);
  const cli = createCliHost(resolved);
  // Later entries never overlap earlier ones: 0.2 keys are @0.2.x, the rest @0.3.0.
  const imports: WasiImports = {
    ...(p2 === false ? {} : createWasiP2(resolved, p2 ?? {})),
    ...(createClocks(clocks) as unknown as WasiImports),
    ...(createRandom(random) as unknown as WasiImports),
    ...cli.imports,
  };
  const drain = () => cli.drain();
  return { imports, cli, drain, run: (instance) => runCommand(instance, { drain }) };
}

/**
 * One import object with every interface: wasi:cli, wasi:clocks and
 * wasi:random at 0.3.0 (which the linker's semver matching also offers for
 * 0.3.x and the 0.3.0-rc names), and WASI 0.2 through @weft/wasi-p2.
 */
export function createWasi(options: WasiOptions = {}): WasiImports {
  return createWasiHost(options).imports;
}
