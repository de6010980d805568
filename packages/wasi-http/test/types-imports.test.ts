// createHttp from the host's side: the import object's shape, client.send over a SendFn (the
// request and response converted both ways, rejections as error-codes, the abort signal), and
// the error-code normalisation that keeps a host's odd rejection from trapping the guest.

import { ComponentError, Trap } from '@weft/core';
import { describe, expect, it } from 'vitest';
import {
  createHttp,
  ERROR_CODE_TAGS,
  errorCode,
  Fields,
  type HostRequest,
  type HostResponse,
  HttpError,
  noClient,
  Request,
  RequestOptions,
  Response,
  type SendFn,
  toErrorCode,
} from '../src/index.ts';
import { chunks, collect, enc as b, rejection } from './client-helpers.ts';

function sendWith(fn: SendFn) {
  return createHttp({ send: fn })['wasi:http/client@0.3.0'].send;
}

describe('createHttp', () => {
  it('offers the types and the client', () => {
    const http = createHttp();
    expect(Object.keys(http).sort()).toEqual(['wasi:http/client@0.3.0', 'wasi:http/types@0.3.0']);
    expect(http['wasi:http/types@0.3.0']).toEqual({ Fields, Request, RequestOptions, Response });
    expect(typeof http['wasi:http/client@0.3.0'].send).toBe('function');
  });

  it('without a send function, every request fails with internal-error', async () => {
    const send = createHttp({ send: noClient })['wasi:http/client@0.3.0'].send;
    const [req, sent] = Request.new(new Fields(), undefined, Promise.resolve());
    const e = (await rejection(send(req))) as ComponentError;
    expect(e).toBeInstanceOf(ComponentError);
    expect(e.payload).toEqual({ tag: 'internal-error', val: 'no client' });
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'internal-error', val: 'no client' });
  });
});

describe('client.send', () => {
  it('sends the request as the host sees it and returns the host’s response as a resource', async () => {
    let seen: HostRequest | undefined;
    let body = '';
    const send = sendWith(async (req) => {
      seen = req;
      body = await collect(req.contents);
      return {
        status: 201,
        headers: [
          ['content-type', b('text/plain')],
          ['connection', b('close')],
        ],
        contents: chunks('re: ', body),
        trailers: Promise.resolve([['x-done', b('yes')]]),
      };
    });
    const options = new RequestOptions();
    options.setConnectTimeout(5_000_000n);
    const [req, sent] = Request.new(
      Fields.fromList([['x-q', b('1')]]),
      [b('hi '), b('there')],
      Promise.resolve(undefined),
      options,
    );
    req.setMethod({ tag: 'post' });
    req.setScheme({ tag: 'HTTP' });
    req.setAuthority('localhost:8080');
    req.setPathWithQuery('/echo');
    const res = await send(req);
    expect(seen).toMatchObject({
      method: 'POST',
      scheme: 'http',
      authority: 'localhost:8080',
      pathWithQuery: '/echo',
      headers: [['x-q', b('1')]],
      options: { connectTimeout: 5_000_000n },
    });
    expect(body).toBe('hi there');
    await expect(sent).resolves.toBeUndefined();
    expect(res).toBeInstanceOf(Response);
    expect(res.getStatusCode()).toBe(201);
    expect(res.getHeaders().copyAll()).toEqual([['content-type', b('text/plain')]]);
    const [contents, trailers] = Response.consumeBody(res, undefined);
    expect(await collect(contents)).toBe('re: hi there');
    expect(((await trailers) as Fields).get('x-done')).toEqual([b('yes')]);
  });

  it('a rejection is the call’s error-code and fails the transmission future', async () => {
    const send = sendWith(async () => {
      throw new HttpError({ tag: 'connection-refused' }, 'ECONNREFUSED');
    });
    const [req, sent] = Request.new(new Fields(), undefined, Promise.resolve());
    const e = (await rejection(send(req))) as ComponentError;
    expect(e).toBeInstanceOf(ComponentError);
    expect(Object.hasOwn(e, 'payload')).toBe(true);
    expect(e.payload).toEqual({ tag: 'connection-refused' });
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'connection-refused' });
  });

  it('any other rejection becomes internal-error with its message', async () => {
    const send = sendWith(async () => {
      throw new TypeError('bug in the host');
    });
    const [req] = Request.new(new Fields(), undefined, Promise.resolve());
    expect(((await rejection(send(req))) as ComponentError).payload).toEqual({
      tag: 'internal-error',
      val: 'bug in the host',
    });
    const odd = sendWith(() => Promise.reject({ tag: 'no-such-case' }));
    const [req2] = Request.new(new Fields(), undefined, Promise.resolve());
    expect(((await rejection(odd(req2))) as ComponentError).payload).toEqual({
      tag: 'internal-error',
      val: 'unknown error-code no-such-case',
    });
  });

  it('a send that fails while reading the body: the body’s own error wins for the transmission', async () => {
    const send = sendWith(async (req) => {
      try {
        await collect(req.contents);
      } catch {
        throw new HttpError({ tag: 'HTTP-protocol-error' });
      }
      throw new Error('unreachable');
    });
    const [req, sent] = Request.new(Fields.fromList([['content-length', b('1')]]), [b('too long')], Promise.resolve());
    expect(((await rejection(send(req))) as ComponentError).payload).toEqual({ tag: 'HTTP-protocol-error' });
    expect(((await rejection(sent)) as ComponentError).payload).toEqual({ tag: 'HTTP-request-body-size', val: 8n });
  });

  it('the signal aborts when the guest drops the response unread, or stops reading its body', async () => {
    const signals: AbortSignal[] = [];
    const response = (): HostResponse => ({
      status: 200,
      headers: [],
      contents: (async function* () {
        yield b('1');
        yield b('2');
      })(),
      trailers: Promise.resolve(undefined),
    });
    const send = sendWith(async (_req, signal) => {
      signals.push(signal);
      return response();
    });
    const r1 = await send(Request.new(new Fields(), undefined, Promise.resolve())[0]);
    expect(signals[0]!.aborted).toBe(false);
    r1[Symbol.dispose]();
    expect(signals[0]!.aborted).toBe(true);

    const r2 = await send(Request.new(new Fields(), undefined, Promise.resolve())[0]);
    const [c2] = Response.consumeBody(r2, undefined);
    const it = (c2 as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.next();
    expect(signals[1]!.aborted).toBe(false);
    await it.return!();
    expect(signals[1]!.aborted).toBe(true);

    const r3 = await send(Request.new(new Fields(), undefined, Promise.resolve())[0]);
    const [c3] = Response.consumeBody(r3, undefined);
    expect(await collect(c3)).toBe('12');
    expect(signals[2]!.aborted).toBe(false);
  });

  it('forwards a request that came from the host without touching its body', async () => {
    const contents = chunks('as is');
    let got: unknown;
    const send = sendWith(async (req) => {
      got = req.contents;
      return { status: 204, headers: [], contents: undefined, trailers: Promise.resolve(undefined) };
    });
    const incoming = Request.fromHost({
      method: 'GET',
      scheme: 'http',
      authority: 'a',
      pathWithQuery: '/',
      headers: [],
      contents,
      trailers: Promise.resolve(undefined),
    });
    const res = await send(incoming);
    expect(got).toBe(contents);
    expect(res.getStatusCode()).toBe(204);
  });
});

