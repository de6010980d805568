// The toolchain guests (README.md beside this) under `weft serve`, as a client sees them:
// hello and echo from componentize-qjs (status, headers and trailers both ways, large bodies
// streamed through the guest and handed over), fetch in C (outgoing requests to local test
// servers: GET, POST with a chunked body and trailers, a closed port, an unknown host, a
// first-byte timeout, each failure with its error-code), and the C middleware in front of the
// echo guest (through the library's serve, which can give it a handler to import). Skipped
// until `weft serve` exists.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureSink, createCliHost } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createWasiP2 } from '@weft/wasi-p2';
import { createRandom } from '@weft/wasi-random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerImport, serve as serveLib, type WeftServer } from '../../src/index.ts';
import { guest, type Served, serve, serveExists } from './serve.ts';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  raw: string[];
  body: Buffer;
  trailers: NodeJS.Dict<string>;
}

interface Send {
  method?: string;
  headers?: Record<string, string | string[]>;
  /** Sent chunked, piece by piece, then the trailers. */
  pieces?: Iterable<Buffer>;
  body?: Buffer | string;
  trailers?: Record<string, string>;
}

function send(url: string, path: string, opts: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
    req.setTimeout(60_000, () => req.destroy(new Error(`${path}: no response within 60 s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          raw: res.rawHeaders,
          body: Buffer.concat(chunks),
          trailers: res.trailers,
        }),
      );
    });
    void (async () => {
      if (opts.pieces || opts.trailers) {
        req.setHeader('transfer-encoding', 'chunked');
        for (const p of opts.pieces ?? [Buffer.from(opts.body ?? '')]) {
          if (!req.write(p)) await new Promise((r) => req.once('drain', r));
        }
        if (opts.trailers) req.addTrailers(opts.trailers);
        req.end();
      } else req.end(opts.body);
    })();
  });
}

/** `n` bytes of a fixed pattern, in 64 KiB pieces, and their sha256. */
function payload(n: number): { pieces: Buffer[]; sha: string } {
  const piece = Buffer.alloc(64 * 1024);
  for (let i = 0; i < piece.length; i++) piece[i] = (i * 31 + 7) & 0xff;
  const pieces: Buffer[] = [];
  const h = createHash('sha256');
  for (let left = n; left > 0; left -= piece.length) {
    const p = left >= piece.length ? piece : piece.subarray(0, left);
    pieces.push(p);
    h.update(p);
  }
  return { pieces, sha: h.digest('hex') };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const title = (what: string) =>
  serveExists() ? what : `${what} (skipped: packages/cli/src/commands/serve.ts does not exist yet)`;

describe.skipIf(!serveExists())(title('componentize-qjs guests under weft serve'), { timeout: 60_000 }, () => {
  let hello: Served;
  let echo: Served;
  beforeAll(async () => {
    [hello, echo] = await Promise.all([serve(guest('hello')), serve(guest('echo'))]);
  }, 60_000);
  afterAll(() => Promise.all([hello?.stop(), echo?.stop()]));

  it('hello: 200, text/plain, "hello"', async () => {
    const r = await send(hello.url, '/anything?x=1');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.body.toString()).toBe('hello');
  });

  it('echo: the status from the query, the headers both ways (repeated ones too), method and path', async () => {
    const r = await send(echo.url, '/some/path?status=201', {
      method: 'POST',
      headers: { 'x-one': '1', 'x-multi': ['a', 'b'], 'content-type': 'text/x-test' },
      body: 'abc',
    });
    expect(r.status).toBe(201);
    expect(r.body.toString()).toBe('abc');
    expect(r.headers['x-one']).toBe('1');
    expect(r.headers['content-type']).toBe('text/x-test');
    const multi: string[] = [];
    for (let i = 0; i < r.raw.length; i += 2) if (r.raw[i]!.toLowerCase() === 'x-multi') multi.push(r.raw[i + 1]!);
    expect(multi).toEqual(['a', 'b']);
    expect(r.headers['x-echo-method']).toBe('POST');
    expect(r.headers['x-echo-path']).toBe('/some/path?status=201');
    for (const status of [204, 404, 418, 500, 503]) {
      const s = await send(echo.url, `/?status=${status}`);
      expect(s.status).toBe(status);
    }
  });

  it('echo: streams 32 MiB back through the guest, a chunk at a time, and handed over as a stream', async () => {
    const { pieces, sha: want } = payload(32 * 1024 * 1024);
    for (const path of ['/big', '/big?forward=1']) {
      const r = await send(echo.url, path, { method: 'PUT', pieces });
      expect(r.status, path).toBe(200);
      expect(r.body.length, path).toBe(32 * 1024 * 1024);
      expect(sha(r.body), path).toBe(want);
    }
    // with a Content-Length too
    const body = Buffer.concat(payload(3 * 1024 * 1024 + 5).pieces);
    const r = await send(echo.url, '/sized', { method: 'POST', body });
    expect(sha(r.body)).toBe(sha(body));
  });

  it('echo: trailers both ways: the request trailers come back as the response trailers', async () => {
    const r = await send(echo.url, '/t', {
      method: 'POST',
      body: 'with trailers',
      trailers: { 'x-checksum': 'abc123' },
    });
    expect(r.body.toString()).toBe('with trailers');
    expect(r.trailers).toMatchObject({ 'x-checksum': 'abc123' });
    const added = await send(echo.url, '/t?trailers=1', {
      method: 'POST',
      body: '12345',
      trailers: { 'x-parts': '1' },
    });
    expect(added.trailers).toMatchObject({ 'x-parts': '1', 'x-body-length': '5' });
    // trailers the guest makes although the request had none
    const made = await send(echo.url, '/t?trailers=1', { method: 'POST', body: 'xyz' });
    expect(made.trailers).toMatchObject({ 'x-body-length': '3' });
    const forwarded = await send(echo.url, '/t?forward=1', { method: 'POST', body: 'f', trailers: { 'x-f': 'yes' } });
    expect(forwarded.trailers).toMatchObject({ 'x-f': 'yes' });
  });
});

describe.skipIf(!serveExists())(title('the fetch guest (C) under weft serve'), { timeout: 60_000 }, () => {
  let fetcher: Served;
  let upstream: Server;
  let up: string;
  /** What the upstream server saw of the last request. */
  let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; trailers: object };
  let closedPort: number;

  beforeAll(async () => {
    upstream = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        trailers: { ...req.trailers },
      };
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 3000);
        return;
      }
      if (req.url!.startsWith('/teapot')) {
        res.writeHead(418, { 'x-up': 'tea', 'content-type': 'text/plain' });
        res.end('short and stout');
        return;
      }
      res.writeHead(200, { 'x-up-method': req.method!, trailer: 'x-up-trailer' });
      res.write('upstream:');
      res.write(Buffer.concat(chunks));
      res.addTrailers({ 'x-up-trailer': 'done' });
      res.end();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    // Its outgoing requests obey weft serve's network policy, which denies everything by default.
    fetcher = await serve(guest('fetch'), ['--inherit-network']);
  }, 60_000);
  afterAll(async () => {
    await fetcher?.stop();
    upstream?.closeAllConnections();
    await new Promise((r) => upstream?.close(r));
  });

  it('GET: status, headers and body of the upstream response come back as they are', async () => {
    const r = await send(fetcher.url, '/', {
      headers: { 'x-fetch-url': `${up}/teapot?q=1`, 'x-custom': 'yes', 'other-header': 'no' },
    });
    expect(r.status).toBe(418);
    expect(r.headers['x-up']).toBe('tea');
    expect(r.body.toString()).toBe('short and stout');
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/teapot?q=1');
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers['other-header']).toBeUndefined();
  });

  it('POST with a chunked body and trailers: both reach the upstream, its trailers come back', async () => {
    const { pieces, sha: want } = payload(2 * 1024 * 1024);
    const r = await send(fetcher.url, '/', {
      method: 'POST',
      headers: { 'x-fetch-url': `${up}/post`, 'x-fetch-method': 'POST' },
      pieces,
      trailers: { 'x-req-trailer': 'sent' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-up-method']).toBe('POST');
    expect(r.body.subarray(0, 9).toString()).toBe('upstream:');
    expect(sha(r.body.subarray(9))).toBe(want);
    expect(r.trailers).toMatchObject({ 'x-up-trailer': 'done' });
    expect(seen.method).toBe('POST');
    expect(seen.headers['transfer-encoding']).toBe('chunked');
    expect(seen.trailers).toMatchObject({ 'x-req-trailer': 'sent' });
  });

  it('a closed port gives connection-refused, an unknown host DNS-error', async () => {
    const refused = await send(fetcher.url, '/', { headers: { 'x-fetch-url': `http://127.0.0.1:${closedPort}/` } });
    expect(refused.status).toBe(502);
    expect(refused.headers['x-fetch-error']).toBe('connection-refused');
    const unknown = await send(fetcher.url, '/', { headers: { 'x-fetch-url': 'http://nonexistent.invalid/' } });
    expect(unknown.status).toBe(502);
    expect(unknown.headers['x-fetch-error']).toBe('DNS-error');
  });

  it('a first-byte timeout from request-options gives connection-read-timeout, promptly', async () => {
    const start = performance.now();
    const r = await send(fetcher.url, '/', { headers: { 'x-fetch-url': `${up}/slow`, 'x-fetch-timeout-ms': '300' } });
    expect(r.status).toBe(502);
    // as Wasmtime names a first-byte (and between-bytes) timeout
    expect(r.headers['x-fetch-error']).toBe('connection-read-timeout');
    expect(performance.now() - start).toBeLessThan(2500);
  });
});

