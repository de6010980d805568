// What one createSockets() host shares between its tcp sockets, udp sockets and name lookup.

import { type IpSocketAddress, ipAddressOf } from './address.ts';
import { socketError } from './errors.ts';
import type { SocketsOptions, VirtualNetwork } from './options.ts';
import { LookupQueue } from './lookup-queue.ts';
import { OpenSockets } from './open-sockets.ts';
import { NetworkPolicy, PolicyError } from './policy.ts';

export interface SocketsContext {
  readonly policy: NetworkPolicy;
  /** Addresses served by JS code; empty when none was given. */
  readonly virtual: VirtualNetwork;
  /** Throws `access-denied` unless the policy allows `address` and its port (checked before any kernel call). */
  check(address: IpSocketAddress): void;
  /** A local port for a virtual connection's local address (one per connection, from 49152 up). */
  nextVirtualPort(): number;
  /** What this host has open: at most `maxSockets`, closed all at once by close(). */
  readonly open: OpenSockets;
  /** The host resolver's turns (at most `maxLookups` at once). */
  readonly lookups: LookupQueue;
  /** The host's close(): every socket, and the lookups still waiting. */
  close(): void;
}

const DEFAULT_MAX_SOCKETS = 256;
const DEFAULT_MAX_LOOKUPS = 2;

function limit(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new PolicyError(`network.${name} must be a positive integer`);
  }
  return value;
}

export function createContext(options: SocketsOptions = {}): SocketsContext {
  const network = options.network ?? {};
  const policy = new NetworkPolicy(network);
  let port = 49151;
  const open = new OpenSockets(limit(network.maxSockets, 'maxSockets', DEFAULT_MAX_SOCKETS));
  const lookups = new LookupQueue(limit(network.maxLookups, 'maxLookups', DEFAULT_MAX_LOOKUPS));
  return {
    nextVirtualPort: () => {
      port = port >= 65535 ? 49152 : port + 1;
      return port;
    },
    policy,
    virtual: network.virtual ?? {},
    open,
    lookups,
    close() {
      open.closeAll();
      lookups.close();
    },
    check(address) {
      if (!policy.allows(ipAddressOf(address), address.val.port)) throw socketError('access-denied');
    },
  };
}
