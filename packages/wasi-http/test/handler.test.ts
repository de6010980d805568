// Real guests (wasi-testsuite's Rust programs) through the conversions: callHandler calling a
// service's exported `handle` with host requests; the client programs' `client.send` answered
// by a host send function that serves their spec's endpoints (as the testsuite's servers do,
// at the HostRequest level); handlerImport and callHandler chaining one guest to another.

import { readFileSync } from 'node:fs';
import { ComponentError, Trap } from '@weft/core';
import { describe, expect, it } from 'vitest';
import {
  callHandler,
  type FieldList,
  Fields,
  handlerImport,
  type HostRequest,
  type HostResponse,
  HttpError,
  Request,
  Response,
  type SendFn,
} from '../src/index.ts';
import { chunks, collect, enc as b, dec as text, readAll } from './client-helpers.ts';
import { HAVE_SUITE, handleOf, instantiate, SUITE, suiteUrl } from './types-host.ts';

function request(method: string, path: string, over: Partial<HostRequest> = {}): HostRequest {
  return {
    method,
    scheme: 'http',
    authority: 'localhost:8080',
    pathWithQuery: path,
    headers: [],
    contents: undefined,
    trailers: Promise.resolve(undefined),
    ...over,
  };
}

const header = (r: { headers: FieldList }, name: string) =>
  r.headers.filter(([n]) => n === name).map(([, v]) => text(v));

describe.skipIf(!HAVE_SUITE)('callHandler with wasi-testsuite’s service programs', () => {
  it('http-service: routes by method and path, streams the response body after handle returned', async () => {
    const [instance] = await instantiate(suiteUrl('http-service'));
    const handle = handleOf(instance);
    const res = await callHandler(handle, request('GET', '/'));
    expect(res.status).toBe(200);
    expect(header(res, 'content-type')).toEqual(['text/plain']);
    expect(header(res, 'content-length')).toEqual(['4']);
    expect(await collect(res.contents)).toBe('hey\n');
    expect(await res.trailers).toBeUndefined();
    expect((await callHandler(handle, request('GET', '/whatever'))).status).toBe(404);
    expect((await callHandler(handle, request('POST', '/whatever'))).status).toBe(405);
  });

  it('http-service: one instance, concurrent requests', async () => {
    const [instance] = await instantiate(suiteUrl('http-service'));
    const handle = handleOf(instance);
    const all = await Promise.all(
      Array.from({ length: 8 }, (_, i) => callHandler(handle, request('GET', i % 2 ? '/' : '/nope'))),
    );
    expect(all.map((r) => r.status)).toEqual([404, 200, 404, 200, 404, 200, 404, 200]);
    const bodies = await Promise.all(all.map((r) => collect(r.contents)));
    expect(bodies).toEqual(['', 'hey\n', '', 'hey\n', '', 'hey\n', '', 'hey\n']);
  });

  it('http-service-echo: the request body in, the same body out; headers read by the guest', async () => {
    const [instance] = await instantiate(suiteUrl('http-service-echo'));
    const handle = handleOf(instance);
    const echo = await callHandler(handle, request('POST', '/echo', { contents: chunks('hello, ', 'echo') }));
    expect(echo.status).toBe(200);
    expect(header(echo, 'content-type')).toEqual(['application/octet-stream']);
    expect(header(echo, 'content-length')).toEqual(['11']);
    expect(await collect(echo.contents)).toBe('hello, echo');
    const empty = await callHandler(handle, request('POST', '/echo', { contents: chunks() }));
    expect(await collect(empty.contents)).toBe('');
    const reflect = await callHandler(
      handle,
      request('GET', '/reflect-header', {
        headers: [
          ['x-echo', b('ping')],
          ['host', b('hidden')],
        ],
      }),
    );
    expect(header(reflect, 'x-echoed')).toEqual(['ping']);
  });

  it('http-service-echo: 8 MiB each way, in chunks, intact', async () => {
    const [instance] = await instantiate(suiteUrl('http-service-echo'));
    const size = 8 << 20;
    const chunk = 64 * 1024;
    let produced = 0;
    async function* source() {
      for (let at = 0; at < size; at += chunk) {
        const c = new Uint8Array(chunk);
        for (let i = 0; i < chunk; i++) c[i] = (at + i) % 251;
        produced += chunk;
        yield c;
      }
    }
    let trailersRead = false;
    const trailers = new Promise<FieldList | undefined>((res) => {
      trailersRead = true;
      res([['x-after', b('body')]]);
    });
    const res = await callHandler(handleOf(instance), request('POST', '/echo', { contents: source(), trailers }));
    expect(produced).toBe(size);
    expect(trailersRead).toBe(true);
    expect(header(res, 'content-length')).toEqual([String(size)]);
    let n = 0;
    let ok = true;
    for await (const c of res.contents!) {
      for (let i = 0; i < c.length; i++) if (c[i] !== (n + i) % 251) ok = false;
      n += c.length;
    }
    expect(n).toBe(size);
    expect(ok).toBe(true);
  });

  it('http-service-uri: the request’s scheme and authority reach the guest; a guest that traps rejects', async () => {
    const [instance] = await instantiate(suiteUrl('http-service-uri'));
    const handle = handleOf(instance);
    expect((await callHandler(handle, request('GET', '/whoami'))).status).toBe(200);
    // Without a scheme the program's assertion fails: a trap, not an HttpError.
    const e = await callHandler(handle, request('GET', '/whoami', { scheme: undefined })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Trap);
  });
});

