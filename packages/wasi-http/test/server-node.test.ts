// serve() over node:http with fake components: the request as the guest sees it, streaming
// both ways with backpressure, trailers both ways, failures as 500/504, graceful shutdown.

import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HostRequest, HttpError } from '../src/host.ts';
import { serve, type WeftServer } from '../src/index.ts';
import {
  dec,
  enc,
  type FakeHandler,
  fakeComponent,
  fakeOptions,
  fields,
  get,
  readAll,
  sleep,
  textResponse,
} from './server-helpers.ts';

const servers: WeftServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(handler: FakeHandler, opts: Parameters<typeof serve>[1] = {}): Promise<WeftServer> {
  const s = await serve(fakeComponent(handler), { ...fakeOptions, port: 0, ...opts });
  servers.push(s);
  return s;
}

const header = (req: HostRequest, name: string) => {
  const f = req.headers.find(([n]) => n === name);
  return f ? dec.decode(f[1]) : undefined;
};

/** A server whose `/slow` request resolves `began`, then takes `ms` to answer `answer(path)`. */
async function slowServer(ms: number, answer: (path: string | undefined) => string) {
  let started!: () => void;
  const began = new Promise<void>((r) => (started = r));
  const s = await serve(
    fakeComponent(async (req) => {
      if (req.pathWithQuery === '/slow') {
        started();
        await sleep(ms);
      }
      return textResponse(answer(req.pathWithQuery));
    }),
    { ...fakeOptions, port: 0 },
  );
  return { s, began };
}

