// serve() with real guests: the wasi-testsuite's wasi:http/service programs (Rust, wasip3),
// and a middleware in component text that spins forever on /loop, traps on /trap and else
// forwards to an imported handler. Servers listen on 127.0.0.1 with a free port.

import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Component } from '@weft/core';
import { parse } from '@bytecodealliance/jco';
import { CaptureSink, createCliHost } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createWasiP2 } from '@weft/wasi-p2';
import { createRandom } from '@weft/wasi-random';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callHandler, handlerImport } from '../src/handler.ts';
import { serve, type ServeOptions, type WeftServer } from '../src/index.ts';
import { dec, enc, get, readAll, sleep } from './server-helpers.ts';
import { suiteUrl } from './types-host.ts';
import { guest } from './guests/serve.ts';

const suite = (name: string) => readFileSync(suiteUrl(name));

/** WASI for a guest (0.3 cli, clocks, random; 0.2 for the Rust guests' libc); stderr captured. */
function wasiImports(stderr: CaptureSink) {
  return () => {
    const cli = createCliHost({ stdin: 'ignore', stdout: 'ignore', stderr });
    const random = createRandom();
    return { ...createWasiP2(cli.resolved, { random }), ...createClocks(), ...random, ...cli.imports };
  };
}

const servers: WeftServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(bytes: Uint8Array | Component, opts: ServeOptions = {}): Promise<WeftServer> {
  const s = await serve(bytes, { port: 0, log: () => {}, ...opts });
  servers.push(s);
  return s;
}

