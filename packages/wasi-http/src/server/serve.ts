// Serving a component's wasi:http handler over node:http.

import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shortName } from '@weft/core';
import type { HttpError } from '../host.ts';
import {
  type ComponentLike,
  describeError,
  failureStatus,
  failureText,
  HandlerPool,
  type HandlerPoolOptions,
  PoolClosedError,
} from './pool.ts';
import { toHostRequest, writeHostResponse } from './node.ts';
import { Turns } from './prefetch.ts';
import { withDefaultClient } from '../imports.ts';

export interface RequestListenerOptions {
  /** Where failed requests are reported (default: the pool's log). */
  log?: (line: string) => void;
}

/** A plain-text error answer, unless the headers already went (then the connection is cut). */
function failResponse(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = failureText(status);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A `node:http` request listener that runs each request on `pool`: for your own `http.Server`
 * (or `https.Server`, which gives the guest `https` as the scheme). A failed request gets a
 * 500 (the guest trapped or returned an error-code), 504 (past its deadline) or 503 (the pool
 * is closing), and a line in the log.
 */
export function createRequestListener(
  pool: HandlerPool,
  options: RequestListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const log = options.log ?? ((line: string) => pool.log(line));
  const turns = new Turns();
  return (req, res) => void respond(pool, log, turns, req, res);
}

/** How a request is named in the log (only made when there is something to log). */
const what = (req: IncomingMessage) => `${req.method} ${shortName(req.url ?? '', 512)}`;

/** Answers one request; never rejects: a bug here (or a throwing log) fails that request only. */
async function respond(
  pool: HandlerPool,
  log: (line: string) => void,
  turns: Turns,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    let response: Awaited<ReturnType<HandlerPool['handle']>>;
    // The guest's transmission future: settled once the response was written out (or not).
    let delivered!: (error?: HttpError) => void;
    const outcome = new Promise<void>((resolve, reject) => {
      delivered = (error) => (error === undefined ? resolve() : reject(error));
    });
    outcome.catch(() => {});
    try {
      response = await pool.handle(toHostRequest(req), outcome);
    } catch (e) {
      if (!(e instanceof PoolClosedError)) log(`weft serve: ${what(req)}: ${describeError(e)}`);
      failResponse(res, failureStatus(e));
      return;
    }
    try {
      const wrote = await writeHostResponse(res, response, { head: req.method === 'HEAD', delivered, turns });
      if (wrote.droppedTrailers) log(`weft serve: ${what(req)}: trailers dropped (the body had a content-length)`);
    } catch (e) {
      log(`weft serve: ${what(req)}: ${describeError(e)}`);
      failResponse(res, failureStatus(e));
    }
  } catch (e) {
    // A bug here, or a log that throws: this request fails, the server goes on.
    try {
      log(`weft serve: ${describeError(e)}`);
    } catch {
      // nowhere left to say it
    }
    try {
      if (!res.headersSent) failResponse(res, 500);
      else res.destroy();
    } catch {
      res.destroy();
    }
  }
}

export interface ServeOptions extends HandlerPoolOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8080; 0 picks a free one: read it from `url` or `address`). */
  port?: number;
  /** Options for `http.createServer` (timeouts, header limits). */
  server?: ServerOptions;
  /** Milliseconds `close()` waits for requests in flight before cutting them (default 30 000). */
  shutdownTimeout?: number;
  /**
   * Share the listening socket with other cluster workers (node:cluster decides in the
   * primary). Default: what node:cluster does.
   */
  exclusive?: boolean;
}

export interface WeftServer {
  readonly server: Server;
  readonly pool: HandlerPool;
  /** `http://HOST:PORT/` with the port actually bound. */
  readonly url: string;
  address(): AddressInfo;
  /**
   * Graceful shutdown: stops accepting connections, lets requests in flight finish (at most
   * `shutdownTimeout`, then cuts them), closes idle connections, drops every instance.
   */
  close(): Promise<void>;
}

/** `http://HOST:PORT/` for a bound address (IPv6 in brackets). */
export function urlOf(a: AddressInfo): string {
  const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}/`;
}

/**
 * Serves `component`'s `wasi:http/handler@0.3.x` over HTTP/1.1: makes a pool (see
 * HandlerPool), checks that one instance can be made, listens, and resolves once listening.
 */
export async function serve(
  component: ComponentLike | Uint8Array | ArrayBuffer,
  options: ServeOptions = {},
): Promise<WeftServer> {
  const {
    host = '127.0.0.1',
    port = 8080,
    server: serverOptions,
    shutdownTimeout = 30_000,
    exclusive,
    ...poolOptions
  } = options;
  const pool = new HandlerPool(component, withDefaultClient(poolOptions));
  await pool.start();
  const listener = createRequestListener(pool);
  let closing = false;
  const server = createServer({ ...serverOptions }, (req, res) => {
    // While shutting down, answers end their connection.
    if (closing) res.setHeader('connection', 'close');
    listener(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await pool.close({ force: true });
    throw e;
  }
  const address = () => server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Connections that finish their last response while we wait become idle: close them too.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => {
        server.closeAllConnections();
        void pool.close({ force: true });
      }, shutdownTimeout);
      try {
        await pool.close();
        await serverClosed;
      } finally {
        clearInterval(sweep);
        clearTimeout(timer);
      }
    })());
  return { server, pool, url: urlOf(address()), address, close };
}
