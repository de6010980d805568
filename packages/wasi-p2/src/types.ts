// What createWasiP2 takes: the CLI state (@weft/wasi-cli's ResolvedCli is
// one), the same state the 0.3 host gets, which is what makes 0.2 and 0.3
// output share one sink per stream and stdin one position. Its byte sinks and
// sources are @weft/wasi-io's.

import type { Clock } from '@weft/wasi-clocks';
import type { PreopensOption } from '@weft/wasi-fs';
import type { ByteSink, ByteSource } from '@weft/wasi-io';
import type { RandomImports } from '@weft/wasi-random';

/**
 * The CLI state the 0.2 host reads: @weft/wasi-cli's `ResolvedCli` (from
 * `resolveCliOptions`), or any object of this shape. Terminals are optional
 * (default: none).
 */
export interface P2Cli {
  args: readonly string[];
  env: readonly (readonly [string, string])[];
  cwd: string | undefined;
  /** Read through the 0.2 input-stream; its optional `readSync` (wasi-io's SyncReadable) serves blocking reads. */
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
  terminal?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  exit(code: number): never;
}

export interface WasiP2Options {
  /**
   * The clock behind `wasi:clocks/*@0.2` (pass the 0.3 host's, e.g. a
   * VirtualClock, so both versions see one time). Default: the platform's.
   */
  clock?: Clock;
  /**
   * The 0.3 random host (`createRandom(...)`) whose sources `wasi:random/*@0.2`
   * share, so a seed makes both versions deterministic and `insecure-seed` is one
   * pair. Default: a fresh `createRandom()`.
   */
  random?: RandomImports;
  /**
   * Directories the guest may open: `@weft/wasi-fs`'s `Preopen[]` (pass the
   * list the 0.3 host serves, so both versions see the same directories), or
   * `{ [guestPath]: hostPath | Backend }`, resolved with `resolvePreopens` (a
   * host path becomes a read-write NodeBackend). Default: none (the guest sees
   * no filesystem).
   */
  preopens?: PreopensOption;
  /**
   * Let `wasi:sockets/*@0.2` reach the network (TCP, UDP, name lookup through
   * Node). Default false: the interfaces are served, so guests that import
   * them link, but every lookup, bind and connect is denied. Per call.
   */
  network?: boolean;
  /**
   * Serve `wasi:http/{types,outgoing-handler}@0.2` (outgoing requests through
   * Node). Default false: a guest importing them fails to link.
   */
  http?: boolean;
}

/**
 * Import object entries keyed by full `wasi:…@0.2.x` names, ready for
 * component.instantiate. Each is an interface object (functions camelCase,
 * resource classes PascalCase); most are preview2-shim's own, untyped.
 */
export type WasiP2Imports = Record<string, object>;