describe('wasi-testsuite http-service programs', { timeout: 30_000 }, () => {
  it('http-service: GET / says hey, other paths 404/405, many requests on one instance', async () => {
    const stderr = new CaptureSink();
    const s = await start(suite('http-service'), {
      imports: wasiImports(stderr),
      instantiate: { hostImportsMaySuspend: true },
    });
    const r = await get(s.url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.body).toBe('hey\n');
    expect((await get(`${s.url}whatever`)).status).toBe(404);
    expect((await get(`${s.url}whatever`, { method: 'POST' })).status).toBe(405);
    const many = await Promise.all(Array.from({ length: 20 }, () => get(s.url)));
    expect(many.every((m) => m.body === 'hey\n')).toBe(true);
    expect(s.pool.stats()).toMatchObject({ created: 1, poisoned: 0 });
  });

  it('http-service: a request that makes the guest trap gets 500; the server keeps serving', async () => {
    const stderr = new CaptureSink();
    const log: string[] = [];
    const s = await start(suite('http-service'), {
      imports: wasiImports(stderr),
      instantiate: { hostImportsMaySuspend: true },
      log: (l) => log.push(l),
    });
    expect((await get(s.url)).body).toBe('hey\n');
    // The program asserts that GET / has an empty body: a body makes it panic (a trap).
    const r = await get(s.url, { body: 'unexpected' });
    expect(r.status).toBe(500);
    expect(log.join('\n')).toMatch(/GET \/: Trap: wasm trap: wasm `unreachable` instruction executed/);
    expect(stderr.text()).toMatch(/panicked/);
    expect(s.pool.stats()).toMatchObject({ poisoned: 1 });
    const again = await Promise.all([get(s.url), get(s.url), get(`${s.url}x`)]);
    expect(again.map((a) => a.status)).toEqual([200, 200, 404]);
    expect(s.pool.stats()).toMatchObject({ created: 2, poisoned: 1 });
  });

  it('http-service-echo: echoes a streamed 4 MiB body and reflects x-echo', async () => {
    const s = await start(suite('http-service-echo'), {
      imports: wasiImports(new CaptureSink()),
      instantiate: { hostImportsMaySuspend: true },
    });
    const chunk = new Uint8Array(64 * 1024).map((_, i) => (i * 7) & 0xff);
    const r = await new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(`${s.url}echo`, { method: 'POST', agent: false }, async (res) => {
        resolve({ res, body: Buffer.from(await readAll(res)) });
      });
      req.on('error', reject);
      void (async () => {
        for (let i = 0; i < 64; i++) if (!req.write(chunk)) await new Promise((d) => req.once('drain', d));
        req.end();
      })();
    });
    expect(r.res.statusCode).toBe(200);
    expect(r.body.length).toBe(64 * chunk.length);
    for (let i = 0; i < 64; i++)
      expect(r.body.subarray(i * chunk.length, (i + 1) * chunk.length).equals(chunk)).toBe(true);
    const h = await get(`${s.url}reflect-header`, { headers: { 'x-echo': 'ping' } });
    expect(h.status).toBe(200);
    expect(h.headers['x-echoed']).toBe('ping');
    const empty = await get(`${s.url}echo`, { method: 'POST', body: '' });
    expect(empty.status).toBe(200);
    expect(empty.body).toBe('');
  });

  it('http-service-echo: requests in flight at once share one instance', async () => {
    const s = await start(suite('http-service-echo'), {
      imports: wasiImports(new CaptureSink()),
      instantiate: { hostImportsMaySuspend: true },
    });
    // Eight echoes send half their bodies and wait: the guest is in eight handle calls (it
    // reads a whole body before answering). Meanwhile other requests are answered by the same
    // instance, so none of them holds it.
    const open = Array.from({ length: 8 }, (_, i) => {
      let req!: ReturnType<typeof httpRequest>;
      const res = new Promise<IncomingMessage>((resolve, reject) => {
        req = httpRequest(`${s.url}echo`, { method: 'POST', agent: false }, resolve);
        req.on('error', reject);
      });
      req.write(`first-${i};`);
      return { req, res };
    });
    for (let i = 0; i < 200 && s.pool.stats().active < 8; i++) await sleep(5);
    expect(s.pool.stats()).toMatchObject({ created: 1, active: 8 });
    const h = await get(`${s.url}reflect-header`, { headers: { 'x-echo': 'meanwhile' } });
    expect(h.headers['x-echoed']).toBe('meanwhile');
    expect((await get(`${s.url}nothing`)).status).toBe(404);
    expect(s.pool.stats()).toMatchObject({ created: 1, active: 8, peakConcurrency: 9 });
    for (const [i, { req }] of open.entries()) req.end(`second-${i}`);
    const bodies = await Promise.all(open.map(async ({ res }) => dec.decode(await readAll(await res))));
    expect(bodies).toEqual(Array.from({ length: 8 }, (_, i) => `first-${i};second-${i}`));
    expect(s.pool.stats()).toMatchObject({ created: 1, poisoned: 0 });
  });

  it('respects requestsPerInstance with a real guest: a used-up instance is reset, or replaced', async () => {
    const options = {
      imports: wasiImports(new CaptureSink()),
      instantiate: { hostImportsMaySuspend: true },
      requestsPerInstance: 3,
    };
    // Idle after its third request and holding no handles: reset in place (see the next test).
    const reset = await start(suite('http-service'), options);
    for (let i = 0; i < 7; i++) expect((await get(reset.url)).body).toBe('hey\n');
    expect(reset.pool.stats()).toMatchObject({ created: 1, reset: 2, poisoned: 0 });
    // Not compiled resettable: a new instance each time.
    const replaced = await start(suite('http-service'), { ...options, compile: { resettable: false } });
    for (let i = 0; i < 7; i++) expect((await get(replaced.url)).body).toBe('hey\n');
    expect(replaced.pool.stats()).toMatchObject({ created: 3, reset: 0, poisoned: 0 });
  });

  it('a reset instance is as instantiation left it: the C count guest counts from 1 again', async () => {
    const s = await start(readFileSync(guest('count')), { requestsPerInstance: 3 });
    const bodies: string[] = [];
    for (let i = 0; i < 9; i++) bodies.push((await get(s.url)).body);
    expect(bodies).toEqual(['1', '2', '3', '1', '2', '3', '1', '2', '3']);
    expect(s.pool.stats()).toMatchObject({ created: 1, reset: 3, poisoned: 0 });
  });

  it('an instance that keeps handles is replaced, not reset (componentize-qjs hello keeps future ends)', async () => {
    const s = await start(readFileSync(guest('hello')), {
      imports: wasiImports(new CaptureSink()),
      requestsPerInstance: 3,
    });
    for (let i = 0; i < 7; i++) expect((await get(s.url)).body).toBe('hello');
    expect(s.pool.stats()).toMatchObject({ created: 3, reset: 0, poisoned: 0 });
  });
});

