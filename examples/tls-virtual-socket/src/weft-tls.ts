// A `weft run` for plaintext guests that need TLS: runs a command component's wasi:cli/run with
// this process's stdio, and a network of only the names given, each served by
// tlsVirtualNetwork (virtual addresses 10.255.0.1, .2, ...; port 443).
//
//   node --conditions=weft-source src/weft-tls.ts --tls NAME=HOST:PORT [--tls ...] [--ca FILE]
//        COMPONENT.wasm [ARGS...]
//
// e.g. `--tls api.example=127.0.0.1:8443 --ca test/fixtures/cert.pem guest/http-get.wasm
// api.example 443 /`. Exits with the guest's code; 2 on a usage error.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Component } from '@weft/core';
import { createWasiHost } from '@weft/wasi';
import type { VirtualNetwork } from '@weft/wasi-sockets';
import { tlsVirtualNetwork } from './tls-network.ts';

const USAGE = 'usage: weft-tls --tls NAME=HOST:PORT [--tls ...] [--ca FILE] COMPONENT.wasm [ARGS...]';

export interface TlsRunArgs {
  routes: { name: string; host: string; port: number }[];
  ca?: string;
  file: string;
  args: string[];
}

/** Options before the component; everything after it is the guest's. Throws a usage message. */
export function parseTlsRunArgs(argv: string[]): TlsRunArgs {
  const routes: TlsRunArgs['routes'] = [];
  let ca: string | undefined;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('--'); i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--ca') ca = value;
    else if (flag === '--tls') {
      const m = /^([A-Za-z0-9.-]+)=(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
      if (!m || Number(m[3]) > 65535) throw new Error(`--tls ${JSON.stringify(value)}: expected NAME=HOST:PORT`);
      routes.push({ name: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
    } else throw new Error(`unknown option ${flag}`);
  }
  const file = argv[i];
  if (file === undefined) throw new Error('no component file');
  if (routes.length === 0) throw new Error('no --tls NAME=HOST:PORT: the guest would reach nothing');
  return { routes, ca, file, args: argv.slice(i + 1) };
}

/** One VirtualNetwork of several: the first that answers a name or an address serves it. */
export function anyOf(networks: VirtualNetwork[]): VirtualNetwork {
  return {
    resolve: (name) => {
      for (const n of networks) {
        const r = n.resolve?.(name);
        if (r !== undefined) return r;
      }
      return undefined;
    },
    connect: async (remote) => {
      for (const n of networks) {
        const c = await n.connect?.(remote);
        if (c !== undefined) return c;
      }
      return undefined;
    },
  };
}

export async function weftTls(a: TlsRunArgs): Promise<number> {
  const ca = a.ca === undefined ? undefined : readFileSync(a.ca);
  const virtual = anyOf(
    a.routes.map((r, n) =>
      tlsVirtualNetwork({ name: r.name, address: `10.255.0.${n + 1}`, upstream: { host: r.host, port: r.port }, ca }),
    ),
  );
  const component = await Component.compile(readFileSync(a.file));
  const wasi = createWasiHost({ args: [basename(a.file), ...a.args], network: { virtual } });
  return wasi.run(await component.instantiate(wasi.imports));
}

if (import.meta.main) {
  let args: TlsRunArgs;
  try {
    args = parseTlsRunArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`weft-tls: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  process.exitCode = await weftTls(args);
}
