// The network policy: which addresses a guest may bind, connect and send to, and whether it may
// use the host's resolver. Deny by default; `inherit` allows everything.

import { type IpAddress, parseIpAddress } from './address.ts';
import type { NetworkOptions } from './options.ts';

/** One parsed `allow` rule. */
export interface AllowRule {
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
  /** The rule as given (undefined when `allow` itself is malformed). */
  readonly rule: string | undefined;
  /** What is wrong with it, without the rule (for callers that name it their own way). */
  readonly reason: string;
  constructor(reason: string, rule?: string) {
    super(rule === undefined ? reason : `allow rule '${rule}': ${reason}`);
    this.rule = rule;
    this.reason = reason;
  }
}

function parsePort(text: string, rule: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new PolicyError(`port '${text}' is not a number from 0 to 65535`, rule);
  }
  return Number(text);
}

/**
 * Parses one rule, 'HOST:PORTS' (HOST an IPv4 address, '[IPv6]', a CIDR or '*'; PORTS '*', 'N' or
 * 'N-M'); throws a PolicyError saying what is wrong. The one parser of the rule syntax: the CLI's
 * `--allow-net` checks its values with it too.
 */
export function parseAllowRule(rule: string): AllowRule {
  if (typeof rule !== 'string') throw new PolicyError(`allow rule ${String(rule)} is not a string`);
  const fail = (why: string): never => {
    throw new PolicyError(why, rule);
  };
  // A zone names an interface, which a rule cannot match (addresses with one are not-supported).
  if (rule.includes('%')) fail("a zone id ('%') is not allowed");
  let addr: string;
  let len: string | undefined;
  let ports: string;
  let family: 'ipv4' | 'ipv6';
  if (rule.startsWith('[')) {
    const close = rule.indexOf(']');
    if (close < 0) fail("'[' without ']'");
    const after = rule.slice(close + 1);
    const colon = after.lastIndexOf(':');
    if (colon < 0) fail("no ':PORTS' after the address (use ':*' for any port)");
    const suffix = after.slice(0, colon);
    if (suffix !== '' && !suffix.startsWith('/')) fail(`unexpected '${suffix}' after the IPv6 address`);
    addr = rule.slice(1, close);
    len = suffix === '' ? undefined : suffix.slice(1);
    ports = after.slice(colon + 1);
    family = 'ipv6';
    if (parseIpAddress(addr)?.tag !== 'ipv6') fail(`'${addr}' is not an IPv6 address`);
  } else {
    const colon = rule.lastIndexOf(':');
    if (colon < 0) fail('expected HOST:PORTS (e.g. 127.0.0.1:8080, *:*)');
    const host = rule.slice(0, colon);
    ports = rule.slice(colon + 1);
    if (host === '') fail('the host is empty');
    if (host.includes(':')) fail(`write an IPv6 address in brackets, [${host}]`);
    const slash = host.indexOf('/');
    addr = slash < 0 ? host : host.slice(0, slash);
    len = slash < 0 ? undefined : host.slice(slash + 1);
    family = 'ipv4';
    if (host !== '*' && parseIpAddress(addr)?.tag !== 'ipv4') {
      fail(`'${addr}' is not an IPv4 address, [IPv6], CIDR or '*' (host names are not allowed: rules match addresses)`);
    }
  }
  let portLo = 0;
  let portHi = 65535;
  if (ports !== '*') {
    const dash = ports.indexOf('-');
    portLo = parsePort(dash < 0 ? ports : ports.slice(0, dash), rule);
    portHi = dash < 0 ? portLo : parsePort(ports.slice(dash + 1), rule);
    if (portLo > portHi) fail(`port range ${ports} is empty`);
  }
  if (addr === '*') return { net: 0n, prefix: 0, portLo, portHi };
  const total = BITS[family];
  if (len !== undefined && (!/^\d{1,3}$/.test(len) || Number(len) > total)) {
    fail(
      len.includes('/') ? `more than one '/' in '${addr}/${len}'` : `prefix length '/${len}' is not from 0 to ${total}`,
    );
  }
  const prefix = len === undefined ? total : Number(len);
  const ip = parseIpAddress(addr)!;
  return { family, net: bitsOf(ip) & mask(family, prefix), prefix, portLo, portHi };
}

export class NetworkPolicy {
  readonly inherit: boolean;
  /** Whether ip-name-lookup may ask the host's resolver. */
  readonly lookup: boolean;
  readonly #rules: AllowRule[];

  /** Parses `options.allow`; a bad rule throws a PolicyError naming it. */
  constructor(options: NetworkOptions = {}) {
    this.inherit = options.inherit === true;
    this.lookup = options.lookup ?? this.inherit;
    const allow = options.allow ?? [];
    if (!Array.isArray(allow)) throw new PolicyError('network.allow must be an array of HOST:PORTS strings');
    this.#rules = allow.map((r) => parseAllowRule(r));
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
