// createWasiP2: the WASI 0.2 half of a mixed host. wasi:cli (with the stdio
// streams), clocks, random and filesystem are Weft's, over the state shared
// with the 0.3 host (resolved CLI options, one clock, one random source, one
// preopen list); the rest comes straight from preview2-shim (jco's shapes,
// which Weft's linker takes as-is).

import { error, poll, streams } from '@bytecodealliance/preview2-shim/io';
import * as shimSockets from '@bytecodealliance/preview2-shim/sockets';
import { cliImports } from './cli.ts';
import { createRandom } from '@weft/wasi-random';
import { clockImports, randomImports } from './clocks-random.ts';
import { filesystemImports } from './filesystem.ts';
import { resolvePreopens } from '@weft/wasi-fs';
import { pollList } from './pollables.ts';
import type { P2Cli, WasiP2Imports, WasiP2Options } from './types.ts';

/**
 * The 0.2 version the keys carry: preview2-shim 0.26's. The linker matches
 * imports by canonical version (`@0.2`), so these serve any `@0.2.x` import.
 */
export const WASI_P2_VERSION = '0.2.3';

// TypeScript resolves the shim's browser typings; this is its Node factory
// (a per-call network capability).
type Namespaces = Record<string, Record<string, unknown>>;
const createSockets = (shimSockets as unknown as { createSockets(c: { enableNetwork?: boolean }): Namespaces })
  .createSockets;

/**
 * preview2-shim's http module, loaded on first use: it pulls in node:http
 * (and undici), the largest part of start-up, and only `http: true` needs it.
 * require() of an ES module is synchronous and shares the ESM loader's cache.
 */
let shimHttp: { types: unknown; outgoingHandler: unknown } | undefined;
function loadShimHttp(): { types: unknown; outgoingHandler: unknown } {
  if (shimHttp === undefined) {
    const { createRequire } = process.getBuiltinModule('node:module');
    shimHttp = createRequire(import.meta.url)('@bytecodealliance/preview2-shim/http') as {
      types: unknown;
      outgoingHandler: unknown;
    };
  }
  return shimHttp;
}

export function createWasiP2(cli: P2Cli, opts: WasiP2Options = {}): WasiP2Imports {
  const v = WASI_P2_VERSION;
  const net = createSockets({ enableNetwork: opts.network === true });
  const imports: Record<string, unknown> = {
    ...cliImports(cli, v),
    [`wasi:io/error@${v}`]: error,
    [`wasi:io/poll@${v}`]: { Pollable: poll.Pollable, poll: pollList },
    [`wasi:io/streams@${v}`]: streams,
    ...clockImports(opts.clock, v),
    ...filesystemImports(resolvePreopens(opts.preopens), v),
    ...randomImports(opts.random ?? createRandom(), v),
    [`wasi:sockets/instance-network@${v}`]: net.instanceNetwork,
    [`wasi:sockets/network@${v}`]: net.network,
    [`wasi:sockets/ip-name-lookup@${v}`]: net.ipNameLookup,
    [`wasi:sockets/tcp@${v}`]: net.tcp,
    [`wasi:sockets/tcp-create-socket@${v}`]: net.tcpCreateSocket,
    [`wasi:sockets/udp@${v}`]: net.udp,
    [`wasi:sockets/udp-create-socket@${v}`]: net.udpCreateSocket,
  };
  if (opts.http === true) {
    const shimHttp = loadShimHttp();
    imports[`wasi:http/types@${v}`] = shimHttp.types;
    imports[`wasi:http/outgoing-handler@${v}`] = shimHttp.outgoingHandler;
  }
  return withSharedClasses(imports as WasiP2Imports);
}

/**
 * Every interface object also offers every resource class by name. An
 * interface that `use`s a resource (stdout's `output-stream`, the clocks'
 * `pollable`) declares it again in its instance type; Weft's linker (as of
 * this writing) gives such a re-declared resource a fresh type unless the
 * host object names its class there too, and then the handles the shim's
 * functions return fail the guest's type checks. Offering the same classes
 * everywhere keeps one runtime type per class. Harmless once the linker
 * reuses the outer type: extra keys are ignored.
 */
function withSharedClasses(imports: WasiP2Imports): WasiP2Imports {
  const classes: Record<string, unknown> = {};
  for (const obj of Object.values(imports)) {
    for (const [k, val] of Object.entries(obj)) {
      if (typeof val === 'function' && /^[A-Z]/.test(k) && !(k in classes)) classes[k] = val;
    }
  }
  const out: WasiP2Imports = {};
  for (const [name, obj] of Object.entries(imports)) out[name] = { ...classes, ...obj };
  return out;
}