describe('callHandler', () => {
  it('an error-code the handler returns rejects as an HttpError with that code', async () => {
    const handle = async () => {
      throw new ComponentError({ tag: 'HTTP-request-denied' });
    };
    const e = (await callHandler(handle, request('GET', '/')).catch((x: unknown) => x)) as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.code).toEqual({ tag: 'HTTP-request-denied' });
    const bad = await callHandler((async () => 'not a response') as never, request('GET', '/')).catch((x) => x);
    expect(bad).toBeInstanceOf(TypeError);
  });

  it('the response’s transmission future follows the host writing it out, and `delivered`', async () => {
    let sent: Promise<void> | undefined;
    const handle = async (req: Request) => {
      const [contents] = Request.consumeBody(req, undefined);
      const [res, s] = Response.new(new Fields(), contents, Promise.resolve(undefined));
      sent = s;
      return res;
    };
    let written!: () => void;
    const res = await callHandler(
      handle,
      request('PUT', '/', { contents: chunks('abc') }),
      new Promise<void>((r) => (written = r)),
    );
    expect(await collect(res.contents)).toBe('abc');
    let settled = false;
    sent!.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    written();
    await expect(sent).resolves.toBeUndefined();
  });
});

// ---- the client programs, against a host send function serving their endpoints ----

interface Endpoint {
  method: string;
  path: string;
  mode?: 'echo-body' | 'echo-headers';
  response?: { status: number; body?: string; chunks?: string[]; trailers?: Record<string, string> };
}
interface Spec {
  servers?: { name: string; kind?: 'closed'; endpoints?: Endpoint[] }[];
}

function response(status: number, headers: [string, string][], content: string[], trailers?: [string, string][]) {
  return {
    status,
    headers: headers.map(([n, v]): [string, Uint8Array] => [n, b(v)]),
    contents: content.length === 0 ? undefined : chunks(...content),
    trailers: Promise.resolve(trailers?.map(([n, v]): [string, Uint8Array] => [n, b(v)])),
  } satisfies HostResponse;
}

/**
 * A SendFn answering as the testsuite's servers do (see packages/conformance/src/wasi/servers.ts),
 * at the HostRequest level: routes on method and target (no path: '/'), echo-body, echo-headers
 * (with what a client would put on the wire: Host from the authority, chunked framing for a
 * body of unknown length), fixed responses with chunks and trailers; a closed server refuses,
 * an unknown authority does not resolve.
 */
function endpoints(spec: Spec): { env: [string, string][]; send: SendFn; seen: HostRequest[] } {
  const env: [string, string][] = [];
  const servers = new Map<string, Endpoint[] | 'closed'>();
  for (const [i, s] of (spec.servers ?? []).entries()) {
    const authority = `127.0.0.1:${9000 + i}`;
    env.push([`HTTP_SERVER_${s.name.toUpperCase()}`, authority]);
    servers.set(authority, s.kind === 'closed' ? 'closed' : (s.endpoints ?? []));
  }
  const seen: HostRequest[] = [];
  const send: SendFn = async (req) => {
    seen.push(req);
    const server = servers.get(req.authority ?? '');
    if (server === undefined) throw new HttpError({ tag: 'DNS-error', val: { rcode: 'address not available' } });
    if (server === 'closed') throw new HttpError({ tag: 'connection-refused' });
    const content = await readAll(req.contents);
    const trailers = (await req.trailers) ?? [];
    const target = req.pathWithQuery ?? '/';
    const e = server.find((x) => x.method === req.method && x.path === target);
    if (e === undefined) return response(404, [], []);
    const head = req.method === 'HEAD';
    if (e.mode === 'echo-body') return response(200, [['content-length', String(content.length)]], [text(content)]);
    if (e.mode === 'echo-headers') {
      const wire: FieldList = [['host', b(req.authority!)], ...req.headers];
      if (req.contents !== undefined && !req.headers.some(([n]) => n === 'content-length'))
        wire.push(['transfer-encoding', b('chunked')]);
      const out: [string, string][] = [
        ['x-request-method', req.method],
        ['x-request-path', target],
        ...wire.map(([n, v]): [string, string] => [`x-echo-${n}`, text(v)]),
        ...trailers.map(([n, v]): [string, string] => [`x-trailer-${n}`, text(v)]),
      ];
      return response(200, out, []);
    }
    const r = e.response!;
    if (r.chunks === undefined) return response(r.status, [], head || !r.body ? [] : [r.body]);
    return response(r.status, [['transfer-encoding', 'chunked']], r.chunks, Object.entries(r.trailers ?? {}));
  };
  return { env, send, seen };
}