describe.skipIf(!serveExists())(
  title('the middleware guest (C) in front of the echo guest'),
  { timeout: 60_000 },
  () => {
    // The library's serve: the middleware's imported wasi:http/handler is the echo guest's pool.
    let downstream: WeftServer;
    let middleware: WeftServer;
    const wasi = () => {
      const cli = createCliHost({ stdin: 'ignore', stdout: 'ignore', stderr: new CaptureSink() });
      const random = createRandom();
      return { ...createWasiP2(cli.resolved, { random }), ...createClocks(), ...random, ...cli.imports };
    };

    beforeAll(async () => {
      downstream = await serveLib(readFileSync(guest('echo')), {
        port: 0,
        log: () => {},
        imports: wasi,
        instantiate: { hostImportsMaySuspend: true },
      });
      middleware = await serveLib(readFileSync(guest('middleware')), {
        port: 0,
        log: () => {},
        imports: () => handlerImport((req) => downstream.pool.handle(req)),
      });
    }, 60_000);
    afterAll(async () => {
      await middleware?.close();
      await downstream?.close();
    });

    it('forwards the request as it is and tags the response; body and trailers stream through', async () => {
      const { pieces, sha: want } = payload(4 * 1024 * 1024);
      const r = await send(middleware.url, '/via?status=202', {
        method: 'POST',
        headers: { 'x-mine': 'kept' },
        pieces,
        trailers: { 'x-end': 'ok' },
      });
      expect(r.status).toBe(202);
      expect(r.headers['x-middleware']).toBe('weft-test');
      expect(r.headers['x-mine']).toBe('kept');
      expect(r.headers['x-echo-path']).toBe('/via?status=202');
      expect(sha(r.body)).toBe(want);
      expect(r.trailers).toMatchObject({ 'x-end': 'ok' });
    });
  },
);
