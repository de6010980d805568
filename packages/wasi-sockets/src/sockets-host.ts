// One host's wasi:sockets@0.3.0 imports over its context, and the way to close what its guest
// opened: shared by the Node entry (create.ts) and the browser entry (browser-create.ts), which
// differ only in their UdpSocket.

import { createContext, type SocketsContext } from './context.ts';
import { nameLookup } from './lookup.ts';
import type { SocketsOptions } from './options.ts';
import { tcpSocketClass } from './tcp/socket.ts';

export type SocketsImportsWith<U> = {
  'wasi:sockets/types@0.3.0': { TcpSocket: ReturnType<typeof tcpSocketClass>; UdpSocket: U };
  'wasi:sockets/ip-name-lookup@0.3.0': ReturnType<typeof nameLookup>;
};

/** One host's imports, and the way to close everything its guest opened through them. */
export interface SocketsHostWith<U> {
  /** The import entries (what `createSockets` returns). */
  readonly imports: SocketsImportsWith<U>;
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

/** The host of `options` with `udp(ctx)` as its UdpSocket. A bad `allow` rule throws a PolicyError here. */
export function socketsHost<U>(options: SocketsOptions, udp: (ctx: SocketsContext) => U): SocketsHostWith<U> {
  const ctx = createContext(options);
  const imports: SocketsImportsWith<U> = {
    'wasi:sockets/types@0.3.0': { TcpSocket: tcpSocketClass(ctx), UdpSocket: udp(ctx) },
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
