// createSockets(): the wasi:sockets@0.3.0 import entries of one host (one policy, one virtual network).

import { createContext } from './context.ts';
import { nameLookup } from './lookup.ts';
import type { SocketsOptions } from './options.ts';
import { tcpSocketClass } from './tcp/socket.ts';
import { udpSocketClass } from './udp/index.ts';

export type SocketsImports = {
  'wasi:sockets/types@0.3.0': {
    TcpSocket: ReturnType<typeof tcpSocketClass>;
    UdpSocket: ReturnType<typeof udpSocketClass>;
  };
  'wasi:sockets/ip-name-lookup@0.3.0': ReturnType<typeof nameLookup>;
};

/** One host's imports, and the way to close everything its guest opened through them. */
export interface SocketsHost {
  /** The import entries (what `createSockets` returns). */
  readonly imports: SocketsImports;
  /**
   * Closes every socket, listener and connection these imports opened (waiting accepts end,
   * waiting receives fail, host lookups waiting for a turn fail) and refuses new ones with
   * `access-denied`.
   * Call it when the instance is retired or traps. Idempotent.
   */
  close(): void;
  /** How many sockets and connections are open now. */
  readonly openSockets: number;
}

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`), with `close()`.
 * Nothing is allowed unless `options.network` says so; a bad `allow` rule throws a PolicyError here.
 */
export function createSocketsHost(options: SocketsOptions = {}): SocketsHost {
  const ctx = createContext(options);
  const imports: SocketsImports = {
    'wasi:sockets/types@0.3.0': { TcpSocket: tcpSocketClass(ctx), UdpSocket: udpSocketClass(ctx) },
    'wasi:sockets/ip-name-lookup@0.3.0': nameLookup(ctx),
  };
  return {
    imports,
    close: () => ctx.close(),
    get openSockets() {
      return ctx.open.size;
    },
  };
}

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`): `createSocketsHost(options).imports`,
 * for a host that never needs to close what its guest opened. A bad `allow` rule throws a PolicyError.
 */
export function createSockets(options: SocketsOptions = {}): SocketsImports {
  return createSocketsHost(options).imports;
}
