// wasi:sockets udp-socket: the resource class for one createSockets() host (its policy and context).

import type { IpAddressFamily } from '../address.ts';
import type { SocketsContext } from '../context.ts';
import { checkFamily } from './checks.ts';
import { UdpSocket as BaseUdpSocket } from './udp-socket.ts';

export { UdpSocket } from './udp-socket.ts';

/** The `UdpSocket` class of `wasi:sockets/types@0.3.0`, its sockets checked against `ctx`'s policy. */
export function udpSocketClass(ctx: SocketsContext) {
  // A subclass per host, so `create` (which has no constructor arguments to carry it) knows the context.
  const HostUdpSocket = class UdpSocket extends BaseUdpSocket {
    static create(addressFamily: IpAddressFamily): UdpSocket {
      return new HostUdpSocket(ctx, checkFamily(addressFamily));
    }
  };
  return HostUdpSocket;
}
