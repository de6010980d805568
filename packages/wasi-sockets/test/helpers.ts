// Test support: sockets over a policy, addresses, error codes, and Node peers on 127.0.0.1 that
// are closed after each test.

import { createServer, type Server, type Socket } from 'node:net';
import { ComponentError } from '@weft/core';
import { afterEach } from 'vitest';
import type { IpSocketAddress } from '../src/address.ts';
import { createSockets } from '../src/index.ts';
import type { NetworkOptions } from '../src/options.ts';

export function sockets(network: NetworkOptions = { inherit: true }) {
  const s = createSockets({ network });
  return { TcpSocket: s['wasi:sockets/types@0.3.0'].TcpSocket, lookup: s['wasi:sockets/ip-name-lookup@0.3.0'] };
}

export const v4 = (port: number, address: [number, number, number, number] = [127, 0, 0, 1]): IpSocketAddress => ({
  tag: 'ipv4',
  val: { port, address },
});
export const v6 = (port: number, address = [0, 0, 0, 0, 0, 0, 0, 1]): IpSocketAddress => ({
  tag: 'ipv6',
  val: { port, flowInfo: 0, address: address as never, scopeId: 0 },
});

/** The error-code tag a call fails with (sync or async), or 'ok'. */
export async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    if (e instanceof ComponentError) return (e.payload as { tag: string }).tag;
    throw e;
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
/** Runs `f` after the test (LIFO). */
export function later(f: () => unknown): void {
  cleanups.push(f);
}

/** A Node server on 127.0.0.1 that `onSocket` serves; closed (with its connections) after the test. */
export async function nodeServer(
  onSocket: (s: Socket) => void = () => {},
): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  later(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** Everything an AsyncIterable of byte chunks yields, concatenated. */
export async function collect(src: AsyncIterable<Uint8Array> | Iterable<never>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of src as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

export async function* chunks(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

/** Resolves after `ms`, for bounded waits. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects if `p` takes longer than `ms`. */
export function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`no result within ${ms} ms`)))]);
}
