// The test servers a specification's `servers` stands up, spoken to directly.

import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type TestServers } from '../src/wasi/servers.ts';
import { parseSpec } from '../src/wasi/spec.ts';

interface Got {
  status: number;
  raw: [string, string][];
  body: string;
  trailers: NodeJS.Dict<string>;
}

function fetchRaw(
  addr: string,
  method: string,
  path: string,
  opts: { body?: string; headers?: [string, string][]; trailers?: Record<string, string> } = {},
): Promise<Got> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          raw.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode!, raw, body: Buffer.concat(chunks).toString(), trailers: res.trailers });
      });
    });
    req.on('error', reject);
    for (const [k, v] of opts.headers ?? []) req.appendHeader(k, v);
    if (opts.trailers) {
      req.setHeader('transfer-encoding', 'chunked');
      req.write(opts.body ?? '');
      req.addTrailers(opts.trailers);
      req.end();
    } else req.end(opts.body);
  });
}

const header = (g: Got, name: string) => g.raw.filter(([k]) => k === name).map(([, v]) => v);

describe('startServers', () => {
  let servers: TestServers;
  let main: string;
  beforeAll(async () => {
    const spec = parseSpec({
      servers: [
        {
          name: 'main',
          endpoints: [
            { method: 'post', path: '/echo-body', mode: 'echo-body' },
            { method: 'GET', path: '/echo?a=1&a=2&b=', mode: 'echo-headers' },
            { method: 'POST', path: '/echo', mode: 'echo-headers' },
            { path: '/short', response: 'plain' },
            { method: 'HEAD', path: '/short', response: 'plain' },
            { path: '/created', response: { status: 201, headers: { 'x-made': 'yes' }, body: 'made' } },
            { path: '/teapot', response: { status: 418 } },
            {
              path: '/trailers',
              response: { status: 200, chunks: ['pay', 'load'], trailers: { 'x-checksum': 'abc123', 'x-parts': '1' } },
            },
          ],
        },
        { name: 'Dead_1', kind: 'closed' },
      ],
    });
    servers = await startServers(spec.servers);
    main = servers.env.HTTP_SERVER_MAIN!;
  });
  afterAll(() => servers.close());

  it('gives each server an upper-cased variable and a 127.0.0.1 address', () => {
    expect(Object.keys(servers.env)).toEqual(['HTTP_SERVER_MAIN', 'HTTP_SERVER_DEAD_1']);
    for (const a of Object.values(servers.env)) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('echoes a body, chunked with trailers too, and closes each connection', async () => {
    const plain = await fetchRaw(main, 'POST', '/echo-body', { body: 'ping' });
    expect(plain).toMatchObject({ status: 200, body: 'ping' });
    expect(header(plain, 'content-length')).toEqual(['4']);
    expect(header(plain, 'connection')).toEqual(['close']);
    const chunked = await fetchRaw(main, 'POST', '/echo-body', { body: 'chunked-payload', trailers: { 'x-a': '1' } });
    expect(chunked).toMatchObject({ status: 200, body: 'chunked-payload' });
  });

  it('echoes the request line, every header value and the trailers', async () => {
    const g = await fetchRaw(main, 'GET', '/echo?a=1&a=2&b=', {
      headers: [
        ['X-Multi', 'one'],
        ['x-other', 'o'],
        ['x-multi', 'two'],
      ],
    });
    expect(g.status).toBe(200);
    expect(g.body).toBe('');
    expect(header(g, 'x-request-method')).toEqual(['GET']);
    expect(header(g, 'x-request-path')).toEqual(['/echo?a=1&a=2&b=']);
    expect(header(g, 'x-echo-x-multi')).toEqual(['one', 'two']);
    expect(header(g, 'x-echo-x-other')).toEqual(['o']);
    const names = g.raw.map(([k]) => k).filter((k) => k.startsWith('x-echo-x-'));
    expect(names).toEqual(['x-echo-x-multi', 'x-echo-x-multi', 'x-echo-x-other']);
    const t = await fetchRaw(main, 'POST', '/echo', {
      body: 'ping',
      trailers: { 'X-Checksum': 'abc123', 'x-parts': '1' },
    });
    expect(header(t, 'x-echo-transfer-encoding')).toEqual(['chunked']);
    expect(header(t, 'x-echo-content-length')).toEqual([]);
    expect(header(t, 'x-trailer-x-checksum')).toEqual(['abc123']);
    expect(header(t, 'x-trailer-x-parts')).toEqual(['1']);
  });

  it('answers fixed responses: status, headers, body; chunks with trailers; HEAD without a body', async () => {
    expect(await fetchRaw(main, 'GET', '/short')).toMatchObject({ status: 200, body: 'plain' });
    const created = await fetchRaw(main, 'GET', '/created');
    expect(created).toMatchObject({ status: 201, body: 'made' });
    expect(header(created, 'x-made')).toEqual(['yes']);
    expect(await fetchRaw(main, 'GET', '/teapot')).toMatchObject({ status: 418, body: '' });
    const head = await fetchRaw(main, 'HEAD', '/short');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(header(head, 'content-length')).toEqual(['5']);
    const t = await fetchRaw(main, 'GET', '/trailers');
    expect(t).toMatchObject({ status: 200, body: 'payload', trailers: { 'x-checksum': 'abc123', 'x-parts': '1' } });
    expect(header(t, 'transfer-encoding')).toEqual(['chunked']);
    expect(header(t, 'trailer')).toEqual(['x-checksum, x-parts']);
  });

  it('answers 404 off the routes: another method, another query', async () => {
    expect((await fetchRaw(main, 'GET', '/echo-body')).status).toBe(404);
    expect((await fetchRaw(main, 'GET', '/echo?a=1')).status).toBe(404);
    expect((await fetchRaw(main, 'GET', '/nowhere')).status).toBe(404);
  });

  it('refuses connections to a closed server', async () => {
    const [host, port] = servers.env.HTTP_SERVER_DEAD_1!.split(':');
    const err = await new Promise<NodeJS.ErrnoException>((res) => {
      const s = connect(Number(port), host!);
      s.on('connect', () => res(Object.assign(new Error('connected'), { code: 'CONNECTED' })));
      s.on('error', res);
    });
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('stops listening on close', async () => {
    const s = await startServers(parseSpec({ servers: [{ name: 'x', endpoints: [] }] }).servers);
    expect((await fetchRaw(s.env.HTTP_SERVER_X!, 'GET', '/')).status).toBe(404);
    await s.close();
    await expect(fetchRaw(s.env.HTTP_SERVER_X!, 'GET', '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
