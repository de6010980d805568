// `request`, `response` and `request-options` from the host's side: the setters' checks,
// immutability of what was attached, bodies consumed once (by consume-body or the host), the
// transmission futures, and the conversions to and from HostRequest / HostResponse.

import { ComponentError, future, type StreamReader, stream } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { type FieldList, type HostRequest, HttpError } from '../src/host.ts';
import { Fields, Request, RequestOptions, Response } from '../src/types/index.ts';
import { chunks, collect, enc as b, dec as text, rejection } from './client-helpers.ts';

const U8 = { kind: 'u8' } as const;

function payload(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ComponentError);
    return (e as ComponentError).payload;
  }
  throw new Error('expected a ComponentError');
}

/** A guest-like body: a u8 stream the test writes, and a trailers future it resolves. */
function guestBody() {
  const body = stream<number>(U8);
  const trailers = future<unknown>();
  return { contents: body.reader as StreamReader<number>, writer: body.writer, trailers };
}

function newRequest(headers = new Fields(), contents?: unknown, trailers: PromiseLike<unknown> = Promise.resolve()) {
  return Request.new(headers, contents as never, trailers);
}

describe('Request', () => {
  it('new: a GET with no target, headers immutable from then on', () => {
    const headers = Fields.fromList([['Last-Modified', b('whatever')]]);
    const [req] = Request.new(headers, undefined, Promise.resolve(undefined));
    expect(req.getMethod()).toEqual({ tag: 'get' });
    expect(req.getPathWithQuery()).toBeUndefined();
    expect(req.getScheme()).toBeUndefined();
    expect(req.getAuthority()).toBeUndefined();
    expect(req.getOptions()).toBeUndefined();
    // The fields given to new were moved into the request: no longer to be changed.
    expect(payload(() => headers.append('x', b('1')))).toEqual({ tag: 'immutable' });
    const got = req.getHeaders();
    expect(got.copyAll()).toEqual([['last-modified', b('whatever')]]);
    expect(payload(() => got.append('x', b('1')))).toEqual({ tag: 'immutable' });
    expect(payload(() => got.set('last-modified', []))).toEqual({ tag: 'immutable' });
    expect(payload(() => got.delete('last-modified'))).toEqual({ tag: 'immutable' });
    expect(payload(() => got.getAndDelete('last-modified'))).toEqual({ tag: 'immutable' });
    expect(got.clone().immutable).toBe(false);
    expect(req.getHeaders()).not.toBe(got);
  });

  it('methods: named ones, other tokens, other spelling a named one, and nothing else', () => {
    const [req] = newRequest();
    for (const m of ['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch'] as const) {
      req.setMethod({ tag: m });
      expect(req.getMethod()).toEqual({ tag: m });
      req.setMethod({ tag: 'other', val: m.toUpperCase() });
      expect(req.getMethod()).toEqual({ tag: m });
    }
    req.setMethod({ tag: 'other', val: 'coucou' });
    expect(req.getMethod()).toEqual({ tag: 'other', val: 'coucou' });
    req.setMethod({ tag: 'other', val: 'get' });
    expect(req.getMethod()).toEqual({ tag: 'other', val: 'get' });
    for (const bad of ['', 'a b', 'GET\r\n', '(x)', 'é'])
      expect(
        payload(() => req.setMethod({ tag: 'other', val: bad })),
        bad,
      ).toBeUndefined();
    expect(payload(() => req.setMethod({ tag: 'nope' } as never))).toBeUndefined();
    expect(req.getMethod()).toEqual({ tag: 'other', val: 'get' });
  });

  it('schemes: HTTP, HTTPS, other RFC 3986 schemes; other("https") is HTTPS', () => {
    const [req] = newRequest();
    req.setScheme({ tag: 'HTTPS' });
    expect(req.getScheme()).toEqual({ tag: 'HTTPS' });
    req.setScheme({ tag: 'other', val: 'http' });
    expect(req.getScheme()).toEqual({ tag: 'HTTP' });
    req.setScheme({ tag: 'other', val: 'HTTPS' });
    expect(req.getScheme()).toEqual({ tag: 'HTTPS' });
    req.setScheme({ tag: 'other', val: 'git+ssh' });
    expect(req.getScheme()).toEqual({ tag: 'other', val: 'git+ssh' });
    for (const bad of ['', '1x', 'a b', 'ht:tp', 'é', '+'])
      expect(
        payload(() => req.setScheme({ tag: 'other', val: bad })),
        bad,
      ).toBeUndefined();
    req.setScheme(undefined);
    expect(req.getScheme()).toBeUndefined();
  });

  it('authorities: [userinfo@]host[:port], host non-empty, port a number to 65535', () => {
    const [req] = newRequest();
    for (const ok of [
      '1.2.3.4',
      'example.com',
      'localhost:80',
      'user@example.com:80',
      'user:pass%20@localhost:80',
      '[::1]',
      '[2001:db8::1]:443',
      'a:0',
      "!$&'()*+,;=.example",
    ]) {
      req.setAuthority(ok);
      expect(req.getAuthority()).toBe(ok);
    }
    for (const bad of [
      '::',
      ':@',
      '@@',
      '@:',
      ' ',
      '',
      '#',
      'localhost:what',
      'example.com:',
      'example.com:65536',
      '[',
      '[::1',
      '[zz]',
      'a/b',
      'a%2',
      'exämple.com',
    ])
      expect(
        payload(() => req.setAuthority(bad)),
        bad,
      ).toBeUndefined();
    req.setAuthority(undefined);
    expect(req.getAuthority()).toBeUndefined();
  });

  it('path-with-query: absolute, relative, query only; "" is "/"; no controls, spaces or fragments', () => {
    const [req] = newRequest();
    for (const ok of [
      '/',
      '/a/b/c',
      '/a/../../bar',
      '/?foo',
      'a/b',
      '?x',
      '/pct%2Fx?q=a%20b',
      '/ü',
      '/a[]=1|2',
      '/%',
    ]) {
      req.setPathWithQuery(ok);
      expect(req.getPathWithQuery()).toBe(ok);
    }
    req.setPathWithQuery('');
    expect(req.getPathWithQuery()).toBe('/');
    for (const bad of ['/a b', '/\t', '/\n', '/\x7f', '/<', '/>', '/`', '/#frag'])
      expect(
        payload(() => req.setPathWithQuery(bad)),
        JSON.stringify(bad),
      ).toBeUndefined();
    expect(req.getPathWithQuery()).toBe('/');
    req.setPathWithQuery(undefined);
    expect(req.getPathWithQuery()).toBeUndefined();
  });

  it('options: kept immutable, handed out as immutable copies', () => {
    const options = new RequestOptions();
    options.setConnectTimeout(1_000_000n);
    const [req] = Request.new(new Fields(), undefined, Promise.resolve(), options);
    expect(payload(() => options.setFirstByteTimeout(1n))).toEqual({ tag: 'immutable' });
    const got = req.getOptions()!;
    expect(got.getConnectTimeout()).toBe(1_000_000n);
    expect(payload(() => got.setConnectTimeout(2n))).toEqual({ tag: 'immutable' });
    expect(payload(() => got.setFirstByteTimeout(2n))).toEqual({ tag: 'immutable' });
    expect(payload(() => got.setBetweenBytesTimeout(2n))).toEqual({ tag: 'immutable' });
    expect(req.getOptions()).not.toBe(got);
    const copy = got.clone();
    copy.setConnectTimeout(5n);
    expect(req.getOptions()!.getConnectTimeout()).toBe(1_000_000n);
  });

  it('consume-body of a host-made request: its contents, its trailers, and res settling new’s future', async () => {
    const trailers = Fields.fromList([['x-sum', b('1')]]);
    const [req, sent] = Request.new(new Fields(), [b('he'), b('llo')], Promise.resolve(trailers));
    const [contents, fut] = Request.consumeBody(req, Promise.resolve());
    expect(await collect(contents)).toBe('hello');
    const got = (await fut) as Fields;
    expect(got.get('x-sum')).toEqual([b('1')]);
    await expect(sent).resolves.toBeUndefined();
    expect(() => Request.consumeBody(req, undefined)).toThrow(/already consumed/);
  });

  it('consume-body: a res of err fails new’s future with that error-code', async () => {
    const [req, sent] = newRequest();
    Request.consumeBody(req, Promise.reject(new HttpError({ tag: 'HTTP-request-denied' })));
    const e = await rejection(sent);
    expect(e).toBeInstanceOf(ComponentError);
    expect((e as ComponentError).payload).toEqual({ tag: 'HTTP-request-denied' });
  });

  it('consume-body hands a guest’s stream and future on as they are', () => {
    const g = guestBody();
    const [req] = Request.new(new Fields(), g.contents, g.trailers.reader);
    const [contents, fut] = Request.consumeBody(req, undefined);
    expect(contents).toBe(g.contents);
    expect(fut).toBe(g.trailers.reader);
  });

  it('dropped unconsumed: the guest’s stream and future are dropped, new’s future fails', async () => {
    const g = guestBody();
    const [req, sent] = Request.new(new Fields(), g.contents, g.trailers.reader);
    req[Symbol.dispose]();
    expect(await g.writer.write(b('x'))).toBe(0);
    expect(g.writer.readerDropped).toBe(true);
    expect(await g.trailers.writer.write({ tag: 'ok', val: undefined })).toBe(false);
    const e = (await rejection(sent)) as ComponentError;
    expect((e.payload as { tag: string }).tag).toBe('internal-error');
  });
});

