// Failures of the undici client as wasi:http error-codes: refused and unknown hosts, the three
// request-options timeouts, connections lost before and in the body, malformed responses,
// requests refused before any connection, and aborting through the signal.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type HttpClient, nsToMs } from '../src/client/index.ts';
import { errorCodeOf } from '../src/client/errors.ts';
import {
  chunks,
  closedPort,
  codeOf,
  enc,
  httpServer,
  type Local,
  listen,
  localServers,
  never,
  readAll,
  req,
  tick,
} from './client-helpers.ts';

let client: HttpClient;
const { keep } = localServers();

beforeAll(() => {
  client = createClient();
});
afterAll(async () => {
  await client.destroy();
});

const ms = (n: number) => BigInt(n) * 1_000_000n;

describe('connecting', () => {
  it('a closed port: connection-refused', async () => {
    const port = await closedPort();
    expect(await codeOf(client(req({ authority: `127.0.0.1:${port}` }), never))).toEqual({
      tag: 'connection-refused',
    });
  });

  it('an unknown host: DNS-error', async () => {
    const code = await codeOf(client(req({ authority: 'nonexistent.invalid:80' }), never));
    expect(code).toEqual({ tag: 'DNS-error', val: { rcode: 'address not available', infoCode: undefined } });
  });

  it('connect-timeout: a connection that never completes (a TLS handshake no one answers)', async () => {
    // TCP connects, but the "server" never speaks TLS: the connection is never established.
    const s = await keep(listen(net.createServer(() => {})));
    const t0 = Date.now();
    const code = await codeOf(
      client(req({ scheme: 'https', authority: s.authority, options: { connectTimeout: ms(200) } }), never),
    );
    expect(code).toEqual({ tag: 'connection-timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("the client's connectTimeout applies to requests without their own", async () => {
    const s = await keep(listen(net.createServer(() => {})));
    const short = createClient({ connectTimeout: 150 });
    try {
      const t0 = Date.now();
      expect(await codeOf(short(req({ scheme: 'https', authority: s.authority }), never))).toEqual({
        tag: 'connection-timeout',
      });
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await short.destroy();
    }
  });
});

describe('timeouts', () => {
  it('first-byte-timeout: no response head in time is connection-read-timeout', async () => {
    const s = await keep(httpServer(() => {}));
    const t0 = Date.now();
    const code = await codeOf(client(req({ authority: s.authority, options: { firstByteTimeout: ms(200) } }), never));
    expect(code).toEqual({ tag: 'connection-read-timeout' });
    // undici's parser timers tick at about 1 s.
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('between-bytes-timeout: a body that stalls fails its reader and its trailers', async () => {
    const s = await keep(
      httpServer((_q, r) => {
        r.writeHead(200);
        r.write('first');
      }),
    );
    const res = await client(req({ authority: s.authority, options: { betweenBytesTimeout: ms(200) } }), never);
    expect(res.status).toBe(200);
    const it = res.contents![Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    expect(await codeOf(it.next())).toEqual({ tag: 'connection-read-timeout' });
    expect(await codeOf(res.trailers)).toEqual({ tag: 'connection-read-timeout' });
  });

  it('without request-options the client defaults apply (headersTimeout)', async () => {
    const s = await keep(httpServer(() => {}));
    const short = createClient({ headersTimeout: 200 });
    try {
      expect(await codeOf(short(req({ authority: s.authority }), never))).toEqual({ tag: 'connection-read-timeout' });
    } finally {
      await short.destroy();
    }
  });

  it('a body read slowly does not time out: between-bytes counts only while the reader waits', async () => {
    const s = await keep(
      httpServer((_q, r) => {
        r.writeHead(200);
        r.end('x'.repeat(1 << 20));
      }),
    );
    const res = await client(req({ authority: s.authority, options: { betweenBytesTimeout: ms(300) } }), never);
    const it = res.contents![Symbol.asyncIterator]();
    let n = (await it.next()).value!.length;
    await tick(2500);
    for (let r = await it.next(); !r.done; r = await it.next()) n += r.value.length;
    expect(n).toBe(1 << 20);
  });

  it('nanoseconds become milliseconds, rounded up; 0 expires at once rather than never', () => {
    expect(nsToMs(undefined)).toBeUndefined();
    expect(nsToMs(0n)).toBe(1);
    expect(nsToMs(1n)).toBe(1);
    expect(nsToMs(1_000_000n)).toBe(1);
    expect(nsToMs(1_000_001n)).toBe(2);
    expect(nsToMs(250_000_000n)).toBe(250);
    expect(nsToMs(2n ** 64n - 1n)).toBe(2 ** 31 - 1);
  });
});

describe('lost connections and bad responses', () => {
  it('closed before the response head: connection-terminated', async () => {
    const s = await keep(httpServer((q) => q.socket.destroy()));
    expect(await codeOf(client(req({ authority: s.authority }), never))).toEqual({ tag: 'connection-terminated' });
  });

  it('reset before the response head: connection-terminated', async () => {
    const s = await keep(httpServer((q) => q.socket.resetAndDestroy()));
    expect(await codeOf(client(req({ authority: s.authority }), never))).toEqual({ tag: 'connection-terminated' });
  });

  it('closed or reset in the body: HTTP-response-incomplete, for the reader and the trailers', async () => {
    for (const how of ['close', 'reset', 'short content-length'] as const) {
      const s = await keep(
        httpServer((q, r) => {
          r.writeHead(200, how === 'short content-length' ? { 'content-length': '100' } : {});
          r.write('abc');
          setTimeout(() => (how === 'reset' ? q.socket.resetAndDestroy() : q.socket.destroy()), 30);
        }),
      );
      const res = await client(req({ authority: s.authority }), never);
      expect(await codeOf(readAll(res.contents))).toEqual({ tag: 'HTTP-response-incomplete' });
      expect(await codeOf(res.trailers)).toEqual({ tag: 'HTTP-response-incomplete' });
    }
  });

  it('a response that is not HTTP: HTTP-protocol-error', async () => {
    const s = await keep(listen(net.createServer((c) => c.once('data', () => c.end('SMTP READY\r\n\r\n')))));
    expect(await codeOf(client(req({ authority: s.authority }), never))).toEqual({ tag: 'HTTP-protocol-error' });
  });

  it('a response head too large: HTTP-response-header-section-size', async () => {
    const s = await keep(
      listen(
        net.createServer((c) =>
          c.once('data', () => c.end(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(100_000)}\r\ncontent-length: 0\r\n\r\n`)),
        ),
      ),
    );
    expect((await codeOf(client(req({ authority: s.authority }), never))).tag).toBe(
      'HTTP-response-header-section-size',
    );
  });
});

describe('requests refused before the network', () => {
  let s: Local;
  beforeAll(async () => {
    s = await httpServer((_q, r) => r.end());
  });
  afterAll(async () => {
    await s.close();
  });

  it.each([
    ['no authority', { authority: undefined }, 'HTTP-request-URI-invalid'],
    ['an empty authority', { authority: '' }, 'HTTP-request-URI-invalid'],
    ['a port out of range', { authority: '127.0.0.1:99999' }, 'HTTP-request-URI-invalid'],
    ['user info in the authority', { authority: 'user:pw@127.0.0.1:1' }, 'HTTP-request-URI-invalid'],
    ['a path in the authority', { authority: '127.0.0.1:1/x' }, 'HTTP-request-URI-invalid'],
    ['a path without a slash', { path: 'relative' }, 'HTTP-request-URI-invalid'],
    ['white space in the path', { path: '/a b' }, 'HTTP-request-URI-invalid'],
    ['an unsupported scheme', { scheme: 'ftp' }, 'HTTP-protocol-error'],
    ['a method that is no token', { method: 'bad\nmethod' }, 'HTTP-request-method-invalid'],
    ['CONNECT', { method: 'CONNECT' }, 'HTTP-protocol-error'],
  ] as const)('%s: %s', async (_what, change, tag) => {
    const before = s.connections;
    const request = req({ authority: s.authority, ...change });
    expect((await codeOf(client(request, never))).tag).toBe(tag);
    expect(s.connections).toBe(before);
  });

  it('a header value with a line break, a conflicting content-length, a length with no body', async () => {
    const before = s.connections;
    const crlf = req({ authority: s.authority });
    crlf.headers.push(['x-evil', enc('a\r\nx-injected: 1')]);
    expect((await codeOf(client(crlf, never))).tag).toBe('HTTP-protocol-error');
    const twice = req({
      method: 'POST',
      authority: s.authority,
      headers: [
        ['content-length', '1'],
        ['content-length', '2'],
      ],
      body: chunks('x'),
    });
    expect((await codeOf(client(twice, never))).tag).toBe('HTTP-protocol-error');
    const none = req({ method: 'POST', authority: s.authority, headers: [['content-length', '5']] });
    expect(await codeOf(client(none, never))).toEqual({ tag: 'HTTP-request-body-size', val: 0n });
    expect(s.connections).toBe(before);
  });

  it('a request with no scheme uses the default scheme', async () => {
    const plain = createClient({ defaultScheme: 'http' });
    try {
      const res = await plain(req({ authority: s.authority, scheme: undefined }), never);
      expect(res.status).toBe(200);
      await readAll(res.contents);
    } finally {
      await plain.destroy();
    }
    // The default default is https: against a plain HTTP server that is a TLS failure.
    expect((await codeOf(client(req({ authority: s.authority, scheme: undefined }), never))).tag).toBe(
      'TLS-protocol-error',
    );
  });
});

describe('abort through the signal', () => {
  it('an aborted signal fails the request without connecting', async () => {
    const s = await keep(httpServer((_q, r) => r.end()));
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(client(req({ authority: s.authority }), ac.signal))).toEqual({
      tag: 'internal-error',
      val: 'request aborted',
    });
    await tick(20);
    expect(s.connections).toBe(0);
  });

  it('waiting for the response: the request fails at once and the connection is closed', async () => {
    let closed = false;
    const s = await keep(httpServer((q) => q.socket.on('close', () => (closed = true))));
    const ac = new AbortController();
    const pending = client(req({ authority: s.authority }), ac.signal);
    await tick(50);
    const t0 = Date.now();
    ac.abort();
    expect((await codeOf(pending)).tag).toBe('internal-error');
    expect(Date.now() - t0).toBeLessThan(1000);
    for (let i = 0; i < 50 && !closed; i++) await tick(10);
    expect(closed).toBe(true);
  });

  it('an HttpError as the reason is the error-code the request fails with', async () => {
    const { HttpError } = await import('../src/host.ts');
    const s = await keep(httpServer(() => {}));
    const ac = new AbortController();
    const pending = client(req({ authority: s.authority }), ac.signal);
    await tick(20);
    ac.abort(new HttpError({ tag: 'HTTP-response-timeout' }));
    expect(await codeOf(pending)).toEqual({ tag: 'HTTP-response-timeout' });
  });

  it('reading the response body: the reader fails', async () => {
    const s = await keep(
      httpServer((_q, r) => {
        r.writeHead(200);
        r.write('part');
      }),
    );
    const ac = new AbortController();
    const res = await client(req({ authority: s.authority }), ac.signal);
    const it = res.contents![Symbol.asyncIterator]();
    await it.next();
    setTimeout(() => ac.abort(), 20);
    expect((await codeOf(it.next())).tag).toBe('internal-error');
  });

  it('sending the request body: the body source is released', async () => {
    const s = await keep(httpServer(() => {}));
    let released = false;
    let pulled = 0;
    async function* gen() {
      try {
        for (;;) {
          pulled++;
          yield enc('x');
          await tick(10);
        }
      } finally {
        released = true;
      }
    }
    const ac = new AbortController();
    const pending = client(req({ method: 'POST', authority: s.authority, body: gen() }), ac.signal);
    await tick(100);
    ac.abort();
    expect((await codeOf(pending)).tag).toBe('internal-error');
    for (let i = 0; i < 50 && !released; i++) await tick(10);
    expect(released).toBe(true);
    const at = pulled;
    await tick(50);
    expect(pulled).toBe(at);
  });

  it('a body source stuck waiting (on the guest) is released too', async () => {
    const s = await keep(httpServer(() => {}));
    let returned = false;
    const stuck: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        let first = true;
        return {
          next: () => {
            if (first) {
              first = false;
              return Promise.resolve({ done: false, value: enc('x') });
            }
            return new Promise<IteratorResult<Uint8Array>>(() => {});
          },
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    const ac = new AbortController();
    const pending = client(req({ method: 'POST', authority: s.authority, body: stuck }), ac.signal);
    await tick(50);
    ac.abort();
    expect((await codeOf(pending)).tag).toBe('internal-error');
    for (let i = 0; i < 50 && !returned; i++) await tick(10);
    expect(returned).toBe(true);
  });
});

describe('errorCodeOf', () => {
  it.each([
    [{ code: 'EAI_AGAIN' }, 'request', 'DNS-error'],
    [{ code: 'ECONNREFUSED', syscall: 'connect' }, 'request', 'connection-refused'],
    [{ code: 'EADDRNOTAVAIL', syscall: 'connect' }, 'request', 'connection-refused'],
    [{ code: 'EHOSTUNREACH', syscall: 'connect' }, 'request', 'destination-IP-unroutable'],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'request', 'connection-timeout'],
    [{ code: 'ETIMEDOUT', syscall: 'connect' }, 'request', 'connection-timeout'],
    [{ code: 'ECONNRESET' }, 'response', 'HTTP-response-incomplete'],
    [{ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' }, 'response', 'HTTP-response-body-size'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'request', 'TLS-certificate-error'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'request', 'TLS-certificate-error'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'request', 'TLS-protocol-error'],
  ] as const)('%o in the %s: %s', (err, phase, tag) => {
    expect(errorCodeOf(Object.assign(new Error('x'), err), phase).tag).toBe(tag);
  });

  it('anything else is internal-error with its message; happy-eyeballs failures by their first', () => {
    expect(errorCodeOf(new Error('strange'), 'request')).toEqual({ tag: 'internal-error', val: 'strange' });
    const both = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), new Error('b')]);
    expect(errorCodeOf(both, 'request')).toEqual({ tag: 'connection-refused' });
  });
});