describe('serve over node:http', { timeout: 15_000 }, () => {
  it('listens on 127.0.0.1 with port 0 and hands the guest the request', async () => {
    let seen: HostRequest | undefined;
    const s = await start(async (req) => {
      seen = req;
      return textResponse(`${req.method} ${req.pathWithQuery}`, {
        headers: { 'x-a': '1', 'content-type': 'text/plain' },
      });
    });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.address().port).toBeGreaterThan(0);
    const r = await get(`${s.url}p/q?x=1`, { headers: { 'X-Mixed': 'Yes', 'x-dup': 'a' } });
    expect(r.status).toBe(200);
    expect(r.body).toBe('GET /p/q?x=1');
    expect(r.headers['x-a']).toBe('1');
    // A body the guest had at once goes out in one piece, with a Content-Length.
    expect(r.headers['content-length']).toBe('12');
    expect(seen!.scheme).toBe('http');
    expect(seen!.authority).toBe(`127.0.0.1:${s.address().port}`);
    expect(header(seen!, 'x-mixed')).toBe('Yes');
  });

  it('without a Host header the authority is the address the client reached', async () => {
    let seen: HostRequest | undefined;
    const s = await start((req) => {
      seen = req;
      return textResponse('ok');
    });
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.address().port, '127.0.0.1', () => {
        sock.end('GET /h HTTP/1.0\r\n\r\n');
      });
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(seen!.authority).toBe(`127.0.0.1:${s.address().port}`);
  });

  it('streams a request body to the guest and its echo back, with trailers both ways', async () => {
    let reqTrailers: unknown;
    const s = await start(async (req) => {
      // Echo as the body arrives.
      const src = req.contents!;
      const trailers = req.trailers.then((t) => {
        reqTrailers = t && Object.fromEntries(t.map(([k, v]) => [k, dec.decode(v)]));
        return fields({ 'x-sum': 'ok' });
      });
      return { status: 200, headers: fields({ 'content-type': 'application/octet-stream' }), contents: src, trailers };
    });
    const chunks = Array.from({ length: 64 }, (_, i) =>
      enc.encode(`${String(i).padStart(4, '0')}:${'x'.repeat(1019)}`),
    );
    const r = await get(s.url, {
      method: 'POST',
      body: (async function* () {
        for (const c of chunks) {
          yield c;
          await sleep(1);
        }
      })(),
      trailers: { 'x-client': 'done' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toBe(chunks.map((c) => dec.decode(c)).join(''));
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.trailers).toEqual({ 'x-sum': 'ok' });
    expect(reqTrailers).toEqual({ 'x-client': 'done' });
  });

  it('declares trailers known before the headers go', async () => {
    const s = await start(() => textResponse(['a', 'b'], { trailers: { 'x-t': '1', 'x-u': '2' } }));
    const r = await get(s.url);
    expect(r.body).toBe('ab');
    expect(r.headers.trailer).toBe('x-t, x-u');
    expect(r.trailers).toEqual({ 'x-t': '1', 'x-u': '2' });
  });

  it('sends a body the guest writes slowly as it comes, and no more than the client reads', async () => {
    let produced = 0;
    const s = await start(() => ({
      status: 200,
      headers: [],
      contents: (async function* () {
        for (let i = 0; i < 100_000; i++) {
          produced += 65536;
          yield new Uint8Array(65536);
        }
      })(),
      trailers: Promise.resolve(undefined),
    }));
    // A client that reads the headers and then nothing: the guest is held back.
    const { res, req } = await new Promise<{
      res: import('node:http').IncomingMessage;
      req: import('node:http').ClientRequest;
    }>((resolve, reject) => {
      const req = httpRequest(s.url, { agent: false }, (res) => resolve({ res, req }));
      req.on('error', reject);
      req.end();
    });
    res.pause();
    await sleep(300);
    const held = produced;
    await sleep(200);
    expect(produced).toBe(held);
    // Socket and stream buffers only: far below the 6.5 GB the guest would write.
    expect(held).toBeLessThan(64 * 1024 * 1024);
    // The client goes away: the guest's body is dropped and the request is over.
    req.destroy();
    for (let i = 0; i < 50 && s.pool.stats().active > 0; i++) await sleep(10);
    expect(s.pool.stats().active).toBe(0);
  });

  it('a streaming response sends its headers before its first chunk', async () => {
    let release!: () => void;
    const s = await start(() => ({
      status: 201,
      headers: fields({ 'x-early': 'yes' }),
      contents: (async function* () {
        await new Promise<void>((r) => (release = r));
        yield enc.encode('late');
      })(),
      trailers: Promise.resolve(undefined),
    }));
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = httpRequest(s.url, { agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-early']).toBe('yes');
    release();
    expect(dec.decode(await readAll(res))).toBe('late');
  });

  it('answers 500 for a trapping guest and 504 past the deadline, and keeps serving', async () => {
    const log: string[] = [];
    const s = await start(
      async (req, ctx) => {
        if (req.pathWithQuery === '/trap') {
          const e = new Error('wasm trap: unreachable');
          e.name = 'Trap';
          throw e;
        }
        if (req.pathWithQuery === '/err') throw new HttpError({ tag: 'internal-error', val: 'bad' });
        if (req.pathWithQuery === '/hang') await new Promise(() => {});
        return textResponse(`i${ctx.instance}`);
      },
      { requestTimeout: 150, log: (l) => log.push(l) },
    );
    expect((await get(s.url)).body).toBe('i0');
    const trap = await get(`${s.url}trap`);
    expect(trap.status).toBe(500);
    expect(trap.body).toBe('500 Internal Server Error\n');
    expect((await get(`${s.url}err`)).status).toBe(500);
    const [hang, ok] = await Promise.all([get(`${s.url}hang`), get(s.url)]);
    expect(hang.status).toBe(504);
    expect(ok.status).toBe(200);
    expect((await get(s.url)).status).toBe(200);
    const text = log.join('\n');
    expect(text).toMatch(/GET \/trap: Trap: wasm trap: unreachable/);
    expect(text).toMatch(/GET \/err: error-code internal-error\("bad"\)/);
    expect(text).toMatch(
      /GET \/hang: DeadlineError: the guest did not finish the request within its deadline \(150 ms\) \(instance 1 dropped\)/,
    );
    expect(text).toMatch(/GET \/trap: Trap: wasm trap: unreachable \(instance 0 dropped\)/);
    // One line per failed request.
    expect(log).toHaveLength(3);
  });

  it('cuts the connection when the body fails after the headers went', async () => {
    const s = await start((req) =>
      req.pathWithQuery !== '/fail'
        ? textResponse('fine')
        : {
            status: 200,
            headers: [],
            contents: (async function* () {
              yield enc.encode('start');
              await sleep(20);
              throw new HttpError({ tag: 'internal-error' });
            })(),
            trailers: new Promise(() => {}),
          },
    );
    await expect(get(`${s.url}fail`)).rejects.toThrow(/aborted|socket hang up/);
    expect((await get(s.url)).body).toBe('fine');
  });

  it('HEAD gets the headers and no body', async () => {
    const s = await start(() => textResponse('body', { headers: { 'x-h': '1' } }));
    const r = await get(s.url, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers['x-h']).toBe('1');
    expect(r.body).toBe('');
  });

  it('shuts down gracefully: no new connections, requests in flight finish', async () => {
    const { s, began } = await slowServer(300, () => 'done');
    const slow = get(`${s.url}slow`);
    await began;
    const t0 = Date.now();
    const closed = s.close();
    await sleep(20);
    await expect(get(s.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await slow).body).toBe('done');
    await closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(s.pool.stats().instances).toBe(0);
    expect(s.server.listening).toBe(false);
  });

  it('while shutting down, a request that arrives on an open connection gets 503 and Connection: close', async () => {
    const { s, began } = await slowServer(200, (path) => `done ${path}`);
    // A second request on the connection of one in flight, sent once the shutdown began.
    const sock = connect(s.address().port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d));
    const ended = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await began;
    const closed = s.close();
    await sleep(20);
    sock.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await ended;
    await closed;
    const answers = data.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*done \/slow$/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    expect(answers[1]).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('close() cuts requests still in flight after shutdownTimeout', async () => {
    const s = await serve(
      fakeComponent(async () => {
        await new Promise(() => {});
        return textResponse('never');
      }),
      { ...fakeOptions, port: 0, shutdownTimeout: 200, requestTimeout: 0 },
    );
    const hung = get(s.url).catch((e: Error) => e);
    for (let i = 0; i < 100 && s.pool.stats().active === 0; i++) await sleep(5);
    const t0 = Date.now();
    await s.close();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    // The client sees its connection end without an answer.
    expect(await hung).toBeInstanceOf(Error);
    expect(s.pool.stats()).toMatchObject({ instances: 0, active: 0 });
  });

  it('fails to start on a port in use', async () => {
    const s = await start(() => textResponse('x'));
    await expect(
      serve(
        fakeComponent(() => textResponse('y')),
        { ...fakeOptions, port: s.address().port },
      ),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
