// The argument checks udp-socket makes before any kernel call (the WIT's `invalid-argument` cases).

import {
  type IpAddressFamily,
  type IpSocketAddress,
  ipAddressOf,
  isIpSocketAddress,
  isIpv4Mapped,
  isUnspecified,
} from '../address.ts';
import { socketError } from '../errors.ts';

/**
 * `::a.b.c.d` (IPv4-compatible, deprecated since 2006): kernels treat it inconsistently, so it is
 * refused as Wasmtime refuses it. (Not in address.ts, which the tcp side owns.)
 */
function isIpv4Compatible(a: IpSocketAddress): boolean {
  if (a.tag !== 'ipv6') return false;
  const w = a.val.address;
  if (!w.slice(0, 6).every((x) => x === 0)) return false;
  return !(w[6] === 0 && (w[7] === 0 || w[7] === 1));
}

/**
 * `a` as an address this socket can use: well formed (a host caller's value may be anything) and
 * of the socket's family. IPv6 sockets are v6-only, so IPv4-mapped addresses are refused.
 */
export function checkAddress(a: unknown, family: IpAddressFamily): IpSocketAddress {
  if (!isIpSocketAddress(a) || a.tag !== family) throw socketError('invalid-argument');
  if (isIpv4Mapped(ipAddressOf(a)) || isIpv4Compatible(a)) throw socketError('invalid-argument');
  return a;
}

/** A peer address: not the unspecified address and not port 0. */
export function checkRemote(a: unknown, family: IpAddressFamily): IpSocketAddress {
  const r = checkAddress(a, family);
  if (r.val.port === 0 || isUnspecified(ipAddressOf(r))) throw socketError('invalid-argument');
  return r;
}

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
