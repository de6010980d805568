// The HTTP servers a test stands up before its program runs (`servers` in the
// specification), for the program's outbound wasi:http/client requests. They
// behave as the reference executor's: HTTP/1.1 on 127.0.0.1, one request per
// connection (`Connection: close`), routes matched on method and the exact
// request target; 404 for anything else. A `closed` server is an address that
// was bound and released, so connecting to it is refused.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { type Endpoint, type ServerSpec, serverEnvVar } from './spec.ts';

/** Prefix under which `echo-headers` sends back each request header. */
export const ECHO_HEADER_PREFIX = 'x-echo-';
/** Prefix under which `echo-headers` sends back each request trailer. */
export const TRAILER_HEADER_PREFIX = 'x-trailer-';
/** A request body larger than this is refused (413): the servers hold bodies in memory. */
export const MAX_BODY = 16 * 1024 * 1024;

export interface TestServers {
  /** `HTTP_SERVER_<NAME>` → `127.0.0.1:<port>`, for the guest's environment. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startServers(specs: ServerSpec[]): Promise<TestServers> {
  const env: Record<string, string> = {};
  const running: Server[] = [];
  const close = async () => {
    await Promise.all(
      running.map(
        (s) =>
          new Promise<void>((res) => {
            s.close(() => res());
            s.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const spec of specs) {
      if (spec.kind === 'closed') {
        env[serverEnvVar(spec.name)] = `127.0.0.1:${await releasedPort()}`;
        continue;
      }
      const server = endpointServer(spec.endpoints);
      running.push(server);
      env[serverEnvVar(spec.name)] = `127.0.0.1:${await listen(server)}`;
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { env, close };
}

function endpointServer(endpoints: Endpoint[]): Server {
  const routes = new Map(endpoints.map((e) => [`${e.method} ${e.path}`, e]));
  const server = createServer((req, res) => {
    res.on('error', () => {});
    req.on('error', () => res.destroy());
    readBody(req).then(
      (body) => {
        if (body === undefined) return reply(req, res, 413, [], Buffer.alloc(0));
        const endpoint = routes.get(`${req.method} ${req.url}`);
        if (!endpoint) return reply(req, res, 404, [], Buffer.alloc(0));
        switch (endpoint.mode) {
          case 'echo-body':
            return reply(req, res, 200, [], body);
          case 'echo-headers':
            return reply(req, res, 200, echoedHeaders(req), Buffer.alloc(0));
          case 'static': {
            const r = endpoint.response!;
            const headers = Object.entries(r.headers);
            if (r.chunks === undefined) return reply(req, res, r.status, headers, Buffer.from(r.body));
            return replyChunked(res, r.status, headers, r.chunks, r.trailers);
          }
        }
      },
      () => res.destroy(),
    );
  });
  // A client that sends garbage or goes away mid-request only loses its own connection.
  server.on('clientError', (_e, socket) => socket.destroy());
  return server;
}

/** The whole body (after its trailers arrived), or undefined past MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * `x-request-method`, `x-request-path`, then each request header as
 * `x-echo-<name>` (names lower-cased, grouped by name in order of first
 * appearance, every value kept), then each trailer as `x-trailer-<name>`.
 */
function echoedHeaders(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [
    ['x-request-method', req.method ?? ''],
    ['x-request-path', req.url ?? ''],
  ];
  const byName = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    let values = byName.get(name);
    if (!values) byName.set(name, (values = []));
    values.push(req.rawHeaders[i + 1]!);
  }
  for (const [name, values] of byName) for (const v of values) out.push([`${ECHO_HEADER_PREFIX}${name}`, v]);
  const trailers = new Map<string, string>();
  for (let i = 0; i < req.rawTrailers.length; i += 2)
    trailers.set(req.rawTrailers[i]!.toLowerCase(), req.rawTrailers[i + 1]!.trim());
  for (const [name, v] of trailers) out.push([`${TRAILER_HEADER_PREFIX}${name}`, v]);
  return out;
}

function reply(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: [string, string][],
  body: Buffer,
): void {
  res.writeHead(status, [...headers.flat(), 'content-length', String(body.length), 'connection', 'close']);
  // For HEAD, Node sends the headers only.
  res.end(req.method === 'HEAD' ? undefined : body);
}

function replyChunked(
  res: ServerResponse,
  status: number,
  headers: [string, string][],
  chunks: string[],
  trailers: Record<string, string>,
): void {
  const names = Object.keys(trailers);
  const head = [...headers.flat(), 'transfer-encoding', 'chunked', 'connection', 'close'];
  if (names.length > 0) head.push('trailer', names.join(', '));
  res.writeHead(status, head);
  for (const c of chunks) res.write(c);
  if (names.length > 0) res.addTrailers(trailers);
  res.end();
}

function listen(server: Server): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', rej);
      const a = server.address();
      res(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

/** A port that was just bound on 127.0.0.1 and released: nothing listens there. */
function releasedPort(): Promise<number> {
  const s = createTcpServer();
  return new Promise((res, rej) => {
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}
