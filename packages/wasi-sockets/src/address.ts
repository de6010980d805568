// wasi:sockets `ip-address` / `ip-socket-address` values (jco's shapes) and Node's address
// strings, both ways, plus the address-class checks bind/connect/send need.

import { socketError } from './errors.ts';
import type { SocketAddress } from './options.ts';

export type IpAddressFamily = 'ipv4' | 'ipv6';
export type Ipv4Address = [number, number, number, number];
export type Ipv6Address = [number, number, number, number, number, number, number, number];
export type IpAddress = { tag: 'ipv4'; val: Ipv4Address } | { tag: 'ipv6'; val: Ipv6Address };
export interface Ipv4SocketAddress {
  port: number;
  address: Ipv4Address;
}
export interface Ipv6SocketAddress {
  port: number;
  flowInfo: number;
  address: Ipv6Address;
  scopeId: number;
}
export type IpSocketAddress = { tag: 'ipv4'; val: Ipv4SocketAddress } | { tag: 'ipv6'; val: Ipv6SocketAddress };

const isInt = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function isTuple(v: unknown, n: number, max: number): boolean {
  return Array.isArray(v) && v.length === n && v.every((x) => isInt(x, max));
}

/** Whether `v` is a well-formed ip-address (the lift checks a guest's; a host caller's may be anything). */
export function isIpAddress(v: unknown): v is IpAddress {
  const a = v as IpAddress | null;
  if (typeof a !== 'object' || a === null) return false;
  return a.tag === 'ipv4' ? isTuple(a.val, 4, 0xff) : a.tag === 'ipv6' && isTuple(a.val, 8, 0xffff);
}

/** Whether `v` is a well-formed ip-socket-address. */
export function isIpSocketAddress(v: unknown): v is IpSocketAddress {
  const a = v as IpSocketAddress | null;
  if (typeof a !== 'object' || a === null || typeof a.val !== 'object' || a.val === null) return false;
  if (!isInt(a.val.port, 0xffff)) return false;
  if (a.tag === 'ipv4') return isTuple(a.val.address, 4, 0xff);
  if (a.tag !== 'ipv6') return false;
  return isTuple(a.val.address, 8, 0xffff) && isInt(a.val.flowInfo, 0xffffffff) && isInt(a.val.scopeId, 0xffffffff);
}

export function ipAddressOf(a: IpSocketAddress): IpAddress {
  return a.tag === 'ipv4' ? { tag: 'ipv4', val: a.val.address } : { tag: 'ipv6', val: a.val.address };
}

