// Test helpers for the server: a fake component whose `handle` is a JS function (so the pool,
// node:http and fetch layers are tested without a guest), and a small HTTP client.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FieldList, HostRequest, HostResponse } from '../src/host.ts';
import type { CallHandler, ComponentLike } from '../src/index.ts';

export const enc = new TextEncoder();
export const dec = new TextDecoder();

export interface FakeContext {
  instance: number;
  signal: AbortSignal | undefined;
}

export type FakeHandler = (req: HostRequest, ctx: FakeContext) => Promise<HostResponse> | HostResponse;

/** A "component" whose instances' handle runs `handler`; `instances` lists what was made. */
export function fakeComponent(handler: FakeHandler): ComponentLike & { instances: FakeContext[] } {
  const instances: FakeContext[] = [];
  return {
    instances,
    async instantiate(_imports, options) {
      const ctx: FakeContext = { instance: instances.length, signal: options?.signal };
      instances.push(ctx);
      return { exports: { 'wasi:http/handler@0.3.0': { handle: (req: HostRequest) => handler(req, ctx) } } };
    },
  } as ComponentLike & { instances: FakeContext[] };
}

/** callHandler for fake components: their handle takes and returns host values. */
export const direct: CallHandler = (handle, req) => Promise.resolve(handle(req));

/** Pool options for fake components. */
export const fakeOptions = { callHandler: direct, log: () => {} };

export function fields(h: Record<string, string>): FieldList {
  return Object.entries(h).map(([k, v]) => [k, enc.encode(v)]);
}

/** A response with `body` in one chunk (or several), and optional trailers. */
export function textResponse(
  body: string | string[],
  opts: { status?: number; headers?: Record<string, string>; trailers?: Record<string, string> } = {},
): HostResponse {
  const chunks = (Array.isArray(body) ? body : [body]).map((s) => enc.encode(s));
  return {
    status: opts.status ?? 200,
    headers: fields(opts.headers ?? { 'content-type': 'text/plain' }),
    contents: (async function* () {
      yield* chunks;
    })(),
    trailers: Promise.resolve(opts.trailers ? fields(opts.trailers) : undefined),
  };
}

export async function readAll(it: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  if (it) for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  trailers: Record<string, string | undefined>;
  rawHeaders: string[];
}

/** One HTTP/1.1 request on a fresh connection; resolves with the whole answer. */
export function get(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array | AsyncIterable<Uint8Array>;
    trailers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body;
    const headers = { ...opts.headers };
    // GET and HEAD bodies are neither chunked nor sized by Node's client unless told.
    if ((typeof body === 'string' || body instanceof Uint8Array) && !opts.trailers)
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    else if (body !== undefined) headers['transfer-encoding'] = 'chunked';
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(parts).toString('utf8'),
          trailers: res.trailers,
        }),
      );
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
      if (opts.trailers) req.addTrailers(opts.trailers);
      req.end(body);
    } else {
      void (async () => {
        for await (const c of body) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        if (opts.trailers) req.addTrailers(opts.trailers);
        req.end();
      })().catch(reject);
    }
  });
}
