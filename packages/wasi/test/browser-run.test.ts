// The browser build of @weft/wasi (with @weft/core and @weft/wasi-http's browser entry), bundled
// by esbuild for `platform: 'browser'` and imported into Node, runs real components: the C test
// commands of wasi-cli and wasi-fs with captured stdio and an in-memory tree, and wasi-http's C
// handlers (callback ABI) without JSPI, their outgoing requests sent with fetch to a real local
// server. Node has fetch and Web Crypto, so the browser code runs here as it would in a page.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, importBundle, PACKAGES } from './browser-bundle.ts';

const bytes = (path: string) => new Uint8Array(readFileSync(`${PACKAGES}${path}`));
const COMMAND = bytes('wasi-cli/test/guests/command.wasm');
const FS = bytes('wasi-fs/test/guests/fs.wasm');
const QJS_P2 = bytes('wasi-cli/test/guests/qjs-hello.wasm');
const HELLO_HTTP = bytes('wasi-http/test/guests/hello-c.wasm');
const FETCH_HTTP = bytes('wasi-http/test/guests/fetch.wasm');
// examples/tls-virtual-socket's C guest: `http-get HOST PORT PATH` over wasi:sockets@0.3.
const HTTP_GET = bytes('../examples/tls-virtual-socket/guest/http-get.wasm');

let web: Record<string, any>;
let cleanup = () => {};
let bundled = '';

beforeAll(async () => {
  const b = await bundleForBrowser(
    `export * from '@weft/wasi';
     export { Component, HAS_JSPI } from '@weft/core';
     export { fetchClient, toFetchHandler } from '@weft/wasi-http';`,
    `${PACKAGES}wasi`,
  );
  expect(b.freeGlobals).toEqual([]);
  bundled = b.code;
  ({ module: web, cleanup } = await importBundle(b.code));
}, 60_000);

afterAll(() => cleanup());

const dec = new TextDecoder();

/** Runs `wasm` with the browser build's createWasiHost; stdout captured, stderr through a callback. */
async function run(wasm: Uint8Array, options: Record<string, unknown>, instantiate: Record<string, unknown> = {}) {
  const stdout = new web.CaptureSink();
  let err = '';
  const host = web.createWasiHost({
    stderr: (chunk: Uint8Array) => void (err += dec.decode(chunk)),
    stdout,
    ...options,
  });
  const component = await web.Component.compile(wasm);
  const instance = await component.instantiate(host.imports, instantiate);
  const code = await host.run(instance);
  return { code, out: stdout.text() as string, err };
}

