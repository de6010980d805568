// Placeholder for wasi:sockets udp-socket (the udp helper replaces this file): `create` fails
// with `not-supported`.

import type { SocketsContext } from '../context.ts';
import { socketError } from '../errors.ts';

export function udpSocketClass(_ctx: SocketsContext) {
  return class UdpSocket {
    static create(_family: 'ipv4' | 'ipv6'): UdpSocket {
      throw socketError('not-supported');
    }
  };
}
