// What one createSockets() host shares between its tcp sockets, udp sockets and name lookup.

import type { IpAddress, IpSocketAddress } from './address.ts';
import { socketError } from './errors.ts';
import type { SocketsOptions, VirtualNetwork } from './options.ts';
import { OpenSockets } from './open-sockets.ts';
import { NetworkPolicy } from './policy.ts';

export interface SocketsContext {
  readonly policy: NetworkPolicy;
  /** Addresses served by JS code; empty when none was given. */
  readonly virtual: VirtualNetwork;
  /** Throws `access-denied` unless the policy allows `address` (checked before any kernel call). */
  check(address: IpSocketAddress | IpAddress, port?: number): void;
  /** A local port for a virtual connection's local address (one per connection, from 49152 up). */
  nextVirtualPort(): number;
  /** What this host has open: closed all at once by the host's close(). */
  readonly open: OpenSockets;
}

export function createContext(options: SocketsOptions = {}): SocketsContext {
  const network = options.network ?? {};
  const policy = new NetworkPolicy(network);
  let port = 49151;
  return {
    nextVirtualPort: () => {
      port = port >= 65535 ? 49152 : port + 1;
      return port;
    },
    policy,
    virtual: network.virtual ?? {},
    open: new OpenSockets(),
    check(address, port) {
      const ip: IpAddress =
        'port' in (address.val as object)
          ? ({ tag: address.tag, val: (address as IpSocketAddress).val.address } as IpAddress)
          : (address as IpAddress);
      const p = port ?? (address as IpSocketAddress).val.port ?? 0;
      if (!policy.allows(ip, p)) throw socketError('access-denied');
    },
  };
}
