// The fetch bridge: toFetchHandler(component) as (Request) => Promise<Response>, with fake
// components and with wasi-testsuite's http-service-echo.

import { readFileSync } from 'node:fs';
import { CaptureSink, createCliHost } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createWasiP2 } from '@weft/wasi-p2';
import { createRandom } from '@weft/wasi-random';
import { describe, expect, it } from 'vitest';
import { HttpError, type HostRequest } from '../src/host.ts';
import { HandlerPool, toFetchHandler } from '../src/index.ts';
import { dec, enc, fakeComponent, fakeOptions, fields, sleep, textResponse } from './server-helpers.ts';
import { suiteUrl } from './types-host.ts';

describe('toFetchHandler', { timeout: 20_000 }, () => {
  it('turns a Request into the guest request and its response into a Response', async () => {
    let seen: HostRequest | undefined;
    const fetchHandler = toFetchHandler(
      fakeComponent((req) => {
        seen = req;
        return {
          status: 201,
          headers: [
            ['content-type', enc.encode('text/plain')],
            ['set-cookie', enc.encode('a=1')],
            ['set-cookie', enc.encode('b=2')],
            ['x-multi', enc.encode('x')],
            ['x-multi', enc.encode('y')],
          ],
          contents: (async function* () {
            yield enc.encode('hello ');
            yield enc.encode(req.pathWithQuery!);
          })(),
          trailers: Promise.resolve(fields({ 'x-dropped': '1' })),
        };
      }),
      fakeOptions,
    );
    const res = await fetchHandler(
      new Request('https://example.com:8443/a/b?c=d', { headers: { 'X-Up': 'Yes', Cookie: 'k=v' } }),
    );
    expect(res.status).toBe(201);
    // A body the guest had at hand makes a complete Response: the request is over already.
    expect(fetchHandler.pool.stats().active).toBe(0);
    expect(await res.text()).toBe('hello /a/b?c=d');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-multi')).toBe('x, y');
    expect(seen).toMatchObject({
      method: 'GET',
      scheme: 'https',
      authority: 'example.com:8443',
      pathWithQuery: '/a/b?c=d',
    });
    expect(seen!.contents).toBeUndefined();
    const h = Object.fromEntries(seen!.headers.map(([k, v]) => [k, dec.decode(v)]));
    expect(h).toMatchObject({ 'x-up': 'Yes', cookie: 'k=v' });
    await fetchHandler.close();
  });

  it('streams both ways: the response begins before the request body ends', async () => {
    const fetchHandler = toFetchHandler(
      fakeComponent((req) => ({
        status: 200,
        headers: [],
        contents: (async function* () {
          for await (const c of req.contents!) yield enc.encode(dec.decode(c).toUpperCase());
        })(),
        trailers: Promise.resolve(undefined),
      })),
      fakeOptions,
    );
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
    const res = await fetchHandler(
      new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit & { duplex: 'half' }),
    );
    const reader = res.body!.getReader();
    push.enqueue(enc.encode('one'));
    expect(dec.decode((await reader.read()).value)).toBe('ONE');
    push.enqueue(enc.encode('two'));
    expect(dec.decode((await reader.read()).value)).toBe('TWO');
    push.close();
    expect((await reader.read()).done).toBe(true);
    await fetchHandler.close();
  });

  it('pulls the guest body only as the Response is read; cancelling drops it', async () => {
    let produced = 0;
    let stopped = false;
    const fetchHandler = toFetchHandler(
      fakeComponent(() => ({
        status: 200,
        headers: [],
        contents: (async function* () {
          try {
            for (;;) {
              produced++;
              yield new Uint8Array(1024);
            }
          } finally {
            stopped = true;
          }
        })(),
        trailers: new Promise(() => {}),
      })),
      fakeOptions,
    );
    const res = await fetchHandler(new Request('http://x/'));
    // What the guest had at hand (64 KiB) was read ahead; then nothing until the Response is.
    const ahead = produced;
    expect(ahead).toBeLessThanOrEqual(66);
    await sleep(50);
    expect(produced).toBe(ahead);
    const reader = res.body!.getReader();
    for (let i = 0; i < 100; i++) await reader.read();
    expect(produced).toBeGreaterThanOrEqual(100);
    expect(produced).toBeLessThanOrEqual(ahead + 101);
    await reader.cancel();
    expect(stopped).toBe(true);
    expect(fetchHandler.pool.stats().active).toBe(0);
    await fetchHandler.close();
  });

  it('answers 500 for a trap or an error-code, 504 past the deadline, 503 once closed', async () => {
    const fetchHandler = toFetchHandler(
      fakeComponent(async (req) => {
        if (req.pathWithQuery === '/trap') {
          const e = new Error('wasm trap: unreachable');
          e.name = 'Trap';
          throw e;
        }
        if (req.pathWithQuery === '/err') throw new HttpError({ tag: 'internal-error' });
        if (req.pathWithQuery === '/hang') await new Promise(() => {});
        return textResponse('ok');
      }),
      { ...fakeOptions, requestTimeout: 100 },
    );
    expect((await fetchHandler(new Request('http://x/trap'))).status).toBe(500);
    expect((await fetchHandler(new Request('http://x/err'))).status).toBe(500);
    const hang = await fetchHandler(new Request('http://x/hang'));
    expect(hang.status).toBe(504);
    expect(await hang.text()).toBe('504 Gateway Timeout\n');
    expect(await (await fetchHandler(new Request('http://x/'))).text()).toBe('ok');
    await fetchHandler.close();
    expect((await fetchHandler(new Request('http://x/'))).status).toBe(503);
  });

  it('onError chooses the answer; a status a Response cannot carry is a 500', async () => {
    const fetchHandler = toFetchHandler(
      fakeComponent((req) => {
        if (req.pathWithQuery === '/bad') return textResponse('', { status: 103 });
        throw new HttpError({ tag: 'destination-not-found' });
      }),
      { ...fakeOptions, onError: (e) => new Response(`custom ${(e as HttpError).code.tag}`, { status: 502 }) },
    );
    const r = await fetchHandler(new Request('http://x/'));
    expect(r.status).toBe(502);
    expect(await r.text()).toBe('custom destination-not-found');
    expect((await fetchHandler(new Request('http://x/bad'))).status).toBe(500);
    await fetchHandler.close();
  });

  it('shares a HandlerPool given instead of a component', async () => {
    const c = fakeComponent((_req, ctx) => textResponse(`i${ctx.instance}`));
    const pool = new HandlerPool(c, fakeOptions);
    const a = toFetchHandler(pool);
    const b = toFetchHandler(pool);
    expect(await (await a(new Request('http://x/'))).text()).toBe('i0');
    expect(await (await b(new Request('http://x/'))).text()).toBe('i0');
    expect(a.pool).toBe(pool);
    await pool.close();
  });

  it('runs wasi-testsuite http-service-echo from a Request', async () => {
    const bytes = readFileSync(suiteUrl('http-service-echo'));
    const fetchHandler = toFetchHandler(bytes, {
      log: () => {},
      instantiate: { hostImportsMaySuspend: true },
      imports: () => {
        const cli = createCliHost({ stdin: 'ignore', stdout: 'ignore', stderr: new CaptureSink() });
        const random = createRandom();
        return { ...createWasiP2(cli.resolved, { random }), ...createClocks(), ...random, ...cli.imports };
      },
    });
    const big = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    const res = await fetchHandler(new Request('http://localhost/echo', { method: 'POST', body: big }));
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(big);
    const h = await fetchHandler(new Request('http://localhost/reflect-header', { headers: { 'x-echo': 'pong' } }));
    expect(h.headers.get('x-echoed')).toBe('pong');
    expect((await fetchHandler(new Request('http://localhost/nope'))).status).toBe(404);
    // Bodiless answers: the guest settles their trailers a moment later, and then they are done.
    for (let i = 0; i < 100 && fetchHandler.pool.stats().active > 0; i++) await sleep(5);
    expect(fetchHandler.pool.stats()).toMatchObject({ created: 1, active: 0 });
    await fetchHandler.close();
  });
});
