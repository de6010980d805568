// udp-socket's own argument checks (the address checks it shares with tcp are in address.ts).

import type { IpAddressFamily, IpSocketAddress } from '../address.ts';
import { socketError } from '../errors.ts';

/** Same peer: family, address and port (flow info and scope id are not compared). */
export function sameAddress(a: IpSocketAddress, b: IpSocketAddress): boolean {
  if (a.tag !== b.tag || a.val.port !== b.val.port) return false;
  const x = a.val.address;
  const y = b.val.address;
  return x.every((v, i) => v === y[i]);
}

export function checkFamily(f: unknown): IpAddressFamily {
  if (f !== 'ipv4' && f !== 'ipv6') throw socketError('invalid-argument');
  return f;
}