// A middleware (component text): handle() reads the path; "/loop…" spins in a tight loop,
// "/trap…" executes `unreachable`, anything else goes to the imported wasi:http/handler (a
// blocking call on the task's own stack, JSPI) and its answer is returned.
const MIDDLEWARE = `(component
  (import "wasi:http/types@0.3.0" (instance $types
    (export "request" (type $req (sub resource)))
    (export "response" (type $resp (sub resource)))
    (export "[method]request.get-path-with-query" (func (param "self" (borrow $req)) (result (option string))))))
  (alias export $types "request" (type $request))
  (alias export $types "response" (type $response))
  (alias export $types "[method]request.get-path-with-query" (func $path))
  (import "wasi:http/handler@0.3.0" (instance $next
    (export "request" (type $r (eq $request)))
    (export "response" (type $s (eq $response)))
    (export "handle" (func async (param "request" (own $r)) (result (result (own $s) (error u8)))))))
  (alias export $next "handle" (func $next-handle))
  (core module $Mem
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "reset") (global.set $bump (i32.const 1024))))
  (core instance $mem (instantiate $Mem))
  (core func $path' (canon lower (func $path) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core func $next' (canon lower (func $next-handle) (memory (core memory $mem "mem"))))
  (core func $ret (canon task.return (result (result (own $response) (error u8)))))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "reset" (func $reset))
    (import "" "path" (func $path (param i32 i32)))
    (import "" "next" (func $next (param i32 i32)))
    (import "" "ret" (func $ret (param i32 i32)))
    (func (export "handle") (param $req i32)
      (local $c i32)
      (call $reset)
      (call $path (local.get $req) (i32.const 0))
      (if (i32.load8_u (i32.const 0))
        (then
          (if (i32.ge_u (i32.load (i32.const 8)) (i32.const 2))
            (then
              (local.set $c (i32.load8_u offset=1 (i32.load (i32.const 4))))
              (if (i32.eq (local.get $c) (i32.const 108)) (then (loop $spin (br $spin))))
              (if (i32.eq (local.get $c) (i32.const 116)) (then unreachable))))))
      (call $next (local.get $req) (i32.const 16))
      (call $ret (i32.load8_u (i32.const 16)) (i32.load (i32.const 20)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $mem "mem")) (export "reset" (func $mem "reset"))
    (export "path" (func $path')) (export "next" (func $next')) (export "ret" (func $ret))))))
  (func $handle async (param "request" (own $request)) (result (result (own $response) (error u8)))
    (canon lift (core func $m "handle") async))
  (instance $out (export "handle" (func $handle)))
  (export "wasi:http/handler@0.3.0" (instance $out)))`;

/** The handler behind the middleware: "next PATH". */
const next = () =>
  handlerImport(async (req) => ({
    status: 200,
    headers: [['content-type', enc.encode('text/plain')]],
    contents: (async function* () {
      yield enc.encode(`next ${req.pathWithQuery}`);
    })(),
    trailers: Promise.resolve(undefined),
  }));

