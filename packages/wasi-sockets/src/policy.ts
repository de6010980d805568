// The network policy: which addresses a guest may bind, connect and send to, and whether it may
// use the host's resolver. Deny by default; `inherit` allows everything.

import { type IpAddress, parseIpAddress } from './address.ts';
import type { NetworkOptions } from './options.ts';

interface Rule {
  /** undefined: any address of either family ('*'). */
  family?: 'ipv4' | 'ipv6';
  /** The network's address bits, already masked to `prefix`. */
  net: bigint;
  prefix: number;
  portLo: number;
  portHi: number;
}

const BITS = { ipv4: 32, ipv6: 128 } as const;

function bitsOf(ip: IpAddress): bigint {
  const width = ip.tag === 'ipv4' ? 8n : 16n;
  let v = 0n;
  for (const x of ip.val) v = (v << width) | BigInt(x);
  return v;
}

function mask(family: 'ipv4' | 'ipv6', prefix: number): bigint {
  const total = BITS[family];
  return ((1n << BigInt(prefix)) - 1n) << BigInt(total - prefix);
}

/** Thrown for an `allow` rule that does not parse: names the rule and what is wrong with it. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

function parsePort(text: string, rule: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new PolicyError(`allow rule '${rule}': port '${text}' is not a number from 0 to 65535`);
  }
  return Number(text);
}

function parseRule(rule: string): Rule {
  if (typeof rule !== 'string') throw new PolicyError(`allow rule ${String(rule)} is not a string`);
  let host: string;
  let ports: string;
  if (rule.startsWith('[')) {
    const close = rule.indexOf(']');
    if (close < 0) throw new PolicyError(`allow rule '${rule}': '[' without ']'`);
    const after = rule.slice(close + 1);
    const colon = after.lastIndexOf(':');
    if (colon < 0) throw new PolicyError(`allow rule '${rule}': no ':PORTS' after the address (use ':*' for any port)`);
    host = rule.slice(1, close) + after.slice(0, colon);
    ports = after.slice(colon + 1);
    if (parseIpAddress(host.split('/')[0]!)?.tag !== 'ipv6')
      throw new PolicyError(`allow rule '${rule}': '${host}' is not an IPv6 address`);
  } else {
    const colon = rule.lastIndexOf(':');
    if (colon < 0) throw new PolicyError(`allow rule '${rule}': expected HOST:PORTS (e.g. 127.0.0.1:8080, *:*)`);
    host = rule.slice(0, colon);
    ports = rule.slice(colon + 1);
    if (host.includes(':')) throw new PolicyError(`allow rule '${rule}': write an IPv6 address in brackets, [${host}]`);
    if (host !== '*' && parseIpAddress(host.split('/')[0]!)?.tag !== 'ipv4') {
      throw new PolicyError(`allow rule '${rule}': '${host}' is not an IPv4 address, [IPv6], CIDR or '*'`);
    }
  }
  let portLo = 0;
  let portHi = 65535;
  if (ports !== '*') {
    const dash = ports.indexOf('-');
    portLo = parsePort(dash < 0 ? ports : ports.slice(0, dash), rule);
    portHi = dash < 0 ? portLo : parsePort(ports.slice(dash + 1), rule);
    if (portLo > portHi) throw new PolicyError(`allow rule '${rule}': port range ${ports} is empty`);
  }
  if (host === '*') return { net: 0n, prefix: 0, portLo, portHi };
  const [addr, len] = host.split('/') as [string, string | undefined];
  const ip = parseIpAddress(addr)!;
  const total = BITS[ip.tag];
  const prefix = len === undefined ? total : Number(len);
  if (len !== undefined && (!/^\d{1,3}$/.test(len) || prefix > total)) {
    throw new PolicyError(`allow rule '${rule}': prefix length '/${len}' is not from 0 to ${total}`);
  }
  return { family: ip.tag, net: bitsOf(ip) & mask(ip.tag, prefix), prefix, portLo, portHi };
}

export class NetworkPolicy {
  readonly inherit: boolean;
  /** Whether ip-name-lookup may ask the host's resolver. */
  readonly lookup: boolean;
  readonly #rules: Rule[];

  /** Parses `options.allow`; a bad rule throws a PolicyError naming it. */
  constructor(options: NetworkOptions = {}) {
    this.inherit = options.inherit === true;
    this.lookup = options.lookup ?? this.inherit;
    const allow = options.allow ?? [];
    if (!Array.isArray(allow)) throw new PolicyError('network.allow must be an array of HOST:PORTS strings');
    this.#rules = allow.map(parseRule);
  }

  /** Whether the guest may use `address` and `port` (bind, connect, send). */
  allows(address: IpAddress, port: number): boolean {
    if (this.inherit) return true;
    if (this.#rules.length === 0) return false;
    const bits = bitsOf(address);
    return this.#rules.some(
      (r) =>
        port >= r.portLo &&
        port <= r.portHi &&
        (r.family === undefined || (r.family === address.tag && (bits & mask(r.family, r.prefix)) === r.net)),
    );
  }
}
