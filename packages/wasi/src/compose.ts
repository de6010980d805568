// The WASI host, put together from its parts. No static import of
// @weft/wasi-p2 here: the 0.2 half (preview2-shim, which also creates
// process.stdout/stdin/stderr as it loads) is handed in by the caller, so a
// pure 0.3 component need not load it (see load.ts).

import {
  type CliHost,
  type CliImports,
  type CliOptions,
  createCliHost,
  type ResolvedCli,
  resolveCliOptions,
  runCommand,
} from '@weft/wasi-cli';
import { type ClocksImports, type ClocksOptions, createClocks, realClock } from '@weft/wasi-clocks';
import { type FilesystemImports, filesystemP3, type PreopensOption, resolvePreopens } from '@weft/wasi-fs';
import { createHttp, type HttpImports, type HttpOptions, withDefaultClient } from '@weft/wasi-http/imports';
import type { WasiP2Imports, WasiP2Options } from '@weft/wasi-p2';
import { createRandom, type RandomImports, type RandomOptions } from '@weft/wasi-random';
import { createSocketsHost, type NetworkOptions, type SocketsImports } from '@weft/wasi-sockets';
import { guardSend } from './http-policy.ts';

export interface WasiOptions extends CliOptions {
  /** wasi:clocks options (0.3 and 0.2 share the clock), e.g. `{ virtual: new VirtualClock() }`. */
  clocks?: ClocksOptions;
  /** wasi:random options (0.3 and 0.2 share the sources), e.g. `{ seed: 1 }` for deterministic runs. */
  random?: RandomOptions;
  /**
   * The directories the guest may open, for both versions: guest path → a host directory
   * (served read-write by a sandboxed NodeBackend) or any `Backend` (e.g.
   * `new NodeBackend(dir, { readOnly: true })`, `new MemoryBackend()`). Default: none.
   */
  preopens?: PreopensOption;
  /**
   * wasi:http@0.3 options: `send`, where `client.send` goes. Default: @weft/wasi-http's client,
   * under `network`'s policy (an authority's addresses must be allowed, a name needs `lookup`;
   * otherwise `destination-IP-prohibited`).
   */
  http?: HttpOptions;
  /**
   * wasi:sockets@0.3 (tcp, udp, ip-name-lookup): which addresses the guest may reach, virtual
   * addresses served by JS code, the host's resolver. Default: none (every bind, connect and
   * lookup is denied). `{ inherit: true }` also turns on WASI 0.2's sockets (see `p2.network`).
   */
  network?: NetworkOptions;
  /**
   * WASI 0.2 options: network, http. `false` leaves 0.2 out. 0.2's sockets (preview2-shim's) can
   * only be all or nothing: `p2.network` defaults to `network.inherit`; allow rules and virtual
   * addresses apply to 0.3 only.
   */
  p2?: WasiP2Options | false;
}

/**
 * The import object: wasi:cli, wasi:clocks, wasi:random, wasi:filesystem and wasi:http at 0.3.0 (typed),
 * plus the WASI 0.2 interfaces (`wasi:…@0.2.x`, preview2-shim's shapes) unless
 * 0.2 was left out.
 */
export type WasiImports = CliImports &
  ClocksImports &
  RandomImports &
  FilesystemImports &
  HttpImports &
  SocketsImports &
  WasiP2Imports;

export interface WasiHost {
  /** Pass to `component.instantiate`. */
  imports: WasiImports;
  /** The 0.3 wasi:cli host (its resolved options are shared with 0.2). */
  cli: CliHost;
  /** Resolves once everything the guest wrote to stdout/stderr reached its sink. */
  drain(): Promise<void>;
  /** Runs the command's wasi:cli/run (0.3.x, else 0.2.x) and resolves with its exit code. */
  run(instance: { exports: Record<string, unknown> }): Promise<number>;
  /**
   * Closes every socket the guest opened (listeners, connections, udp sockets) and refuses new
   * ones: for a host whose instance is gone (weft serve drops an instance that trapped or was
   * used up) but whose process lives on.
   */
  close(): void;
}

/** @weft/wasi-p2's createWasiP2. */
export type WasiP2Factory = (cli: ResolvedCli, opts: WasiP2Options) => WasiP2Imports;

/** The 0.3 packages besides wasi:cli that a host serves (all of them by default). */
export interface WasiParts {
  clocks: boolean;
  random: boolean;
  filesystem: boolean;
  http: boolean;
  sockets: boolean;
}

const ALL_PARTS: WasiParts = { clocks: true, random: true, filesystem: true, http: true, sockets: true };

/**
 * The parts a component importing `importNames` uses (by package, any version): a host made
 * per instance (weft serve) builds only those.
 */
export function wasiPartsOf(importNames: Iterable<string>): WasiParts {
  const names = [...importNames];
  const uses = (pkg: string) => names.some((n) => n.startsWith(pkg));
  return {
    clocks: uses('wasi:clocks/'),
    random: uses('wasi:random/'),
    filesystem: uses('wasi:filesystem/'),
    http: uses('wasi:http/'),
    sockets: uses('wasi:sockets/'),
  };
}

/**
 * The host from its options, with the 0.2 half from `createP2` (none if undefined or `p2: false`),
 * and of the 0.3 packages only `parts` (wasi:cli always: it runs the command).
 */
export function composeWasiHost(
  options: WasiOptions,
  createP2: WasiP2Factory | undefined,
  parts: WasiParts = ALL_PARTS,
): WasiHost {
  const { clocks, random, p2, preopens: preopensOption, http, network, ...cliOptions } = options;
  const resolved = resolveCliOptions(cliOptions);
  const cli = createCliHost(resolved);
  // One clock and one random source serve both versions.
  const clock = clocks?.clock ?? clocks?.virtual ?? realClock();
  const withP2 = p2 !== false && createP2 !== undefined;
  const randomHost = parts.random || withP2 ? createRandom(random) : undefined;
  // One list of backends serves both versions: a mixed component sees one set of directories.
  const preopens = resolvePreopens(preopensOption);
  // preview2-shim cannot check addresses one by one: 0.2 gets the network only when all of it is given.
  const p2Network = network?.inherit === true;
  const p2Imports = withP2
    ? createP2(resolved, { clock, random: randomHost!, preopens, ...p2, network: p2?.network ?? p2Network })
    : {};
  // Later entries never overlap earlier ones: 0.2 keys are @0.2.x, the rest @0.3.0.
  const sockets = parts.sockets ? createSocketsHost({ network }) : undefined;
  const imports = {
    ...p2Imports,
    ...(parts.clocks ? createClocks({ ...clocks, clock }) : undefined),
    ...(parts.random ? randomHost : undefined),
    ...(parts.filesystem ? filesystemP3(preopens) : undefined),
    ...(parts.http ? createHttp(policedHttp(http, network)) : undefined),
    ...sockets?.imports,
    ...cli.imports,
  } as WasiImports;
  const drain = () => cli.drain();
  return { imports, cli, drain, run: (instance) => runCommand(instance, { drain }), close: () => sockets?.close() };
}

/**
 * wasi:http's options: the default client obeys the network policy too (http-policy.ts); a
 * `send` of the embedder's own is theirs to police.
 */
function policedHttp(http: HttpOptions | undefined, network: NetworkOptions | undefined): HttpOptions {
  return http?.send !== undefined
    ? http
    : { ...http, send: guardSend(withDefaultClient({ http }).http!.send!, network) };
}