describe('a misbehaving guest (component text)', { timeout: 30_000 }, () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = (await parse(MIDDLEWARE)) as Uint8Array;
  });

  it('forwards to the imported handler', async () => {
    const s = await start(bytes, { imports: next });
    const r = await get(`${s.url}hello?x=1`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('next /hello?x=1');
  });

  it('a trap fails only its request (500); the next requests get a fresh instance', async () => {
    const log: string[] = [];
    const s = await start(bytes, { imports: next, log: (l) => log.push(l) });
    expect((await get(`${s.url}a`)).status).toBe(200);
    expect((await get(`${s.url}trap`)).status).toBe(500);
    expect((await get(`${s.url}b`)).body).toBe('next /b');
    expect(s.pool.stats()).toMatchObject({ created: 2, poisoned: 1 });
    expect(log.join('\n')).toMatch(/GET \/trap: Trap: wasm trap: wasm `unreachable` instruction executed/);
  });

  it('a log that throws fails nothing more: the trapping request gets its 500, the next its answer', async () => {
    const s = await start(bytes, {
      imports: next,
      log: () => {
        throw new Error('the log is broken');
      },
    });
    expect((await get(`${s.url}trap`)).status).toBe(500);
    expect((await get(`${s.url}b`)).body).toBe('next /b');
  });

  it('a tight loop is cut off by the deadline (504); requests queued behind it are served', async () => {
    const log: string[] = [];
    const s = await start(bytes, { imports: next, requestTimeout: 400, log: (l) => log.push(l) });
    expect((await get(`${s.url}warm`)).status).toBe(200);
    const t0 = Date.now();
    const loop = get(`${s.url}loop`).then((r) => ({ ...r, at: Date.now() - t0 }));
    // Long enough for the pool to see its instance spinning (time slicing keeps pausing it).
    await sleep(60);
    const others = Promise.all(['/a', '/b', '/c'].map((p) => get(`${s.url}${p.slice(1)}`)));
    const l = await loop;
    expect(l.status).toBe(504);
    // At least the deadline, at most 1.25 × it after the instance was made (plus slack).
    expect(l.at).toBeGreaterThanOrEqual(380);
    expect(l.at).toBeLessThan(2000);
    expect((await others).map((o) => o.body)).toEqual(['next /a', 'next /b', 'next /c']);
    // One line for the request, naming the deadline and the dropped instance.
    expect(log).toEqual([
      'weft serve: GET /loop: DeadlineError: the guest did not finish the request within its deadline (400 ms) (instance 0 dropped)',
    ]);
    expect((await get(`${s.url}after`)).status).toBe(200);
  });

  it('while a tight loop runs, other requests are answered at once (time slicing); the loop ends at the deadline', async () => {
    const log: string[] = [];
    const s = await start(bytes, { imports: next, requestTimeout: 2000, log: (l) => log.push(l) });
    expect((await get(`${s.url}warm`)).status).toBe(200);
    // The warm instance's age does not count: the deadline is the request's own.
    await sleep(300);
    const t0 = Date.now();
    const loop = get(`${s.url}loop`).then((r) => ({ ...r, at: Date.now() - t0 }));
    await sleep(60);
    // Answered when, since the loop began (the server runs in this thread: without time
    // slicing nothing here, not even the sleep, runs before the loop's end at 2 s).
    const times: number[] = [];
    for (const p of ['a', 'b', 'c']) {
      expect((await get(`${s.url}${p}`)).body).toBe(`next /${p}`);
      times.push(Date.now() - t0);
    }
    const l = await loop;
    expect(l.status).toBe(504);
    expect(Math.max(...times), `replies at ${times.join(', ')} ms`).toBeLessThan(60 + 200);
    expect(l.at).toBeGreaterThanOrEqual(1980);
    expect(l.at).toBeLessThan(2400);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/GET \/loop: DeadlineError/);
    expect((await get(`${s.url}after`)).status).toBe(200);
  });

  it('a Component compiled without interruption gets host-side deadlines, said once', async () => {
    const log: string[] = [];
    const s = await start(await Component.compile(bytes), {
      imports: next,
      requestTimeout: 1000,
      log: (l) => log.push(l),
    });
    expect((await get(`${s.url}a`)).body).toBe('next /a');
    expect((await get(`${s.url}b`)).body).toBe('next /b');
    expect(log).toEqual([
      'weft serve: the component was not compiled with { interruptible: true }: deadlines end requests on the host side only, and a guest in a tight loop is not stopped',
    ]);
  });

  it('without a deadline (requestTimeout 0) the component is not instrumented and still serves', async () => {
    const s = await start(bytes, { imports: next, requestTimeout: 0 });
    expect((await get(`${s.url}z`)).body).toBe('next /z');
  });
});