describe('the browser build of @weft/wasi', { timeout: 30_000 }, () => {
  it('runs a WASI 0.3 command with captured stdout, callback stderr, stdin bytes, args and env', async () => {
    expect(await run(COMMAND, { args: ['c', 'hello'] })).toEqual({ code: 0, out: 'hello from C\n', err: '' });
    expect(await run(COMMAND, { args: ['c', 'stderr'] })).toEqual({ code: 0, out: 'to stdout\n', err: 'to stderr\n' });
    expect(await run(COMMAND, { args: ['c', 'cat'], stdin: 'typed in a page' })).toMatchObject({
      code: 0,
      out: 'typed in a page',
    });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('from a '));
        c.enqueue(new TextEncoder().encode('ReadableStream'));
        c.close();
      },
    });
    expect((await run(COMMAND, { args: ['c', 'cat'], stdin: stream })).out).toBe('from a ReadableStream');
    expect((await run(COMMAND, { args: ['c', 'env'], env: { LANG: 'C' }, cwd: '/data' })).out).toBe(
      'LANG=C\ncwd=/data\n',
    );
    expect((await run(COMMAND, { args: ['c', 'exit', '7'] })).code).toBe(7);
  });

  it('stdio defaults: stdout discarded, stdin empty', async () => {
    const host = web.createWasiHost({ args: ['c', 'cat'] });
    const instance = await (await web.Component.compile(COMMAND)).instantiate(host.imports);
    expect(await host.run(instance)).toBe(0);
  });

  it('serves Web Crypto randomness (or a seeded source) and the real clocks', async () => {
    const a = await run(COMMAND, { args: ['c', 'random'] });
    const b = await run(COMMAND, { args: ['c', 'random'] });
    expect(a.out).toMatch(/^[0-9a-f]{32}\n$/);
    expect(a.out).not.toBe(b.out);
    const s1 = await run(COMMAND, { args: ['c', 'random'], random: { seed: 5 } });
    const s2 = await run(COMMAND, { args: ['c', 'random'], random: { seed: 5 } });
    expect(s1.out).toBe(s2.out);
    const slept = await run(COMMAND, { args: ['c', 'sleep', '20'] });
    expect(slept.out).toMatch(/^slept (\d+) ms\n$/);
    expect(Number(/\d+/.exec(slept.out)![0])).toBeGreaterThanOrEqual(20);
  });

  it('serves preopens from memoryTree: reads, lists and writes', async () => {
    const tree = web.memoryTree({ 'hello.txt': 'hi from memory\n', sub: { 'inner.txt': new Uint8Array([65, 66]) } });
    expect(await run(FS, { args: ['fs', 'cat', 'hello.txt'], preopens: { '/': tree } })).toEqual({
      code: 0,
      out: 'hi from memory\n',
      err: 'read: ok\n',
    });
    const ls = await run(FS, { args: ['fs', 'ls', 'sub'], preopens: { '/': tree } });
    expect(ls).toEqual({ code: 0, out: 'regular-file inner.txt\n', err: 'ls: ok\n' });
    const w = await run(FS, { args: ['fs', 'write', 'out.txt'], stdin: 'written', preopens: { '/': tree } });
    expect(w.err).toBe('wrote 7\nwrite: ok\n');
    const back = await run(FS, { args: ['fs', 'cat', 'out.txt'], preopens: { '/': tree } });
    expect(back.out).toBe('written');
    // A missing file is the guest's error-code, not a host failure.
    expect(await run(FS, { args: ['fs', 'cat', 'nope'], preopens: { '/': tree } })).toMatchObject({
      code: 1,
      err: 'open: no-entry\n',
    });
  });

  it('refuses what needs Node, saying so', async () => {
    expect(() => web.createWasi({ preopens: { '/': './dir' } })).toThrow(/host directory needs Node/);
    expect(() => web.createWasi({ p2: {} })).toThrow(/WASI 0\.2 .*not available in the browser build/);
    expect(() => web.memoryTree({ '../up': 'x' })).toThrow(TypeError);
    // A WASI 0.2 component: core names the first 0.2 import it cannot find...
    const p2 = await web.Component.compile(QJS_P2);
    await expect(p2.instantiate(web.createWasi({}))).rejects.toThrow(/missing import `wasi:[^`]*@0\.2/);
    // ...and loadWasiHost says why before instantiating.
    await expect(web.loadWasiHost({}, p2.type.imports.keys())).rejects.toThrow(
      /imports wasi:[^ ]*@0\.2\.\d+: WASI 0\.2 is not available in the browser build/,
    );
    const h = await web.loadWasiHost({}, (await web.Component.compile(COMMAND)).type.imports.keys());
    expect(h.imports['wasi:cli/stdout@0.3.0']).toBeTypeOf('object');
  });

  it('wasi:sockets: a virtual connection serves a TCP guest; UDP is not-supported', async () => {
    const written: string[] = [];
    const virtual = {
      resolve: (name: string) => (name === 'inpage.test' ? ['10.9.8.7'] : undefined),
      connect: (remote: { address: string; port: number }) => {
        if (remote.address !== '10.9.8.7' || remote.port !== 80) return undefined;
        let reply!: ReadableStreamDefaultController<Uint8Array>;
        return {
          readable: new ReadableStream<Uint8Array>({ start: (c) => void (reply = c) }),
          writable: new WritableStream<Uint8Array>({
            write(chunk) {
              written.push(dec.decode(chunk));
              if (!written.join('').includes('\r\n\r\n')) return;
              reply.enqueue(new TextEncoder().encode('HTTP/1.1 204 No Content\r\n\r\n'));
              reply.close();
            },
          }),
        };
      },
    };
    const r = await run(HTTP_GET, { args: ['http-get', 'inpage.test', '80', '/v'], network: { virtual } });
    expect(r).toEqual({ code: 0, out: 'HTTP/1.1 204 No Content\r\n\r\n', err: '' });
    expect(written.join('')).toMatch(/^GET \/v HTTP\/1\.1\r\nHost: inpage\.test\r\n/);
    // A name the virtual network does not serve: no resolver here without a policy.
    const other = await run(HTTP_GET, { args: ['http-get', 'elsewhere.test', '80', '/'], network: { virtual } });
    expect(other.code).not.toBe(0);
    const { UdpSocket } = web.createWasi({})['wasi:sockets/types@0.3.0'];
    expect(() => UdpSocket.create('ipv4')).toThrow(expect.objectContaining({ payload: { tag: 'not-supported' } }));
    expect(() => UdpSocket.create('ipx')).toThrow(expect.objectContaining({ payload: { tag: 'invalid-argument' } }));
  });

  it('a guest that must block needs JSPI, and the trap says so', async () => {
    const r = run(COMMAND, { args: ['c', 'sleep', '5'] }, { jspi: false });
    await expect(r).rejects.toThrow(/requires JSPI \(WebAssembly\.Suspending \/ WebAssembly\.promising\)/);
  });
});