describe('Request to the host (what client.send sends)', () => {
  function made(headers: [string, string][] = []) {
    const g = guestBody();
    const fields = Fields.fromList(headers.map(([n, v]) => [n, b(v)]));
    const [req, sent] = Request.new(fields, g.contents, g.trailers.reader);
    return { req, sent, ...g };
  }

  it('carries the request line, headers and options as the host spells them', () => {
    const options = new RequestOptions();
    options.setFirstByteTimeout(7n);
    const [req] = Request.new(Fields.fromList([['X-A', b('1')]]), undefined, Promise.resolve(), options);
    req.setMethod({ tag: 'other', val: 'PROPFIND' });
    req.setScheme({ tag: 'HTTPS' });
    req.setAuthority('example.com:8443');
    req.setPathWithQuery('/a?b=c');
    const host = req.toHost();
    expect(host).toMatchObject({
      method: 'PROPFIND',
      scheme: 'https',
      authority: 'example.com:8443',
      pathWithQuery: '/a?b=c',
      headers: [['x-a', b('1')]],
      options: { firstByteTimeout: 7n },
      contents: undefined,
    });
    expect(host.options).toEqual({ firstByteTimeout: 7n });
    const [plain] = newRequest();
    expect(plain.toHost()).toMatchObject({ method: 'GET', scheme: undefined, pathWithQuery: undefined });
    expect(() => plain.toHost()).toThrow(/already consumed/);
  });

  it('streams the guest’s body as the host reads, then its trailers; new’s future resolves once delivered', async () => {
    const r = made();
    let delivered!: () => void;
    const host = r.req.toHost(new Promise<void>((res) => (delivered = res)));
    const writing = (async () => {
      await r.writer.write(b('chunk one,'));
      await r.writer.write(b('chunk two'));
      await r.writer.close();
      await r.trailers.writer.write({ tag: 'ok', val: Fields.fromList([['x-sum', b('abc')]]) });
    })();
    let settled = false;
    r.sent.then(() => (settled = true));
    expect(await collect(host.contents)).toBe('chunk one,chunk two');
    expect(await host.trailers).toEqual([['x-sum', b('abc')]]);
    await writing;
    await new Promise((res) => setTimeout(res, 10));
    expect(settled).toBe(false);
    delivered();
    await expect(r.sent).resolves.toBeUndefined();
  });

  it('backpressure: the guest’s write completes only as the host reads', async () => {
    const r = made();
    const host = r.req.toHost();
    let wrote = false;
    const writing = r.writer.write(b('x'.repeat(100))).then(() => (wrote = true));
    await new Promise((res) => setTimeout(res, 20));
    expect(wrote).toBe(false);
    const it = host.contents![Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value.length).toBe(100);
    await writing;
    expect(wrote).toBe(true);
    await it.return!();
  });

  it('a guest that drops its trailers future unwritten sends no trailers', async () => {
    const r = made();
    const host = r.req.toHost();
    await r.writer.close();
    r.trailers.writer.cancel();
    expect(await collect(host.contents)).toBe('');
    expect(await host.trailers).toBeUndefined();
    await expect(r.sent).resolves.toBeUndefined();
  });

  it('trailers that are an error: the contents throw at their end, trailers and new’s future fail', async () => {
    const r = made();
    const host = r.req.toHost();
    (async () => {
      await r.writer.write(b('partial'));
      await r.writer.close();
      await r.trailers.writer.write({ tag: 'err', val: { tag: 'internal-error', val: 'gave up' } });
    })();
    const e = await rejection(collect(host.contents));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).code).toEqual({ tag: 'internal-error', val: 'gave up' });
    expect(((await rejection(host.trailers)) as HttpError).code).toEqual({ tag: 'internal-error', val: 'gave up' });
    expect(((await rejection(r.sent)) as ComponentError).payload).toEqual({ tag: 'internal-error', val: 'gave up' });
  });

  it('more bytes than content-length: the host read fails and the guest’s stream is dropped', async () => {
    const r = made([['content-length', '4']]);
    const host = r.req.toHost();
    const writing = (async () => {
      await r.writer.write(b('abc'));
      return r.writer.write(b('de'));
    })();
    const e = (await rejection(collect(host.contents))) as HttpError;
    expect(e.code).toEqual({ tag: 'HTTP-request-body-size', val: 5n });
    await writing;
    expect(await r.writer.write(b('more'))).toBe(0);
    expect(((await rejection(r.sent)) as ComponentError).payload).toEqual({ tag: 'HTTP-request-body-size', val: 5n });
    expect(((await rejection(host.trailers)) as HttpError).code.tag).toBe('HTTP-request-body-size');
  });

  it('fewer bytes than content-length: the read fails at the end', async () => {
    const r = made([['content-length', '10']]);
    const host = r.req.toHost();
    (async () => {
      await r.writer.write(b('abc'));
      await r.writer.close();
    })();
    const e = (await rejection(collect(host.contents))) as HttpError;
    expect(e.code).toEqual({ tag: 'HTTP-request-body-size', val: 3n });
    expect(((await rejection(r.sent)) as ComponentError).payload).toEqual({ tag: 'HTTP-request-body-size', val: 3n });
  });

  it('exactly content-length bytes go through', async () => {
    const r = made([['content-length', '5']]);
    const host = r.req.toHost();
    (async () => {
      await r.writer.write(b('12345'));
      await r.writer.close();
      r.trailers.writer.cancel();
    })();
    expect(await collect(host.contents)).toBe('12345');
    await expect(r.sent).resolves.toBeUndefined();
  });

  it('a send that fails: new’s future fails with its error-code and the guest’s stream is dropped', async () => {
    const r = made();
    r.req.toHost(Promise.reject(new HttpError({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN' } })));
    const e = (await rejection(r.sent)) as ComponentError;
    expect(e.payload).toEqual({ tag: 'DNS-error', val: { rcode: 'NXDOMAIN', infoCode: undefined } });
    expect(await r.writer.write(b('x'))).toBe(0);
    expect(await r.trailers.writer.write({ tag: 'ok', val: undefined })).toBe(false);
  });

  it('a send that fails after reading the whole body still fails new’s future', async () => {
    const [req, sent] = newRequest();
    req.toHost(Promise.reject(new HttpError({ tag: 'connection-terminated' })));
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'connection-terminated' });
  });

  it('a host that stops reading early: the guest’s stream is dropped, new’s future fails', async () => {
    const r = made();
    const host = r.req.toHost();
    const w = r.writer.write(b('a'.repeat(10)));
    const it = host.contents![Symbol.asyncIterator]();
    await it.next();
    await w;
    await it.return!();
    expect(await r.writer.write(b('more'))).toBe(0);
    expect(await host.trailers).toBeUndefined();
    expect(((await rejection(r.sent)) as ComponentError).payload).toEqual({ tag: 'connection-terminated' });
  });

  it('a request from the host goes back to the host as it came (no copy through a guest)', () => {
    const contents = chunks('x');
    const trailers = Promise.resolve(undefined);
    const req = Request.fromHost({
      method: 'PUT',
      scheme: 'http',
      authority: 'a',
      pathWithQuery: '/p',
      headers: [['x-h', b('1')]],
      contents,
      trailers,
      options: { connectTimeout: 3n },
    });
    const host = req.toHost();
    expect(host.contents).toBe(contents);
    expect(host.trailers).toBe(trailers);
    expect(host).toMatchObject({ method: 'PUT', scheme: 'http', authority: 'a', pathWithQuery: '/p' });
    expect(host.options).toEqual({ connectTimeout: 3n });
  });
});

