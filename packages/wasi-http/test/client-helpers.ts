// Helpers for the client tests: local servers on 127.0.0.1, HostRequests, bodies.

import { once } from 'node:events';
import { afterEach } from 'vitest';
import http from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { FieldList, HostRequest, RequestOptions } from '../src/host.ts';
import { HttpError } from '../src/host.ts';

export const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));
export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A listening server and what it saw. */
export interface Local<S extends Server = Server> {
  server: S;
  port: number;
  authority: string;
  /** Connections accepted so far. */
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function listen<S extends Server>(server: S): Promise<Local<S>> {
  const local = { server, connections: 0, sockets: new Set<Socket>() } as Local<S>;
  const onConn = (s: Socket) => {
    local.connections++;
    local.sockets.add(s);
    s.on('close', () => local.sockets.delete(s));
  };
  // Every TCP connection (a TLS server's too, before its handshake).
  server.on('connection', onConn);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  local.port = (server.address() as AddressInfo).port;
  local.authority = `127.0.0.1:${local.port}`;
  local.close = async () => {
    for (const s of local.sockets) s.destroy();
    if ('closeAllConnections' in server) (server as unknown as http.Server).closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return local;
}

export function httpServer(handler: http.RequestListener): Promise<Local<http.Server>> {
  return listen(http.createServer(handler));
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Req {
  method?: string;
  scheme?: string | undefined;
  authority?: string | undefined;
  path?: string | undefined;
  headers?: [string, string][];
  body?: AsyncIterable<Uint8Array> | Uint8Array | string;
  trailers?: Promise<FieldList | undefined>;
  options?: RequestOptions;
}

export async function* chunks(...parts: (Uint8Array | string)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? enc(p) : p;
}

/** A HostRequest from friendlier pieces; `scheme`/`path` may be given as undefined on purpose. */
export function req(r: Req): HostRequest {
  const body = r.body;
  const contents =
    body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? chunks(body) : body;
  return {
    method: r.method ?? 'GET',
    scheme: 'scheme' in r ? r.scheme : 'http',
    authority: r.authority,
    pathWithQuery: 'path' in r ? r.path : '/',
    headers: (r.headers ?? []).map(([n, v]) => [n, enc(v)]),
    contents,
    trailers: r.trailers ?? Promise.resolve(undefined),
    options: r.options,
  };
}

export async function readAll(src: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of src ?? []) {
    parts.push(c.slice());
    n += c.length;
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of parts) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Reads a node request body to the end. */
export async function body(r: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The error-code a promise rejects with (fails the test if it resolves or rejects otherwise). */
export async function codeOf(p: Promise<unknown>): Promise<{ tag: string; val?: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HttpError) return err.code;
    throw new Error(`rejected with a non-HttpError: ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

export function header(fields: FieldList, name: string): string[] {
  return fields.filter(([n]) => n === name).map(([, v]) => dec(v));
}

/** Deterministic bytes: chunk `i` of a long body. */
export function block(i: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.fill(i & 0xff);
  b[0] = (i >> 8) & 0xff;
  return b;
}

export const never = new AbortController().signal;

/**
 * The local servers of a test file: `keep(started)` registers one, and each is closed after its
 * test. `serve(handler)` is `keep(httpServer(handler))`.
 */
export function localServers() {
  const servers: Local[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const keep = async <T extends Local>(p: Promise<T>): Promise<T> => {
    const s = await p;
    servers.push(s);
    return s;
  };
  return { keep, serve: (handler: http.RequestListener) => keep(httpServer(handler)) };
}

/** What `p` rejected with (the test fails if it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A body's contents read to the end, as text. */
export async function collect(src: unknown): Promise<string> {
  return dec(await readAll(src as AsyncIterable<Uint8Array>));
}