const CLIENT_PROGRAMS = [
  'http-client',
  'http-client-chunked',
  'http-client-headers',
  'http-client-method',
  'http-client-path',
  'http-client-path-none',
  'http-client-send-errors',
  'http-client-sent',
  'http-client-status',
  'http-client-trailer-error',
  'http-client-trailers',
];

describe.skipIf(!HAVE_SUITE)(
  'client.send from wasi-testsuite’s client programs, served by a host send function',
  () => {
    it.each(CLIENT_PROGRAMS)('%s', async (name) => {
      const spec = JSON.parse(readFileSync(`${SUITE}/${name}.json`, 'utf8')) as Spec;
      const { env, send, seen } = endpoints(spec);
      const [instance] = await instantiate(suiteUrl(name), { send }, env);
      const res = await callHandler(handleOf(instance), request('GET', '/'));
      expect(res.status).toBe(200);
      expect(seen.length).toBeGreaterThan(0);
    });

    it('http-client-sent: a send that fails fails the request’s transmission future too', async () => {
      // The program asserts it; Wasmtime fails it (wasmtime#14112).
      const sends: HostRequest[] = [];
      const [instance] = await instantiate(suiteUrl('http-client-sent'), {
        send: async (req) => {
          sends.push(req);
          throw new HttpError({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN' } });
        },
      });
      expect((await callHandler(handleOf(instance), request('GET', '/'))).status).toBe(200);
      expect(sends.map((r) => r.authority)).toEqual(['nonexistent.invalid:80']);
    });

    it('http-client: client.send routed to another component’s handler, no network', async () => {
      const [echo] = await instantiate(suiteUrl('http-service-echo'));
      const routed: string[] = [];
      const [client] = await instantiate(
        suiteUrl('http-client'),
        {
          send: (req) => {
            routed.push(`${req.method} ${req.pathWithQuery}`);
            return callHandler(handleOf(echo), req);
          },
        },
        [['HTTP_SERVER_MAIN', 'echo.internal']],
      );
      expect((await callHandler(handleOf(client), request('GET', '/'))).status).toBe(200);
      expect(routed).toEqual(['POST /echo']);
    });
  },
);

describe.skipIf(!HAVE_SUITE)('handlerImport', () => {
  it('serves handle to an importer: a request resource through a host send function and back', async () => {
    const [echo] = await instantiate(suiteUrl('http-service-echo'));
    const imports = handlerImport((req) => callHandler(handleOf(echo), req));
    const { handle } = imports['wasi:http/handler@0.3.0'];
    const [req, sent] = Request.new(
      Fields.fromList([['content-length', b('9')]]),
      [b('forwarded')],
      Promise.resolve(undefined),
    );
    req.setMethod({ tag: 'post' });
    req.setPathWithQuery('/echo');
    const res = await handle(req);
    expect(res).toBeInstanceOf(Response);
    expect(res.getStatusCode()).toBe(200);
    const [contents, trailers] = Response.consumeBody(res, undefined);
    expect(await collect(contents as AsyncIterable<Uint8Array>)).toBe('forwarded');
    expect(await trailers).toBeUndefined();
    await expect(sent).resolves.toBeUndefined();
  });

  it('a failed send is the error-code of the importer’s handle', async () => {
    const { handle } = handlerImport(async () => {
      throw new HttpError({ tag: 'loop-detected' });
    })['wasi:http/handler@0.3.0'];
    const e = (await Promise.resolve(handle(Request.new(new Fields(), undefined, Promise.resolve())[0])).catch(
      (x: unknown) => x,
    )) as ComponentError;
    expect(e).toBeInstanceOf(ComponentError);
    expect(e.payload).toEqual({ tag: 'loop-detected' });
  });
});