describe('Request from the host (what a guest’s handle receives)', () => {
  function hostRequest(over: Partial<HostRequest> = {}): HostRequest {
    return {
      method: 'POST',
      scheme: 'https',
      authority: 'example.com',
      pathWithQuery: '/x?y',
      headers: [
        ['host', b('example.com')],
        ['Content-Type', b('text/plain')],
        ['connection', b('keep-alive')],
      ],
      contents: undefined,
      trailers: Promise.resolve(undefined),
      ...over,
    };
  }

  it('has the host’s request line, and headers without forbidden fields, immutable', () => {
    const req = Request.fromHost(hostRequest({ options: { betweenBytesTimeout: 9n } }));
    expect(req.getMethod()).toEqual({ tag: 'post' });
    expect(req.getScheme()).toEqual({ tag: 'HTTPS' });
    expect(req.getAuthority()).toBe('example.com');
    expect(req.getPathWithQuery()).toBe('/x?y');
    expect(req.getHeaders().copyAll()).toEqual([['content-type', b('text/plain')]]);
    expect(payload(() => req.getHeaders().append('x', b('1')))).toEqual({ tag: 'immutable' });
    expect(req.getOptions()!.getBetweenBytesTimeout()).toBe(9n);
    expect(payload(() => req.getOptions()!.setConnectTimeout(1n))).toEqual({ tag: 'immutable' });
    expect(Request.fromHost(hostRequest({ method: 'MKCOL', scheme: 'ftp' })).getMethod()).toEqual({
      tag: 'other',
      val: 'MKCOL',
    });
    expect(Request.fromHost(hostRequest({ scheme: 'ftp' })).getScheme()).toEqual({ tag: 'other', val: 'ftp' });
    expect(Request.fromHost(hostRequest({ scheme: undefined })).getScheme()).toBeUndefined();
  });

  it('consume-body pulls the host’s contents as read; trailers come after them', async () => {
    const pulled: string[] = [];
    let trailersAsked = false;
    async function* contents() {
      pulled.push('a');
      yield b('a');
      pulled.push('b');
      yield b('b');
    }
    const trailers: Promise<FieldList> = new Promise((res) => {
      trailersAsked = true;
      res([['x-t', b('1')]]);
    });
    const req = Request.fromHost(hostRequest({ contents: contents(), trailers }));
    const [body, fut] = Request.consumeBody(req, undefined);
    expect(pulled).toEqual([]);
    let trailersDone = false;
    (fut as Promise<unknown>).then(() => (trailersDone = true));
    const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    expect(text((await it.next()).value)).toBe('a');
    expect(pulled).toEqual(['a']);
    await new Promise((res) => setTimeout(res, 5));
    expect(trailersDone).toBe(false);
    expect(text((await it.next()).value)).toBe('b');
    expect((await it.next()).done).toBe(true);
    const t = (await fut) as Fields;
    expect(trailersAsked).toBe(true);
    expect(t.copyAll()).toEqual([['x-t', b('1')]]);
    expect(t.immutable).toBe(true);
  });

  it('a host body that fails: the guest’s stream ends, its trailers future carries the error-code', async () => {
    async function* contents() {
      yield b('a');
      throw new HttpError({ tag: 'connection-terminated' });
    }
    const req = Request.fromHost(hostRequest({ contents: contents() }));
    const [body, fut] = Request.consumeBody(req, undefined);
    expect(await collect(body)).toBe('a');
    const e = (await rejection(fut)) as ComponentError;
    expect(e.payload).toEqual({ tag: 'connection-terminated' });
  });

  it('host trailers that fail reach the guest as the err of its future', async () => {
    const req = Request.fromHost(
      hostRequest({ contents: chunks('z'), trailers: Promise.reject(new HttpError({ tag: 'HTTP-protocol-error' })) }),
    );
    const [body, fut] = Request.consumeBody(req, undefined);
    expect(await collect(body)).toBe('z');
    expect(((await rejection(fut)) as ComponentError).payload).toEqual({ tag: 'HTTP-protocol-error' });
  });

  it('an empty trailer section is none', async () => {
    const req = Request.fromHost(hostRequest({ contents: chunks('x'), trailers: Promise.resolve([]) }));
    const [body, fut] = Request.consumeBody(req, undefined);
    expect(await collect(body)).toBe('x');
    expect(await fut).toBeUndefined();
  });

  it('no contents: an empty stream, then the trailers', async () => {
    const req = Request.fromHost(hostRequest({ trailers: Promise.resolve([['x', b('y')]] as FieldList) }));
    const [body, fut] = Request.consumeBody(req, undefined);
    expect(await collect(body)).toBe('');
    expect(((await fut) as Fields).get('x')).toEqual([b('y')]);
  });

  it('a guest that stops reading early: the host’s source is stopped, onAbandon runs, no trailers', async () => {
    let stopped = false;
    let abandoned = 0;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: b('more') }),
        return: async () => {
          stopped = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const req = Request.fromHost(hostRequest({ contents: source, trailers: new Promise(() => {}) }), () => abandoned++);
    const [body, fut] = Request.consumeBody(req, undefined);
    const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.next();
    await it.return!();
    expect(stopped).toBe(true);
    expect(abandoned).toBe(1);
    expect(await fut).toBeUndefined();
  });

  it('dropped unconsumed: the host’s source is stopped and onAbandon runs', async () => {
    let stopped = false;
    let abandoned = 0;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: b('x') }),
        return: async () => {
          stopped = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const req = Request.fromHost(hostRequest({ contents: source }), () => abandoned++);
    req[Symbol.dispose]();
    req[Symbol.dispose]();
    expect(stopped).toBe(true);
    expect(abandoned).toBe(1);
    expect(() => Request.consumeBody(req, undefined)).toThrow(/dropped/);
  });

  it('forwards a source’s readSync, so bytes at hand answer a guest read at once', () => {
    const chunks = [b('ab'), b('cd')];
    const source = {
      readSync: (_max: number) => chunks.shift() ?? null,
      async *[Symbol.asyncIterator]() {},
    };
    const req = Request.fromHost(hostRequest({ contents: source }));
    const [body] = Request.consumeBody(req, undefined);
    const rs = (body as { readSync?: (n: number) => Uint8Array | null }).readSync!;
    expect(text(rs(10)!)).toBe('ab');
    expect(text(rs(10)!)).toBe('cd');
    expect(rs(10)).toBeNull();
  });
});

