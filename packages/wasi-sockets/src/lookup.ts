// wasi:sockets/ip-name-lookup@0.3.0 `resolve-addresses`: IP literals as they are, then the
// VirtualNetwork's names, then (if the policy allows lookups) the host's resolver.

import { type IpAddress, isIpv4Mapped, parseIpAddress } from './address.ts';
import { builtin } from './builtins.ts';
import type { SocketsContext } from './context.ts';
import { lookupError, toLookupError } from './errors.ts';

/** A DNS name's limits (RFC 1035): 253 characters, labels of 1 to 63. */
const MAX_NAME = 253;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** The ASCII (IDNA) form of a host name, or undefined if it is not a valid one. */
function asciiName(name: string): string | undefined {
  // Only name characters (non-ASCII ones for IDNA): URL syntax like '/' or '@' is not a host name.
  if (name.length === 0 || name.length > 1024 || !/^[A-Za-z0-9._\-\u0080-\u{10ffff}]+$/u.test(name)) return undefined;
  // The WHATWG URL parser does IDNA (UTS #46) in every runtime.
  let ascii: string;
  try {
    ascii = new URL(`http://${name}/`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
  if (ascii.length === 0 || ascii.length > MAX_NAME) return undefined;
  return ascii.split('.').every((l) => LABEL.test(l)) ? ascii : undefined;
}

/** Never an IPv4-mapped IPv6 address (the WIT says so): those become their IPv4 address. */
function unmapped(ip: IpAddress): IpAddress {
  if (!isIpv4Mapped(ip)) return ip;
  const w = ip.val as number[];
  return { tag: 'ipv4', val: [w[6]! >> 8, w[6]! & 0xff, w[7]! >> 8, w[7]! & 0xff] };
}

function unique(list: IpAddress[]): IpAddress[] {
  const seen = new Set<string>();
  return list.filter((ip) => {
    const k = `${ip.tag}:${ip.val.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function nameLookup(ctx: SocketsContext) {
  return {
    async resolveAddresses(name: string): Promise<IpAddress[]> {
      if (typeof name !== 'string') throw lookupError('invalid-argument');
      // An IP literal (IPv6 also in brackets) is returned as is, without asking anyone.
      const literal = parseIpAddress(name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name);
      if (literal !== undefined) return [unmapped(literal)];
      const ascii = asciiName(name);
      if (ascii === undefined) throw lookupError('invalid-argument');
      // The URL parser read a numeric host ('127.1', '0x7f000001', '2130706433') as an IPv4
      // address: a literal too, as Wasmtime's url::Host::parse has it, never a name to look up.
      const numeric = parseIpAddress(ascii);
      if (numeric !== undefined) return [unmapped(numeric)];
      let served: unknown;
      try {
        served = ctx.virtual.resolve?.call(ctx.virtual, ascii);
      } catch (e) {
        throw toLookupError(e); // the host's resolve failing is `other` to the guest, never a trap
      }
      if (served !== undefined) {
        const ips = Array.isArray(served)
          ? served.map((a) => (typeof a === 'string' ? parseIpAddress(a) : undefined))
          : [];
        const ok = unique(ips.filter((ip): ip is IpAddress => ip !== undefined).map(unmapped));
        if (ok.length === 0) throw lookupError('name-unresolvable');
        return ok;
      }
      if (!ctx.policy.lookup) throw lookupError('access-denied');
      let found: { address: string }[];
      try {
        const dns = builtin<typeof import('node:dns')>('node:dns');
        if (dns === undefined) throw lookupError('permanent-resolver-failure');
        found = await ctx.lookups.run(() => dns.promises.lookup(ascii, { all: true, order: 'verbatim' }));
      } catch (e) {
        throw toLookupError(e);
      }
      const ips = unique(
        found
          .map((r) => parseIpAddress(r.address))
          .filter((ip): ip is IpAddress => ip !== undefined)
          .map(unmapped),
      );
      if (ips.length === 0) throw lookupError('name-unresolvable');
      return ips;
    },
  };
}