describe('wasi:http in the browser build', { timeout: 30_000 }, () => {
  let upstream: Server;
  let port = 0;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      res.writeHead(202, { 'content-type': 'text/plain', 'x-upstream': req.headers['x-pass'] ?? '' });
      res.end(`upstream saw ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    port = (upstream.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

  // The allow rule: createWasi's wasi:http entries (which replace the pool's own) may check the
  // default client's requests against the network policy.
  const handler = (wasm: Uint8Array) =>
    web.toFetchHandler(wasm, {
      imports: () => web.createWasi({ network: { allow: ['127.0.0.1:*'] } }),
      instantiate: { jspi: false },
      log: () => {},
    });

  it('a callback-ABI handler runs without JSPI', async () => {
    const h = handler(HELLO_HTTP);
    try {
      const r: Response = await h(new Request('http://page.test/'));
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('hello');
    } finally {
      await h.close();
    }
  });

  it("the guest's outgoing request goes out with fetch (default client) to a real server", async () => {
    const h = handler(FETCH_HTTP);
    try {
      const r: Response = await h(
        new Request('http://page.test/', {
          headers: { 'x-fetch-url': `http://127.0.0.1:${port}/up?q=1`, 'x-pass': 'along' },
        }),
      );
      expect(r.status).toBe(202);
      expect(await r.text()).toBe('upstream saw GET /up?q=1');
      expect(r.headers.get('x-upstream')).toBe('along');
      // A closed port: fetch's failure becomes the guest's error-code.
      const closedPort = await new Promise<number>((r) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => r(p));
        });
      });
      const closed: Response = await h(
        new Request('http://page.test/', { headers: { 'x-fetch-url': `http://127.0.0.1:${closedPort}/` } }),
      );
      expect(closed.status).toBe(502);
      expect(await closed.text()).toBe('connection-refused');
    } finally {
      await h.close();
    }
  });
});

describe('the browser build in an engine without JSPI', { timeout: 30_000 }, () => {
  // A fresh copy of the bundle, loaded (and run) while WebAssembly has no Suspending/promising,
  // as in a browser that lacks JSPI: core decides that when it loads.
  const WA = WebAssembly as unknown as Record<string, unknown>;
  const saved = { Suspending: WA.Suspending, promising: WA.promising };
  let noJspi: Record<string, any>;
  let cleanupNoJspi = () => {};
  beforeAll(async () => {
    delete WA.Suspending;
    delete WA.promising;
    ({ module: noJspi, cleanup: cleanupNoJspi } = await importBundle(bundled));
  });
  afterAll(() => {
    Object.assign(WA, saved);
    cleanupNoJspi();
  });

  it('core sees no JSPI; a callback-ABI handler runs; a blocking command traps naming JSPI', async () => {
    expect(noJspi.HAS_JSPI).toBe(false);
    const h = noJspi.toFetchHandler(HELLO_HTTP, { imports: () => noJspi.createWasi({}), log: () => {} });
    try {
      const r: Response = await h(new Request('http://page.test/'));
      expect([r.status, await r.text()]).toEqual([200, 'hello']);
    } finally {
      await h.close();
    }
    const host = noJspi.createWasiHost({ args: ['c', 'sleep', '5'] });
    const instance = await (await noJspi.Component.compile(COMMAND)).instantiate(host.imports);
    await expect(host.run(instance)).rejects.toThrow(
      /requires JSPI \(WebAssembly\.Suspending \/ WebAssembly\.promising\); this JavaScript engine does not provide it/,
    );
  });
});
