// The undici client behind createHttp's `client.send`, with no guest: the resources a guest
// would make (request.new with a streamed body, trailers and options), sent to a local server,
// and the response resource read back with consume-body.

import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.ts';
import { createHttp } from '../src/imports.ts';
import type { Fields as FieldsT } from '../src/types/index.ts';
import { body, chunks, dec, enc, httpServer, localServers, readAll } from './client-helpers.ts';

const { serve } = localServers();

const client = createClient();
afterAll(() => client.destroy());

describe('createHttp over the undici client', () => {
  it('sends a request resource and reads the response resource, trailers both ways', async () => {
    let seen: { method?: string; url?: string; body?: string; trailers?: NodeJS.Dict<string>; x?: string } = {};
    const s = await serve(async (q, r) => {
      seen = { method: q.method, url: q.url, x: q.headers['x-from-guest'] as string };
      seen.body = String(await body(q));
      seen.trailers = q.trailers;
      r.writeHead(201, { 'x-from-server': 'yes', trailer: 'x-done' });
      r.write('echo:');
      r.write(seen.body);
      r.addTrailers({ 'x-done': 'ok' });
      r.end();
    });
    const http = createHttp({ send: client });
    const { Fields, Request, RequestOptions, Response } = http['wasi:http/types@0.3.0'];
    const headers = Fields.fromList([['x-from-guest', enc('hello')]]);
    const options = new RequestOptions();
    options.setFirstByteTimeout(5_000_000_000n);
    const trailers = Promise.resolve({ tag: 'ok', val: Fields.fromList([['x-sum', enc('7')]]) });
    const [request, transmitted] = Request.new(headers, chunks('from ', 'a guest'), trailers, options);
    request.setMethod({ tag: 'post' });
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(s.authority);
    request.setPathWithQuery('/upload?x=1');

    const response = await http['wasi:http/client@0.3.0'].send(request);
    expect(response.getStatusCode()).toBe(201);
    expect(response.getHeaders().get('x-from-server').map(dec)).toEqual(['yes']);
    const [contents, responseTrailers] = Response.consumeBody(response, Promise.resolve({ tag: 'ok' }));
    expect(dec(await readAll(contents as AsyncIterable<Uint8Array>))).toBe('echo:from a guest');
    const t = (await responseTrailers) as FieldsT | undefined;
    expect(t?.get('x-done').map(dec)).toEqual(['ok']);
    await transmitted;
    expect(seen).toEqual({
      method: 'POST',
      url: '/upload?x=1',
      x: 'hello',
      body: 'from a guest',
      trailers: { 'x-sum': '7' },
    });
  });

  it('a failure reaches the guest as its error-code (send throws with the payload, new-s future fails)', async () => {
    // A server of its own, closed here (not one of the file's, closed after each test).
    const s = await httpServer(() => {});
    await s.close();
    const http = createHttp({ send: client });
    const { Fields, Request } = http['wasi:http/types@0.3.0'];
    const [request, transmitted] = Request.new(new Fields(), undefined, Promise.resolve(undefined));
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(s.authority);
    request.setPathWithQuery('/');
    const err = await http['wasi:http/client@0.3.0'].send(request).then(
      () => undefined,
      (e: { payload?: unknown }) => e,
    );
    expect(err?.payload).toEqual({ tag: 'connection-refused' });
    await expect(transmitted).rejects.toMatchObject({ payload: { tag: 'connection-refused' } });
  });

  it('without a send of its own, createHttp sends through the shared undici client', async () => {
    const s = await serve((q, r) => r.end(`default ${q.url}`));
    const http = createHttp();
    const { Fields, Request, Response } = http['wasi:http/types@0.3.0'];
    const [request] = Request.new(new Fields(), undefined, Promise.resolve(undefined));
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(s.authority);
    request.setPathWithQuery('/d');
    const response = await http['wasi:http/client@0.3.0'].send(request);
    const [contents] = Response.consumeBody(response, undefined);
    expect(dec(await readAll(contents as AsyncIterable<Uint8Array>))).toBe('default /d');
  });

  it('a guest dropping the response body closes the connection', async () => {
    let closed = false;
    const s = await serve((q, r) => {
      q.socket.on('close', () => (closed = true));
      // Closed with our bytes unread, the client's kernel answers with a reset.
      q.socket.on('error', () => {});
      r.writeHead(200);
      r.write('x'.repeat(1 << 20));
    });
    const http = createHttp({ send: client });
    const { Fields, Request, Response } = http['wasi:http/types@0.3.0'];
    const [request] = Request.new(new Fields(), undefined, Promise.resolve(undefined));
    request.setScheme({ tag: 'HTTP' });
    request.setAuthority(s.authority);
    request.setPathWithQuery('/');
    const response = await http['wasi:http/client@0.3.0'].send(request);
    const [contents] = Response.consumeBody(response, undefined);
    const it = (contents as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.next();
    await it.return?.();
    for (let i = 0; i < 100 && !closed; i++) await tick(20);
    expect(closed).toBe(true);
  });
});

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
