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

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`). Nothing is allowed
 * unless `options.network` says so; a bad `allow` rule throws a PolicyError here.
 */
export function createSockets(options: SocketsOptions = {}): SocketsImports {
  const ctx = createContext(options);
  return {
    'wasi:sockets/types@0.3.0': { TcpSocket: tcpSocketClass(ctx), UdpSocket: udpSocketClass(ctx) },
    'wasi:sockets/ip-name-lookup@0.3.0': nameLookup(ctx),
  };
}
