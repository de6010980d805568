// The `udp-socket` of the browser entry: there is no datagram API to serve it (and udp-socket.ts
// is built on node:dgram), so `create` checks its argument and fails with `not-supported`.

import type { IpAddressFamily } from '../address.ts';
import { socketError } from '../errors.ts';
import { checkFamily } from './checks.ts';

/** `UdpSocket` of `wasi:sockets/types@0.3.0` where there are no UDP sockets. */
export class UdpSocket {
  private constructor() {}
  static create(addressFamily: IpAddressFamily): UdpSocket {
    checkFamily(addressFamily);
    throw socketError('not-supported');
  }
}