describe('RequestOptions', () => {
  it('defaults to no timeouts; set, get and unset each', () => {
    const o = new RequestOptions();
    expect([o.getConnectTimeout(), o.getFirstByteTimeout(), o.getBetweenBytesTimeout()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    o.setConnectTimeout(1_000_000n);
    o.setFirstByteTimeout(2_000_000n);
    o.setBetweenBytesTimeout(3_000_000n);
    expect([o.getConnectTimeout(), o.getFirstByteTimeout(), o.getBetweenBytesTimeout()]).toEqual([
      1_000_000n,
      2_000_000n,
      3_000_000n,
    ]);
    o.setConnectTimeout(undefined);
    expect(o.getConnectTimeout()).toBeUndefined();
    expect(o.toHost()).toEqual({ firstByteTimeout: 2_000_000n, betweenBytesTimeout: 3_000_000n });
    o.setConnectTimeout(0xffff_ffff_ffff_ffffn);
    expect(payload(() => o.setConnectTimeout(-1n))).toMatchObject({ tag: 'other' });
  });

  it('clone is independent and mutable', () => {
    const o = new RequestOptions();
    o.setConnectTimeout(1n);
    const c = o.clone();
    c.setConnectTimeout(2n);
    expect(o.getConnectTimeout()).toBe(1n);
    expect(c.getConnectTimeout()).toBe(2n);
    const frozen = RequestOptions.fromHost({ connectTimeout: 5n });
    expect(frozen.immutable).toBe(true);
    expect(frozen.clone().immutable).toBe(false);
  });
});

describe('Response', () => {
  it('new: status 200, headers immutable', () => {
    const headers = new Fields();
    headers.append('content-type', b('!!!! invalid'));
    const copy = headers.clone();
    const [res] = Response.new(headers, undefined, Promise.resolve());
    expect(res.getStatusCode()).toBe(200);
    expect(res.getHeaders().copyAll()).toEqual(copy.copyAll());
    expect(payload(() => res.getHeaders().append('x', b('1')))).toEqual({ tag: 'immutable' });
    expect(payload(() => headers.append('x', b('1')))).toEqual({ tag: 'immutable' });
  });

  it('status codes 100..599 only', () => {
    const [res] = Response.new(new Fields(), undefined, Promise.resolve());
    for (const ok of [100, 101, 200, 204, 301, 404, 418, 500, 599]) {
      res.setStatusCode(ok);
      expect(res.getStatusCode()).toBe(ok);
    }
    for (const bad of [0, 42, 69, 99, 600, 1000, 65535, 200.5])
      expect(
        payload(() => res.setStatusCode(bad)),
        String(bad),
      ).toBeUndefined();
    expect(res.getStatusCode()).toBe(599);
  });

  it('to the host: status, headers, body checked against content-length as HTTP-response-body-size', async () => {
    const g = guestBody();
    const [res, sent] = Response.new(Fields.fromList([['content-length', b('2')]]), g.contents, g.trailers.reader);
    res.setStatusCode(201);
    const host = res.toHost();
    expect(host.status).toBe(201);
    expect(host.headers).toEqual([['content-length', b('2')]]);
    (async () => {
      await g.writer.write(b('abc'));
    })();
    const e = (await rejection(collect(host.contents))) as HttpError;
    expect(e.code).toEqual({ tag: 'HTTP-response-body-size', val: 3n });
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'HTTP-response-body-size', val: 3n });
  });

  it('from the host: status, headers without forbidden fields, body pulled by consume-body', async () => {
    let abandoned = 0;
    const res = Response.fromHost(
      {
        status: 418,
        headers: [
          ['transfer-encoding', b('chunked')],
          ['x-tea', b('earl grey')],
        ],
        contents: chunks('short and stout'),
        trailers: Promise.resolve(undefined),
      },
      () => abandoned++,
    );
    expect(res.getStatusCode()).toBe(418);
    expect(res.getHeaders().copyAll()).toEqual([['x-tea', b('earl grey')]]);
    const [body, fut] = Response.consumeBody(res, undefined);
    expect(await collect(body)).toBe('short and stout');
    expect(await fut).toBeUndefined();
    expect(abandoned).toBe(0);
  });

  it("new reads a guest's body and trailers at once: its writes complete unread, and the host gets them whole", async () => {
    const g = guestBody();
    const [res, sent] = Response.new(new Fields(), g.contents, g.trailers.reader);
    // No host has asked yet: the early read takes the bytes, the early future read the trailers.
    expect(await g.writer.write(b('hello'))).toBe(5);
    await g.writer.close();
    expect(await g.trailers.writer.write({ tag: 'ok', val: Fields.fromList([['x-t', b('1')]]) })).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    const host = res.toHost();
    const whole = host.whole!()!;
    expect(whole.bytes).toBe(5);
    expect(text(whole.chunks[0]!)).toBe('hello');
    expect(whole.trailers).toEqual([['x-t', b('1')]]);
    // Consumed: the trailers promise agrees, and the transmission future reports ok.
    expect(await host.trailers).toEqual([['x-t', b('1')]]);
    await sent;
  });

  it('whole() is undefined while the guest is still writing; the body then reads in order', async () => {
    const g = guestBody();
    const [res, sent] = Response.new(new Fields(), g.contents, g.trailers.reader);
    expect(await g.writer.write(b('ab'))).toBe(2);
    expect(await g.writer.write(b('cd'))).toBe(2);
    await new Promise((r) => setTimeout(r, 0));
    const host = res.toHost();
    expect(host.whole!()).toBeUndefined();
    void (async () => {
      await g.writer.write(b('ef'));
      await g.writer.close();
      await g.trailers.writer.write({ tag: 'ok', val: undefined });
    })();
    expect(await collect(host.contents)).toBe('abcdef');
    expect(await host.trailers).toBeUndefined();
    await sent;
  });

  it('whole() is undefined for a body that disagrees with its content-length (reading it fails)', async () => {
    const g = guestBody();
    const [res, sent] = Response.new(Fields.fromList([['content-length', b('3')]]), g.contents, g.trailers.reader);
    await g.writer.write(b('hello'));
    await g.writer.close();
    await g.trailers.writer.write({ tag: 'ok', val: undefined });
    await new Promise((r) => setTimeout(r, 0));
    const host = res.toHost();
    expect(host.whole!()).toBeUndefined();
    const e = (await rejection(collect(host.contents))) as HttpError;
    expect(e.code).toEqual({ tag: 'HTTP-response-body-size', val: 5n });
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'HTTP-response-body-size', val: 5n });
  });

  it('a response read early and consumed by a guest: the bytes read already come first, then the rest', async () => {
    const g = guestBody();
    const [res, sent] = Response.new(new Fields(), g.contents, g.trailers.reader);
    expect(await g.writer.write(b('early '))).toBe(6);
    void (async () => {
      await g.writer.write(b('and late'));
      await g.writer.close();
      await g.trailers.writer.write({ tag: 'ok', val: undefined });
    })();
    const [body, fut] = Response.consumeBody(res, Promise.resolve({ tag: 'ok', val: undefined }));
    expect(await collect(body)).toBe('early and late');
    expect(await fut).toBeUndefined();
    await sent;
  });

  it('dropped unconsumed from the host: onAbandon runs', () => {
    let abandoned = 0;
    const res = Response.fromHost(
      { status: 200, headers: [], contents: chunks('x'), trailers: Promise.resolve(undefined) },
      () => abandoned++,
    );
    res[Symbol.dispose]();
    expect(abandoned).toBe(1);
  });
});
