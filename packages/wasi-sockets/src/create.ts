// createSockets(): the wasi:sockets@0.3.0 import entries of one host (one policy, one virtual
// network), over kernel sockets where the policy allows.

import type { SocketsOptions } from './options.ts';
import { type SocketsHostWith, type SocketsImportsWith, socketsHost } from './sockets-host.ts';
import { udpSocketClass } from './udp/index.ts';

export type SocketsImports = SocketsImportsWith<ReturnType<typeof udpSocketClass>>;
export type SocketsHost = SocketsHostWith<ReturnType<typeof udpSocketClass>>;

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`), with `close()`.
 * Nothing is allowed unless `options.network` says so; a bad `allow` rule throws a PolicyError here.
 */
export function createSocketsHost(options: SocketsOptions = {}): SocketsHost {
  return socketsHost(options, udpSocketClass);
}

/**
 * The import object for wasi:sockets@0.3.0 (`types` and `ip-name-lookup`): `createSocketsHost(options).imports`,
 * for a host that never needs to close what its guest opened. A bad `allow` rule throws a PolicyError.
 */
export function createSockets(options: SocketsOptions = {}): SocketsImports {
  return createSocketsHost(options).imports;
}
