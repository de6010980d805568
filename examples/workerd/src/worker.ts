// A Cloudflare Worker (ES module syntax) serving wasi:http components through the fetch bridge
// of @weft/wasi-http, from `weft bundle` output: the components' core modules are imported as
// WebAssembly.Modules (workerd's `wasm` modules), so nothing is compiled or evaluated at run
// time, which workerd forbids.
//
//   /trap...   the trap guest: traps (500) on paths starting /trap; /ok: 200 "ok"
//   /echo...   the echo guest (guests/echo.c): the request's body copied back through its
//              linear memory, 16 KiB at a time, and x-echo-method
//   /slow...   the echo guest bundled --interruptible, with a 1 s deadline per request
//   /loop...   the loop guest bundled --fuel, each instance with a budget of fuel: /loop spins
//              until the fuel runs out (500, that instance dropped); /fuel-ok: 200 "ok"
//   /mw...     the middleware guest, whose imported wasi:http/handler is served here by a host
//              echo: the request's body streamed back (through the guest's response), its
//              headers back as x-echo-* plus the guest's own x-middleware header
//   otherwise  hello-c: 200 text/plain "hello"

import { type HostRequest, type HostResponse, handlerImport, toFetchHandler } from '@weft/wasi-http/web';
import * as echoGuest from '../build/bundles/echo.js';
import * as echoInterruptible from '../build/bundles/echo-interruptible.js';
import * as hello from '../build/bundles/hello-c.js';
import * as loopFuel from '../build/bundles/loop-fuel.js';
import * as middleware from '../build/bundles/middleware.js';
import * as trap from '../build/bundles/trap.js';

/** The downstream of the middleware: the request back as the response, body streamed through. */
async function echo(request: HostRequest): Promise<HostResponse> {
  const headers: [string, Uint8Array][] = [];
  const text = new TextEncoder();
  for (const [name, value] of request.headers) headers.push([`x-echo-${name}`, value]);
  headers.push(['x-echo-method', text.encode(request.method)]);
  headers.push(['x-echo-path', text.encode(request.pathWithQuery ?? '')]);
  return { status: 200, headers, contents: request.contents, trailers: request.trailers };
}

// Deadlines need `weft bundle --interruptible`: requests of the other bundles run without one.
const common = { requestTimeout: 0, log: (line: string) => console.error(line) };
const handlers = {
  hello: toFetchHandler({ instantiate: hello.instantiate }, common),
  trap: toFetchHandler({ instantiate: trap.instantiate }, common),
  echo: toFetchHandler({ instantiate: echoGuest.instantiate }, common),
  // The bundle brings the JSPI shims time slicing uses, compiled ahead of time (workerd compiles
  // no wasm at run time); the core deadline stops a guest that waits. workerd has no worker
  // threads, so no watchdog ticks: a guest in a tight loop is not stopped.
  slow: toFetchHandler({ instantiate: echoInterruptible.instantiate }, { ...common, requestTimeout: 1000 }),
  // Fuel needs no watchdog: an instance's budget bounds what its guest computes (here about a
  // tenth of a second of spinning), after which the guest traps and only that instance is lost.
  fuel: toFetchHandler({ instantiate: loopFuel.instantiate }, { ...common, instantiate: { fuel: 100_000_000n } }),
  middleware: toFetchHandler(
    { instantiate: middleware.instantiate },
    { ...common, imports: () => handlerImport(echo) },
  ),
};

export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/trap') || path === '/ok') return handlers.trap(request);
    if (path.startsWith('/echo')) return handlers.echo(request);
    if (path.startsWith('/mw')) return handlers.middleware(request);
    if (path.startsWith('/slow')) return handlers.slow(request);
    if (path.startsWith('/loop') || path === '/fuel-ok') return handlers.fuel(request);
    return handlers.hello(request);
  },
};
