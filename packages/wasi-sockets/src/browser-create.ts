// createSockets() of the browser entry: as create.ts, with tcp served only by the virtual
// network (no kernel: a connect to any other allowed address is `not-supported`), name lookup
// only for virtual names, and no UDP.

import type { SocketsOptions } from './options.ts';
import { type SocketsHostWith, type SocketsImportsWith, socketsHost } from './sockets-host.ts';
import { UdpSocket } from './udp/unsupported.ts';

export type SocketsImports = SocketsImportsWith<typeof UdpSocket>;
export type SocketsHost = SocketsHostWith<typeof UdpSocket>;

/**
 * The import object for wasi:sockets@0.3.0 where there are no kernel sockets, with `close()`:
 * `options.network.virtual` serves connects and names; the policy still decides what else is
 * `access-denied` (the rest is `not-supported`). A bad `allow` rule throws a PolicyError.
 */
export function createSocketsHost(options: SocketsOptions = {}): SocketsHost {
  return socketsHost(options, () => UdpSocket);
}

/** `createSocketsHost(options).imports`. */
export function createSockets(options: SocketsOptions = {}): SocketsImports {
  return createSocketsHost(options).imports;
}