// The componentize-qjs and C guests of test/guests (see its README).
const guestBytes = (name: string) => readFileSync(new URL(`./guests/${name}.wasm`, import.meta.url));

describe('toolchain guests (test/guests)', { timeout: 30_000 }, () => {
  it('echo (componentize-qjs): a chunked body and trailers both ways, the status from the query', async () => {
    const s = await start(guestBytes('echo'), {
      imports: wasiImports(new CaptureSink()),
      instantiate: { hostImportsMaySuspend: true },
    });
    const parts = Array.from({ length: 32 }, (_, i) => `${i}:${'z'.repeat(4000)};`);
    const r = await get(`${s.url}up?trailers=1&status=201`, {
      method: 'PUT',
      headers: { 'x-up': 'yes' },
      body: (async function* () {
        for (const p of parts) {
          yield enc.encode(p);
          await sleep(0);
        }
      })(),
      trailers: { 'x-client-trailer': 'sent' },
    });
    expect(r.status).toBe(201);
    expect(r.headers['x-up']).toBe('yes');
    expect(r.headers['x-echo-method']).toBe('PUT');
    expect(r.headers['x-echo-path']).toBe('/up?trailers=1&status=201');
    expect(r.body).toBe(parts.join(''));
    expect(r.trailers).toEqual({ 'x-client-trailer': 'sent', 'x-body-length': String(parts.join('').length) });
    // Concurrent echoes on the one instance, each its own.
    const many = await Promise.all(
      Array.from({ length: 10 }, (_, i) => get(`${s.url}m${i}`, { method: 'POST', body: `body ${i}` })),
    );
    expect(many.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `body ${i}`));
    expect(s.pool.stats()).toMatchObject({ created: 1, poisoned: 0 });
  });

  it('middleware (C) in front of hello-c (C) in the same process: headers and body through', async () => {
    const hello = await Component.compile(guestBytes('hello-c'));
    const downstream = await hello.instantiate({ ...(await import('../src/imports.ts')).createHttp() });
    const handle = downstream.exports['wasi:http/handler@0.3.0'].handle;
    const s = await start(guestBytes('middleware'), {
      imports: () => handlerImport((req) => callHandler(handle, req)),
    });
    const r = await get(`${s.url}via`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['x-middleware']).toBe('weft-test');
  });

  it('fetch (C): an outgoing request of the guest reaches a local server through the default client', async () => {
    const upstream = createServer((req, res) => {
      res.writeHead(202, { 'content-type': 'text/plain', 'x-upstream': req.headers['x-pass'] ?? '' });
      res.end(`upstream saw ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (upstream.address() as AddressInfo).port;
      const s = await start(guestBytes('fetch'), { imports: wasiImports(new CaptureSink()) });
      const r = await get(s.url, { headers: { 'x-fetch-url': `http://127.0.0.1:${port}/up?q=1`, 'x-pass': 'along' } });
      expect(r.status).toBe(202);
      expect(r.body).toBe('upstream saw GET /up?q=1');
      expect(r.headers['x-upstream']).toBe('along');
      // A closed port: the guest answers 502 with the error-code's name.
      const closed = await get(s.url, { headers: { 'x-fetch-url': 'http://127.0.0.1:1/' } });
      expect(closed.status).toBe(502);
      expect(closed.body).toBe('connection-refused');
    } finally {
      upstream.close();
    }
  });
});
