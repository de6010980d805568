// What createWasiP2 takes: @weft/wasi-cli's ResolvedCli, the one resolved
// form of the CLI options that the 0.3 host gets too, which is what makes 0.2
// and 0.3 output share one sink per stream and stdin one position.

import type { Clock } from '@weft/wasi-clocks';
import type { ByteSink, ByteSource, ResolvedCli, SyncReadable } from '@weft/wasi-cli';
import type { RandomImports } from '@weft/wasi-random';

export type { ByteSink, ByteSource, ResolvedCli, SyncReadable };

/** The parts of ResolvedCli the 0.2 host reads (terminals optional, default: none). */
export type P2Cli = Pick<ResolvedCli, 'args' | 'env' | 'cwd' | 'stdin' | 'stdout' | 'stderr' | 'exit'> & {
  terminal?: Partial<ResolvedCli['terminal']>;
};

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
   * Directories the guest may open, virtual path → host path. Default: none
   * (the guest sees no filesystem). Each createWasiP2 call gets its own set.
   */
  preopens?: Record<string, string>;
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

/** Import object entries keyed by full `wasi:…@0.2.x` names, ready for component.instantiate. */
export type WasiP2Imports = Record<string, Record<string, unknown>>;
