// A fixed number of requests through the in-process server path, for profiling and for counting
// instructions repeatably (`valgrind --tool=callgrind`) on a noisy machine: `serve()` of the
// hello-c guest (as `weft serve` does, with a deadline) or a bare node:http handler answering
// the same bytes, driven from this process over keep-alive sockets on 127.0.0.1 with one
// request in flight per connection (as autocannon).
//
//   cd packages/wasi-http && ../../node_modules/.bin/node --conditions=weft-source bench/inproc.ts [MODE]
//
// MODE: weft (default), bare, and parts of the weft path: host (a host response, no guest),
// nopool (the guest on one time-sliced instance, no pool), nopool-plain (the same, not sliced).
// Options (env): WEFT_BENCH_INPROC_REQUESTS (default 20000), WEFT_BENCH_INPROC_CONNECTIONS
// (default 16), WEFT_BENCH_INPROC_RPI (the pool's requestsPerInstance: 32 against 1000000
// prices replacing an instance, which for hello-c is a reset), WEFT_BENCH_INPROC_TIMEOUT (requestTimeout; 0: no deadline, so no
// time slicing, for callgrind). Prints requests per second of the whole run and CPU (all
// threads) per request, client included.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { serve } from '../src/index.ts';
import { guest } from '../test/guests/serve.ts';

const MODE = process.argv[2] ?? 'weft';
const REQUESTS = Number(process.env.WEFT_BENCH_INPROC_REQUESTS ?? 20_000);
const CONNECTIONS = Number(process.env.WEFT_BENCH_INPROC_CONNECTIONS ?? 16);
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

// Under valgrind a request takes seconds: no server timeout may end a connection meanwhile.
const SERVER_OPTIONS = { keepAliveTimeout: 600_000, requestTimeout: 0, headersTimeout: 0 };

/** `server` listening on 127.0.0.1 at a free port, with a close that ends its connections. */
async function listening(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function start(): Promise<{ port: number; close(): Promise<void> }> {
  if (MODE === 'bare') {
    const body = Buffer.from('hello');
    const server = createServer(SERVER_OPTIONS, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    });
    return listening(server);
  }
  if (MODE === 'nopool' || MODE === 'nopool-plain' || MODE === 'host') {
    // Parts of the path: the guest on one instance without the pool (time-sliced, or plain), or
    // no guest at all (a host response through writeHostResponse).
    const { Component } = await import('@weft/core');
    const { callHandler, createHttp, toHostRequest, writeHostResponse } = await import('../src/index.ts');
    const sliced = MODE === 'nopool';
    const component = await Component.compile(readFileSync(guest('hello-c')), { interruptible: sliced });
    const instance = await component.instantiate(createHttp(), sliced ? { timeSlice: true } : {});
    const handle = (instance.exports['wasi:http/handler@0.3.0'] as { handle: (...a: any[]) => any }).handle;
    const hello = new TextEncoder().encode('hello');
    const contentType = new TextEncoder().encode('text/plain');
    const server = createServer(SERVER_OPTIONS, async (req, res) => {
      const request = toHostRequest(req);
      const response =
        MODE === 'host'
          ? {
              status: 200,
              headers: [['content-type', contentType]] as [string, Uint8Array][],
              contents: [hello][Symbol.iterator]() as unknown as AsyncIterable<Uint8Array>,
              trailers: Promise.resolve(undefined),
            }
          : await callHandler(handle, request, Promise.resolve());
      if (MODE === 'host')
        response.contents = (async function* () {
          yield hello;
        })();
      await writeHostResponse(res, response);
    });
    return listening(server);
  }
  const s = await serve(readFileSync(guest('hello-c')), {
    port: 0,
    log: () => {},
    server: SERVER_OPTIONS,
    requestsPerInstance:
      process.env.WEFT_BENCH_INPROC_RPI === undefined ? undefined : Number(process.env.WEFT_BENCH_INPROC_RPI),
    // 0: no deadline, so no time slicing (whose 2 ms ticks make counts under valgrind depend on its speed).
    requestTimeout:
      process.env.WEFT_BENCH_INPROC_TIMEOUT === undefined ? undefined : Number(process.env.WEFT_BENCH_INPROC_TIMEOUT),
  });
  return { port: s.address().port, close: () => s.close() };
}

/** Sends requests one at a time on `socket` until `left()` says none remain; counts bodies "hello". */
function drive(socket: Socket, take: () => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let ok = 0;
    const next = () => {
      if (take()) socket.write(REQUEST);
      else {
        socket.end();
        resolve(ok);
      }
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const h = buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const m = /content-length: (\d+)/i.exec(buf.slice(0, h));
        let end: number;
        let body: string;
        if (m) {
          end = h + 4 + Number(m[1]);
          if (buf.length < end) return;
          body = buf.slice(h + 4, end);
        } else {
          // Chunked (node:http's writeHead + end(body)): one chunk, then the last.
          const last = buf.indexOf('\r\n0\r\n\r\n', h);
          if (last < 0) return;
          end = last + 7;
          body = buf.slice(buf.indexOf('\r\n', h + 4) + 2, last);
        }
        if (body === 'hello') ok++;
        buf = buf.slice(end);
        next();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the server closed a connection')));
    next();
  });
}

const server = await start();
let left = REQUESTS;
const take = () => left-- > 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
const sockets = Array.from({ length: CONNECTIONS }, () => connect(server.port, '127.0.0.1'));
const counts = await Promise.all(sockets.map((s) => drive(s, take)));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const ok = counts.reduce((a, b) => a + b, 0);
await server.close();
// CPU time per request (this process: server and client) varies less than wall time on a loaded machine.
const us = (cpu.user + cpu.system) / REQUESTS;
console.log(
  `${MODE}: ${ok}/${REQUESTS} ok, ${Math.round(ok / seconds)} req/s, ${us.toFixed(1)} µs CPU per request (${CONNECTIONS} connections)`,
);
if (ok !== REQUESTS) process.exitCode = 1;