describe('error-codes', () => {
  it('every case of the WIT', () => {
    expect(ERROR_CODE_TAGS.length).toBe(39);
    expect(ERROR_CODE_TAGS).toContain('DNS-error');
    expect(ERROR_CODE_TAGS).toContain('internal-error');
  });

  it('payloads take the WIT’s shape, whatever the host gave', () => {
    expect(errorCode({ tag: 'DNS-timeout', val: 'ignored' })).toEqual({ tag: 'DNS-timeout' });
    expect(errorCode({ tag: 'DNS-error' })).toEqual({
      tag: 'DNS-error',
      val: { rcode: undefined, infoCode: undefined },
    });
    expect(errorCode({ tag: 'DNS-error', val: { rcode: 'SERVFAIL', infoCode: 70000 } })).toEqual({
      tag: 'DNS-error',
      val: { rcode: 'SERVFAIL', infoCode: undefined },
    });
    expect(errorCode({ tag: 'TLS-alert-received', val: { alertId: 40, alertMessage: 'handshake' } })).toEqual({
      tag: 'TLS-alert-received',
      val: { alertId: 40, alertMessage: 'handshake' },
    });
    expect(errorCode({ tag: 'HTTP-request-body-size', val: 12 })).toEqual({ tag: 'HTTP-request-body-size', val: 12n });
    expect(errorCode({ tag: 'HTTP-response-body-size', val: -1 })).toEqual({
      tag: 'HTTP-response-body-size',
      val: undefined,
    });
    expect(errorCode({ tag: 'HTTP-request-header-section-size', val: 10n })).toEqual({
      tag: 'HTTP-request-header-section-size',
      val: 10,
    });
    expect(errorCode({ tag: 'HTTP-request-header-size' })).toEqual({ tag: 'HTTP-request-header-size', val: undefined });
    expect(errorCode({ tag: 'HTTP-response-header-size' })).toEqual({
      tag: 'HTTP-response-header-size',
      val: { fieldName: undefined, fieldSize: undefined },
    });
    expect(errorCode({ tag: 'HTTP-request-trailer-size', val: { fieldName: 'x', fieldSize: 3 } })).toEqual({
      tag: 'HTTP-request-trailer-size',
      val: { fieldName: 'x', fieldSize: 3 },
    });
    expect(errorCode({ tag: 'internal-error', val: 42 })).toEqual({ tag: 'internal-error', val: undefined });
    expect(errorCode(null)).toMatchObject({ tag: 'internal-error' });
    expect(errorCode({ tag: 'dns-error' })).toEqual({ tag: 'internal-error', val: 'unknown error-code dns-error' });
  });

  it('what a failure stands for', () => {
    expect(toErrorCode(new HttpError({ tag: 'loop-detected' }))).toEqual({ tag: 'loop-detected' });
    expect(toErrorCode(new ComponentError({ tag: 'HTTP-request-denied' }))).toEqual({ tag: 'HTTP-request-denied' });
    expect(toErrorCode({ code: { tag: 'connection-timeout' } })).toEqual({ tag: 'connection-timeout' });
    expect(toErrorCode({ tag: 'configuration-error' })).toEqual({ tag: 'configuration-error' });
    expect(toErrorCode(new Trap('boom'))).toEqual({ tag: 'internal-error', val: 'boom' });
    expect(toErrorCode('just a string')).toEqual({ tag: 'internal-error', val: 'just a string' });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(toErrorCode(revoked.proxy).tag).toBe('internal-error');
  });
});
