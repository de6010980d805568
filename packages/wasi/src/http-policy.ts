// wasi:http's outgoing requests under the network policy of wasi:sockets (`createWasi({ network })`):
// without it, a guest denied every socket could still reach any address through `client.send`.
// Wasmtime offers wasi:http only when asked (`-S http`); Weft always offers it, so the default
// client obeys the same rules: an IP literal authority is checked as a connect would be; a name
// needs the host resolver (`lookup` or `inherit`) and every address it resolves to must be
// allowed. `inherit` (weft run --inherit-network) lets everything through. A refusal is the
// WIT's `destination-IP-prohibited`, before any connection.
//
// A name is resolved here and again by the client when it connects: a resolver that answers
// differently the second time could steer an allowed name elsewhere (the README says so).

import { HttpError, type SendFn } from '@weft/wasi-http/web';
import { type NetworkOptions, NetworkPolicy, parseIpAddress } from '@weft/wasi-sockets';

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

function prohibited(why: string): HttpError {
  return new HttpError({ tag: 'destination-IP-prohibited' }, why);
}

/** `send` that first checks where the request goes against `network` (as is with `inherit`). */
export function guardSend(send: SendFn, network: NetworkOptions | undefined): SendFn {
  const policy = new NetworkPolicy(network ?? {});
  if (policy.inherit) return send;
  return async (request, signal) => {
    const scheme = (request.scheme ?? 'https').toLowerCase();
    let host: string;
    let port: number;
    try {
      const url = new URL(`${scheme}://${request.authority ?? ''}`);
      host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      port = url.port === '' ? (DEFAULT_PORTS[scheme] ?? 0) : Number(url.port);
    } catch {
      // Not an authority the client could connect to either: let it report the precise error.
      return send(request, signal);
    }
    const literal = parseIpAddress(host);
    const addresses = literal !== undefined ? [literal] : await resolve(host, policy);
    for (const ip of addresses) {
      if (!policy.allows(ip, port)) throw prohibited(`${request.authority}: not allowed by the network policy`);
    }
    return send(request, signal);
  };
}

async function resolve(host: string, policy: NetworkPolicy) {
  if (!policy.lookup) throw prohibited(`${host}: name lookup is not allowed by the network policy`);
  // Loaded on use, not imported: the browser entry shares this file and has no resolver.
  const dns = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => typeof import('node:dns/promises') | undefined } }
  ).process?.getBuiltinModule?.('node:dns/promises');
  if (dns === undefined) throw prohibited(`${host}: no host resolver here`);
  let found: { address: string }[];
  try {
    found = await dns.lookup(host, { all: true, verbatim: true });
  } catch {
    throw new HttpError({ tag: 'DNS-error', val: { rcode: undefined, infoCode: undefined } }, `${host}: not found`);
  }
  const ips = found.map((a) => parseIpAddress(a.address)).filter((ip) => ip !== undefined);
  if (ips.length === 0) throw new HttpError({ tag: 'DNS-error', val: { rcode: undefined, infoCode: undefined } });
  return ips;
}
