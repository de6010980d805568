// Micro-benchmark of the guest call path without HTTP: `callHandler` on the hello-c guest in a
// loop, reading the response as `weft serve` does (what the guest has at hand, then the
// trailers), with up to WEFT_BENCH_HANDLER_CONCURRENCY (default 16) calls in flight on one
// instance. Prints calls per second; for profiling the wasi-http resources and core's async
// lift, lower and stream/future copies (`--cpu-prof`).
//
//   cd packages/wasi-http && ../../node_modules/.bin/node --conditions=weft-source bench/handler.ts
//
// Options (env): WEFT_BENCH_HANDLER_SECONDS (default 3), WEFT_BENCH_HANDLER_CONCURRENCY,
// WEFT_BENCH_HANDLER_GUEST (default hello-c), WEFT_BENCH_HANDLER_RPI (calls per instance before
// a fresh one is made, as `weft serve --requests-per-instance`; default: one instance).

import { readFileSync } from 'node:fs';
import { Component } from '@weft/core';
import type { HostRequest } from '../src/host.ts';
import { callHandler, createHttp } from '../src/index.ts';
import { guest } from '../test/guests/serve.ts';

const SECONDS = Number(process.env.WEFT_BENCH_HANDLER_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.WEFT_BENCH_HANDLER_CONCURRENCY ?? 16);
const GUEST = process.env.WEFT_BENCH_HANDLER_GUEST ?? 'hello-c';

const RPI = Number(process.env.WEFT_BENCH_HANDLER_RPI ?? Number.POSITIVE_INFINITY);

const component = await Component.compile(readFileSync(guest(GUEST)));
async function fresh(): Promise<(...a: any[]) => any> {
  const instance = await component.instantiate(createHttp());
  const key = Object.keys(instance.exports).find((k) => k.startsWith('wasi:http/handler@'))!;
  return (instance.exports[key] as { handle: (...a: any[]) => any }).handle;
}
let handle = await fresh();
let calls = 0;

const NO_TRAILERS = Promise.resolve(undefined);
const NO_CONTENTS: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};
const HOST = new TextEncoder().encode('127.0.0.1:8080');
const request = (): HostRequest => ({
  method: 'GET',
  scheme: 'http',
  authority: '127.0.0.1:8080',
  pathWithQuery: '/',
  headers: [['host', HOST]],
  contents: NO_CONTENTS,
  trailers: NO_TRAILERS,
});

let bytes = 0;
async function one(): Promise<void> {
  // The old instance finishes the calls it has; new ones go to the fresh one.
  if (++calls % RPI === 0) handle = await fresh();
  const response = await callHandler(handle, request(), Promise.resolve());
  const it = response.contents![Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    bytes += r.value.byteLength;
  }
  await response.trailers;
}

async function run(seconds: number): Promise<number> {
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      await one();
      n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return n / seconds;
}

await run(1);
bytes = 0;
const rate = await run(SECONDS);
if (bytes === 0) throw new Error('no body bytes read');
console.log(
  `callHandler ${GUEST}: ${Math.round(rate)} calls/s (${CONCURRENCY} in flight, ${SECONDS} s${RPI < Number.POSITIVE_INFINITY ? `, a fresh instance every ${RPI} calls` : ''})`,
);
