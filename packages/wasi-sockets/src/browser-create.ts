// createSockets() of the browser entry: as create.ts, with tcp served only by the virtual
// network (no kernel: a connect to any other allowed address is `not-supported`), name lookup
// only for virtual names, and no UDP.

import { createContext } from './context.ts';
import { nameLookup } from './lookup.ts';
import type { SocketsOptions } from './options.ts';
import { tcpSocketClass } from './tcp/socket.ts';
import { UdpSocket } from './udp/unsupported.ts';

export type SocketsImports = {
  'wasi:sockets/types@0.3.0': {
    TcpSocket: ReturnType<typeof tcpSocketClass>;
    UdpSocket: typeof UdpSocket;
  };
  'wasi:sockets/ip-name-lookup@0.3.0': ReturnType<typeof nameLookup>;
};

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`) where there are no
 * kernel sockets: `options.network.virtual` serves connects and names; the policy still decides
 * what else is `access-denied` (the rest is `not-supported`). A bad `allow` rule throws a PolicyError.
 */
export function createSockets(options: SocketsOptions = {}): SocketsImports {
  const ctx = createContext(options);
  return {
    'wasi:sockets/types@0.3.0': { TcpSocket: tcpSocketClass(ctx), UdpSocket },
    'wasi:sockets/ip-name-lookup@0.3.0': nameLookup(ctx),
  };
}
