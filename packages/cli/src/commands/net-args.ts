// `--allow-net SPEC` (repeatable), `--allow-name-lookup` and `--inherit-network`, shared by
// `weft run` and `weft serve`.
// A spec is checked here, before anything loads, so a typo is a usage error (exit 2) that names
// the flag and says what was expected, not a guest that later finds every connect denied.

import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.ts';

/** What the network flags asked for. */
export interface NetArgs {
  /** `--allow-net HOST:PORTS`, in order, as given (each checked by parseAllowNet). */
  allowNet?: string[];
  /** `--inherit-network`: every address, and the host's name lookup. */
  inheritNetwork?: boolean;
  /** `--allow-name-lookup`: ip-name-lookup may use the host's resolver (as Wasmtime's -S allow-ip-name-lookup). */
  allowNameLookup?: boolean;
}

const EXPECTED =
  'expected HOST:PORTS, HOST an IPv4 address, [IPv6], a CIDR (10.0.0.0/8, [fd00::]/8) or *, PORTS * or N or N-M (0-65535), e.g. 127.0.0.1:8000-9000';

/** Checks one `--allow-net` value and returns it unchanged (the socket policy parses it again). */
export function parseAllowNet(value: string): string {
  const fail = (why: string): never => {
    throw new UsageError(`--allow-net ${JSON.stringify(value)}: ${why}; ${EXPECTED}`);
  };
  const colon = value.lastIndexOf(':');
  if (colon < 0) fail('no :PORTS');
  const host = value.slice(0, colon);
  const ports = value.slice(colon + 1);
  checkHost(host, fail);
  checkPorts(ports, fail);
  return value;
}

function checkHost(host: string, fail: (why: string) => never): void {
  if (host === '*') return;
  if (host === '') fail('the host is empty');
  let addr = host;
  let prefix: string | undefined;
  let bracketed = false;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) fail('an IPv6 address needs its closing ]');
    addr = host.slice(1, close);
    const rest = host.slice(close + 1);
    if (rest !== '' && !rest.startsWith('/')) fail(`unexpected ${JSON.stringify(rest)} after the IPv6 address`);
    if (rest !== '') prefix = rest.slice(1);
    bracketed = true;
  } else {
    const slash = host.indexOf('/');
    if (slash >= 0) {
      addr = host.slice(0, slash);
      prefix = host.slice(slash + 1);
    }
  }
  if (bracketed) {
    if (!isIPv6(addr) || addr.includes('%')) fail(`${JSON.stringify(addr)} is not an IPv6 address`);
  } else if (isIPv6(addr)) {
    fail('an IPv6 address goes in brackets, e.g. [::1]:8080');
  } else if (!isIPv4(addr)) {
    fail(`${JSON.stringify(addr)} is not an IP address (host names are not allowed: the rules match addresses)`);
  }
  if (prefix !== undefined) {
    const max = bracketed ? 128 : 32;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) fail(`the prefix length must be 0 to ${max}`);
  }
}

function checkPorts(ports: string, fail: (why: string) => never): void {
  if (ports === '*') return;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(ports);
  if (!m) fail(`${JSON.stringify(ports)} is not a port, a range or *`);
  const lo = Number(m![1]);
  const hi = m![2] === undefined ? lo : Number(m![2]);
  if (lo > 65535 || hi > 65535) fail('a port is at most 65535');
  if (lo > hi) fail(`the range ${ports} is empty`);
}

/** The socket options (`@weft/wasi-sockets`' NetworkOptions) the flags ask for; undefined: no network. */
export function networkOptions(args: NetArgs): { inherit: boolean; allow: string[]; lookup?: boolean } | undefined {
  const allow = args.allowNet ?? [];
  if (!args.inheritNetwork && allow.length === 0 && !args.allowNameLookup) return undefined;
  return { inherit: args.inheritNetwork === true, allow, ...(args.allowNameLookup ? { lookup: true } : {}) };
}