/** Node's text for an address: dotted IPv4, compressed lower-case IPv6 (RFC 5952). */
export function formatIpAddress(ip: IpAddress): string {
  if (ip.tag === 'ipv4') return ip.val.join('.');
  const w = ip.val;
  if (isIpv4Mapped(ip)) return `::ffff:${w[6] >> 8}.${w[6] & 0xff}.${w[7] >> 8}.${w[7] & 0xff}`;
  // The longest run of two or more zero groups becomes '::' (the first such run on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => w.slice(from, to).map((x) => x.toString(16));
  if (best < 0) return hex(0, 8).join(':');
  return `${hex(0, best).join(':')}::${hex(best + bestLen, 8).join(':')}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Ipv4Address | undefined {
  return IPV4.test(text) ? (text.split('.').map(Number) as Ipv4Address) : undefined;
}

/** IPv6 text as 8 groups: one '::' at most, a dotted IPv4 tail allowed, a '%zone' dropped. */
function parseIpv6(text: string): Ipv6Address | undefined {
  const zone = text.indexOf('%');
  const s = zone >= 0 ? text.slice(0, zone) : text;
  if (zone === 0 || (zone > 0 && zone === text.length - 1)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEX_GROUP.test(p)) out.push(Number.parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  // A dotted tail only at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const n = left.length + right.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return undefined;
  return [...left, ...new Array<number>(8 - n).fill(0), ...right] as Ipv6Address;
}

/** Parses an IP literal (IPv6 may carry a '%zone', which is dropped); undefined if it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { tag: 'ipv4', val: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { tag: 'ipv6', val: v6 };
}

/** A wasi socket address as Node (and the VirtualNetwork) sees it. */
export function toNodeAddress(a: IpSocketAddress): SocketAddress {
  return { address: formatIpAddress(ipAddressOf(a)), port: a.val.port, family: a.tag };
}

/** A Node address (`socket.address()`, `remoteAddress`/`remotePort`) as a wasi socket address. */
export function fromNodeAddress(address: string, port: number, flowInfo = 0, scopeId = 0): IpSocketAddress {
  const ip = parseIpAddress(address);
  if (ip === undefined) throw new TypeError(`not an IP address: ${address}`);
  if (ip.tag === 'ipv4') return { tag: 'ipv4', val: { port, address: ip.val } };
  return { tag: 'ipv6', val: { port, flowInfo, address: ip.val, scopeId } };
}

export function isUnspecified(ip: IpAddress): boolean {
  return ip.val.every((x) => x === 0);
}

export function isLoopback(ip: IpAddress): boolean {
  if (ip.tag === 'ipv4') return ip.val[0] === 127;
  return ip.val.slice(0, 7).every((x) => x === 0) && ip.val[7] === 1;
}

export function isMulticast(ip: IpAddress): boolean {
  return ip.tag === 'ipv4' ? ip.val[0] >= 224 && ip.val[0] <= 239 : ip.val[0] >> 8 === 0xff;
}

export function isBroadcast(ip: IpAddress): boolean {
  return ip.tag === 'ipv4' && ip.val.every((x) => x === 255);
}

/** `::ffff:a.b.c.d`: WASI refuses these on bind and connect (a v6-only socket cannot use them). */
export function isIpv4Mapped(ip: IpAddress): boolean {
  return ip.tag === 'ipv6' && ip.val.slice(0, 5).every((x) => x === 0) && ip.val[5] === 0xffff;
}

/**
 * `::a.b.c.d` (IPv4-compatible, deprecated since RFC 4291) but not `::` or `::1`: kernels treat
 * these inconsistently, so bind, connect and send refuse them, as Wasmtime does.
 */
export function isIpv4Compatible(ip: IpAddress): boolean {
  if (ip.tag !== 'ipv6' || !ip.val.slice(0, 6).every((x) => x === 0)) return false;
  return !(ip.val[6] === 0 && (ip.val[7] === 0 || ip.val[7] === 1));
}

/**
 * `a` as an address a socket of `family` may use (tcp and udp alike), else `invalid-argument`:
 * well formed (a host caller's value may be anything), of the socket's family, and neither
 * IPv4-mapped nor IPv4-compatible (IPv6 sockets are v6-only). A link-local address with a scope
 * id is `not-supported`.
 */
export function checkSocketAddress(a: unknown, family: IpAddressFamily): IpSocketAddress {
  if (!isIpSocketAddress(a) || a.tag !== family) throw socketError('invalid-argument');
  const ip = ipAddressOf(a);
  if (isIpv4Mapped(ip) || isIpv4Compatible(ip)) throw socketError('invalid-argument');
  // libuv takes a scope as an interface name (if_nametoindex), so a numeric scope id would
  // silently become scope 0 on Linux: refused rather than sent out of some other interface.
  if (a.tag === 'ipv6' && a.val.scopeId !== 0 && isLinkLocal(ip)) throw socketError('not-supported');
  return a;
}

/** fe80::/10, the only addresses whose scope id means anything here. */
export function isLinkLocal(ip: IpAddress): boolean {
  return ip.tag === 'ipv6' && (ip.val[0] & 0xffc0) === 0xfe80;
}

/** A peer's address: as checkSocketAddress, and neither the unspecified address nor port 0. */
export function checkRemoteAddress(a: unknown, family: IpAddressFamily): IpSocketAddress {
  const r = checkSocketAddress(a, family);
  if (r.val.port === 0 || isUnspecified(ipAddressOf(r))) throw socketError('invalid-argument');
  return r;
}

/** The unspecified address of a family, for implicit binds. */
export function unspecified(family: IpAddressFamily): IpSocketAddress {
  return family === 'ipv4'
    ? { tag: 'ipv4', val: { port: 0, address: [0, 0, 0, 0] } }
    : { tag: 'ipv6', val: { port: 0, flowInfo: 0, address: [0, 0, 0, 0, 0, 0, 0, 0], scopeId: 0 } };
}
