// fetchClient (the browser entry's default `client.send`) against real Node HTTP servers on
// 127.0.0.1: what goes out, what comes back, the error-codes of what fails, timeouts, limits.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchClient, type HostRequest, type HostResponse, HttpError } from '../src/browser.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

/** A server on 127.0.0.1 answering with `handler`; resolves with its authority. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function request(authority: string, over: Partial<HostRequest> = {}): HostRequest {
  return {
    method: 'GET',
    scheme: 'http',
    authority,
    pathWithQuery: '/',
    headers: [],
    contents: undefined,
    trailers: Promise.resolve(undefined),
    ...over,
  };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield enc.encode(p);
}

async function body(r: HostResponse): Promise<string> {
  let s = '';
  for await (const c of r.contents ?? []) s += dec.decode(c, { stream: true });
  return s;
}

/** The error-code a promise rejects with. */
async function codeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    return (e as HttpError).code;
  }
  throw new Error('expected a rejection');
}

const signal = () => new AbortController().signal;

describe('fetchClient', { timeout: 20_000 }, () => {
  it('sends method, path, query and headers; returns status, headers in order and the body', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers'] } = {};
    const authority = await serve((req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers };
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'x-one': '1', 'content-type': 'text/plain' });
      res.end('made');
    });
    const send = fetchClient();
    const r = await send(
      request(authority, {
        method: 'DELETE',
        pathWithQuery: '/things/1?x=y',
        headers: [
          ['x-custom', enc.encode('v')],
          ['host', enc.encode('ignored.test')],
        ],
      }),
      signal(),
    );
    expect(seen).toMatchObject({ method: 'DELETE', url: '/things/1?x=y' });
    expect(seen.headers?.['x-custom']).toBe('v');
    expect(seen.headers?.host).toBe(authority);
    expect(r.status).toBe(201);
    const names = r.headers.map(([n]) => n);
    expect(names).toContain('x-one');
    expect(r.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => dec.decode(v))).toEqual(['a=1', 'b=2']);
    expect(await body(r)).toBe('made');
    expect(await r.trailers).toBeUndefined();
  });

  it('gathers a request body (checked against content-length) and streams it when asked', async () => {
    const got: { body: string; te?: string; cl?: string }[] = [];
    const authority = await serve((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        got.push({ body: b, te: req.headers['transfer-encoding'], cl: req.headers['content-length'] });
        res.end('ok');
      });
    });
    const post = (over: Partial<HostRequest>, send = fetchClient()) =>
      send(request(authority, { method: 'POST', ...over }), signal());
    expect((await post({ contents: chunks('ab', 'cd') })).status).toBe(200);
    expect(got.pop()).toEqual({ body: 'abcd', te: undefined, cl: '4' });
    // content-length given and kept to
    await post({ contents: chunks('xyz'), headers: [['content-length', enc.encode('3')]] });
    expect(got.pop()).toMatchObject({ body: 'xyz', cl: '3' });
    // ...and not kept to: nothing is sent
    expect(
      await codeOf(post({ contents: chunks('too long'), headers: [['content-length', enc.encode('3')]] })),
    ).toEqual({ tag: 'HTTP-request-body-size', val: 8n });
    expect(await codeOf(post({ contents: chunks('ab'), headers: [['content-length', enc.encode('3')]] }))).toEqual({
      tag: 'HTTP-request-body-size',
      val: 2n,
    });
    // over the client's limit
    expect(await codeOf(post({ contents: chunks('12345', '6') }, fetchClient({ maxRequestBody: 5 })))).toEqual({
      tag: 'HTTP-request-body-size',
      val: 6n,
    });
    expect(got).toEqual([]);
    // streamed (duplex: 'half'): chunked on HTTP/1.1
    await post({ contents: chunks('s1', 's2') }, fetchClient({ streamRequestBody: true }));
    expect(got.pop()).toEqual({ body: 's1s2', te: 'chunked', cl: undefined });
  });

  it('refuses a body on GET, an unknown scheme, a bad authority, before sending', async () => {
    let hits = 0;
    const authority = await serve((_req, res) => {
      hits++;
      res.end();
    });
    const send = fetchClient();
    expect(await codeOf(send(request(authority, { contents: chunks('x') }), signal()))).toEqual({
      tag: 'HTTP-protocol-error',
    });
    // An empty body on GET is no body.
    expect((await send(request(authority, { contents: chunks() }), signal())).status).toBe(200);
    expect(await codeOf(send(request(authority, { scheme: 'ftp' }), signal()))).toEqual({ tag: 'HTTP-protocol-error' });
    expect(await codeOf(send(request('user@host'), signal()))).toEqual({ tag: 'HTTP-request-URI-invalid' });
    expect(hits).toBe(1);
  });

  it('does not follow redirects unless told to', async () => {
    const authority = await serve((req, res) => {
      if (req.url === '/from') res.writeHead(302, { location: '/to' }).end();
      else res.end(`at ${req.url}`);
    });
    const manual = await fetchClient()(request(authority, { pathWithQuery: '/from' }), signal());
    expect(manual.status).toBe(302);
    expect(manual.headers.find(([n]) => n === 'location')?.[1]).toEqual(enc.encode('/to'));
    const follow = await fetchClient({ redirect: 'follow' })(request(authority, { pathWithQuery: '/from' }), signal());
    expect([follow.status, await body(follow)]).toEqual([200, 'at /to']);
  });

  it('connection-refused for a closed port', async () => {
    const authority = await serve(() => {});
    const s = servers.pop()!;
    await new Promise<void>((r) => s.close(() => r()));
    expect(await codeOf(fetchClient()(request(authority), signal()))).toEqual({ tag: 'connection-refused' });
  });

  it('first-byte-timeout and between-bytes-timeout', async () => {
    const authority = await serve((req, res) => {
      if (req.url === '/slow-head') setTimeout(() => res.end('late'), 2000);
      else {
        res.writeHead(200);
        res.write('part');
        setTimeout(() => res.end('rest'), 2000);
      }
    });
    const send = fetchClient();
    const t0 = performance.now();
    expect(
      await codeOf(
        send(
          request(authority, { pathWithQuery: '/slow-head', options: { firstByteTimeout: 100_000_000n } }),
          signal(),
        ),
      ),
    ).toEqual({ tag: 'connection-read-timeout' });
    expect(performance.now() - t0).toBeLessThan(1500);
    const r = await send(
      request(authority, { pathWithQuery: '/stall', options: { betweenBytesTimeout: 100_000_000n } }),
      signal(),
    );
    const it = r.contents![Symbol.asyncIterator]();
    expect(dec.decode((await it.next()).value)).toBe('part');
    expect(await codeOf(it.next())).toEqual({ tag: 'connection-read-timeout' });
    expect(await codeOf(r.trailers)).toEqual({ tag: 'connection-read-timeout' });
  });

  it('the signal aborts a request in flight; a dropped body cancels the response', async () => {
    let closed = false;
    const authority = await serve((req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(1000));
      req.socket.on('close', () => (closed = true));
    });
    const send = fetchClient();
    const abort = new AbortController();
    const r = await send(request(authority), abort.signal);
    const it = r.contents![Symbol.asyncIterator]();
    await it.next();
    await it.return!();
    await expect(r.trailers).resolves.toBeUndefined();
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
    // aborting before the head arrives
    const hang = await serve(() => {});
    const pending = send(request(hang), abort.signal);
    abort.abort();
    expect(await codeOf(pending)).toMatchObject({ tag: 'internal-error' });
  });
});
