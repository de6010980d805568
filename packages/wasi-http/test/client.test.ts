// The undici client against real servers on 127.0.0.1: messages both ways, streaming bodies
// with backpressure, trailers both ways, connection reuse.

import { once } from 'node:events';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type HttpClient } from '../src/client/index.ts';
import type { FieldList } from '../src/host.ts';
import {
  block,
  body,
  chunks,
  codeOf,
  dec,
  enc,
  header,
  localServers,
  never,
  readAll,
  req,
  tick,
} from './client-helpers.ts';

let client: HttpClient;
const { serve } = localServers();

beforeAll(() => {
  client = createClient();
});
afterAll(async () => {
  await client.destroy();
});

describe('messages', () => {
  it('GET: method, target, headers both ways, status and body', async () => {
    let seen: http.IncomingMessage | undefined;
    const s = await serve((q, r) => {
      seen = q;
      r.statusCode = 203;
      r.setHeader('x-one', 'a');
      r.setHeader('set-cookie', ['c=1', 'd=2']);
      r.end('hello');
    });
    const res = await client(
      req({
        authority: s.authority,
        path: '/get?some=arg&goes=here',
        headers: [
          ['x-req', 'v1'],
          ['x-req', 'v2'],
        ],
      }),
      never,
    );
    expect(res.status).toBe(203);
    expect(header(res.headers, 'x-one')).toEqual(['a']);
    expect(header(res.headers, 'set-cookie')).toEqual(['c=1', 'd=2']);
    expect(dec(await readAll(res.contents))).toBe('hello');
    expect(await res.trailers).toBeUndefined();
    expect(seen?.method).toBe('GET');
    expect(seen?.url).toBe('/get?some=arg&goes=here');
    expect(seen?.headers.host).toBe(s.authority);
    expect(seen?.headersDistinct['x-req']).toEqual(['v1', 'v2']);
  });

  it('field values go out and come back byte for byte (latin1 bytes, not UTF-8 text)', async () => {
    let got: Buffer | undefined;
    const s = await serve((q, r) => {
      got = Buffer.from(q.rawHeaders[q.rawHeaders.indexOf('x-bytes') + 1], 'latin1');
      r.setHeader('x-back', Buffer.from([0x63, 0xe9, 0xff]).toString('latin1'));
      r.end();
    });
    const request = req({ authority: s.authority });
    request.headers.push(['x-bytes', new Uint8Array([0x61, 0xe9, 0xff, 0x80])]);
    const res = await client(request, never);
    await readAll(res.contents);
    expect([...(got ?? [])]).toEqual([0x61, 0xe9, 0xff, 0x80]);
    expect([...res.headers.find(([n]) => n === 'x-back')![1]]).toEqual([0x63, 0xe9, 0xff]);
  });

  it('every method of the WIT, and an `other` token', async () => {
    const s = await serve((q, r) => r.end(q.method));
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PURGE']) {
      const res = await client(req({ method, authority: s.authority }), never);
      expect(dec(await readAll(res.contents))).toBe(method);
    }
    const head = await client(req({ method: 'HEAD', authority: s.authority }), never);
    expect(head.status).toBe(200);
    expect((await readAll(head.contents)).length).toBe(0);
  });

  it('path-with-query none is sent as "/" (wasi:http: an empty path and query)', async () => {
    const urls: string[] = [];
    const s = await serve((q, r) => {
      urls.push(q.url!);
      r.end();
    });
    for (const path of [undefined, '', '?q=1']) {
      const res = await client(req({ authority: s.authority, path }), never);
      await readAll(res.contents);
    }
    expect(urls).toEqual(['/', '/', '/?q=1']);
  });

  it('the connection headers of the request are not forwarded, host comes from the authority', async () => {
    let seen: http.IncomingMessage | undefined;
    const s = await serve((q, r) => {
      seen = q;
      r.end();
    });
    const res = await client(
      req({
        authority: s.authority,
        headers: [
          ['host', 'evil.example'],
          ['keep-alive', 'timeout=1'],
          ['upgrade', 'websocket'],
          ['x-kept', 'yes'],
        ],
      }),
      never,
    );
    await readAll(res.contents);
    expect(seen?.headers.host).toBe(s.authority);
    expect(seen?.headers['keep-alive']).toBeUndefined();
    expect(seen?.headers.upgrade).toBeUndefined();
    expect(seen?.headers['x-kept']).toBe('yes');
  });

  it('keeps the connection: sequential requests share one, concurrent ones open more', async () => {
    const s = await serve((_q, r) => setTimeout(() => r.end('x'), 20));
    for (let i = 0; i < 3; i++) {
      const res = await client(req({ authority: s.authority }), never);
      await readAll(res.contents);
      // undici hands a connection back to its pool one event-loop turn after the response ends.
      await tick(5);
    }
    expect(s.connections).toBe(1);
    const all = await Promise.all(
      [0, 1, 2].map(async () => {
        const res = await client(req({ authority: s.authority }), never);
        return dec(await readAll(res.contents));
      }),
    );
    expect(all).toEqual(['x', 'x', 'x']);
    expect(s.connections).toBe(3);
  });
});

describe('request bodies', () => {
  it('POST with a chunked streaming body: the server has each chunk before the next is produced', async () => {
    const arrived: string[] = [];
    let gotData: (() => void) | undefined;
    let seen: http.IncomingMessage | undefined;
    const s = await serve(async (q, r) => {
      seen = q;
      for await (const c of q) {
        arrived.push(String(c));
        gotData?.();
      }
      r.end(arrived.join('|'));
    });
    const produced: string[] = [];
    async function* gen() {
      for (const part of ['one', 'two', 'three']) {
        produced.push(part);
        const seenIt = new Promise<void>((r) => (gotData = r));
        yield enc(part);
        // The next chunk is made only once the server holds this one: nothing was buffered.
        await seenIt;
        expect(arrived.join('')).toBe(produced.join(''));
      }
    }
    const res = await client(req({ method: 'POST', authority: s.authority, body: gen() }), never);
    expect(dec(await readAll(res.contents)).replaceAll('|', '')).toBe('onetwothree');
    expect(seen?.headers['transfer-encoding']).toBe('chunked');
    expect(seen?.headers['content-length']).toBeUndefined();
  });

  it('a declared content-length is sent as is, and the body checked against it', async () => {
    let seen: http.IncomingMessage | undefined;
    let got = '';
    const s = await serve(async (q, r) => {
      seen = q;
      got = String(await body(q));
      r.end();
    });
    const ok = await client(
      req({
        method: 'POST',
        authority: s.authority,
        headers: [['content-length', '11']],
        body: chunks('long ', 'enough'),
      }),
      never,
    );
    await readAll(ok.contents);
    expect(seen?.headers['content-length']).toBe('11');
    expect(seen?.headers['transfer-encoding']).toBeUndefined();
    expect(got).toBe('long enough');

    const short = client(
      req({ method: 'POST', authority: s.authority, headers: [['content-length', '11']], body: chunks('msg') }),
      never,
    );
    expect(await codeOf(short)).toEqual({ tag: 'HTTP-request-body-size', val: 3n });

    const long = client(
      req({
        method: 'POST',
        authority: s.authority,
        headers: [['content-length', '11']],
        body: chunks('more than ', '11 bytes'),
      }),
      never,
    );
    expect(await codeOf(long)).toEqual({ tag: 'HTTP-request-body-size', val: 18n });
  });

  it('a large request body is pulled only as fast as the server reads it', async () => {
    const total = 32 << 20;
    const size = 64 << 10;
    let received = 0;
    let reading = false;
    let startReading!: () => void;
    const serverStarted = new Promise<void>((r) => (startReading = r));
    const s = await serve(async (q, r) => {
      q.pause();
      await serverStarted;
      reading = true;
      let ok = true;
      let i = 0;
      let carry = Buffer.alloc(0);
      for await (const c of q) {
        received += c.length;
        carry = Buffer.concat([carry, c as Buffer]);
        while (carry.length >= size) {
          if (carry[1] !== (i & 0xff) || carry[0] !== ((i >> 8) & 0xff)) ok = false;
          carry = carry.subarray(size);
          i++;
        }
      }
      r.end(`${received} ${ok}`);
    });
    let pulled = 0;
    async function* gen() {
      for (let i = 0; i < total / size; i++) {
        pulled += size;
        yield block(i, size);
      }
    }
    const pending = client(req({ method: 'POST', authority: s.authority, body: gen() }), never);
    await tick(500);
    // The server reads nothing yet: the client may only have filled the socket buffers.
    const ahead = pulled;
    expect(reading).toBe(false);
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThan(16 << 20);
    startReading();
    const res = await pending;
    expect(dec(await readAll(res.contents))).toBe(`${total} true`);
    expect(pulled).toBe(total);
  });

  it('request trailers are sent after a chunked body', async () => {
    let trailers: NodeJS.Dict<string> | undefined;
    let got = '';
    const s = await serve(async (q, r) => {
      got = String(await body(q));
      trailers = q.trailers;
      r.end();
    });
    const fields: FieldList = [
      ['x-checksum', enc('abc123')],
      ['x-parts', enc('2')],
    ];
    const res = await client(
      req({ method: 'POST', authority: s.authority, body: chunks('pay', 'load'), trailers: Promise.resolve(fields) }),
      never,
    );
    await readAll(res.contents);
    expect(got).toBe('payload');
    expect(trailers).toEqual({ 'x-checksum': 'abc123', 'x-parts': '2' });
    await tick(5);

    // The same connection carries the next request cleanly (the trailer section was well formed).
    const again = await client(
      req({ method: 'POST', authority: s.authority, body: chunks('x'), trailers: Promise.resolve(undefined) }),
      never,
    );
    await readAll(again.contents);
    expect(got).toBe('x');
    expect(trailers).toEqual({});
    expect(s.connections).toBe(1);
  });

  it('trailers that wait for the body are sent once it ends; a content-length body cannot carry them', async () => {
    const seen: NodeJS.Dict<string>[] = [];
    const s = await serve(async (q, r) => {
      await body(q);
      seen.push(q.trailers);
      r.end();
    });
    let release!: (f: FieldList) => void;
    const later = new Promise<FieldList>((r) => (release = r));
    async function* gen() {
      yield enc('data');
      setTimeout(() => release([['x-late', enc('yes')]]), 50);
    }
    const res = await client(req({ method: 'POST', authority: s.authority, body: gen(), trailers: later }), never);
    await readAll(res.contents);
    const fixed = await client(
      req({
        method: 'POST',
        authority: s.authority,
        headers: [['content-length', '4']],
        body: chunks('data'),
        trailers: Promise.resolve([['x-dropped', enc('1')]] as FieldList),
      }),
      never,
    );
    await readAll(fixed.contents);
    expect(seen).toEqual([{ 'x-late': 'yes' }, {}]);
  });

  it('a body source or trailers that fail fail the request with their error-code', async () => {
    const s = await serve(async (q, r) => {
      await body(q).catch(() => {});
      r.end();
    });
    const { HttpError } = await import('../src/host.ts');
    async function* bad() {
      yield enc('part');
      throw new HttpError({ tag: 'HTTP-request-body-size', val: 7n });
    }
    expect(await codeOf(client(req({ method: 'POST', authority: s.authority, body: bad() }), never))).toEqual({
      tag: 'HTTP-request-body-size',
      val: 7n,
    });
    const failing = Promise.reject(new HttpError({ tag: 'internal-error', val: 'guest trailers' }));
    expect(
      await codeOf(
        client(req({ method: 'POST', authority: s.authority, body: chunks('x'), trailers: failing }), never),
      ),
    ).toEqual({ tag: 'internal-error', val: 'guest trailers' });
  });
});

describe('response bodies', () => {
  it('a large response body is read from the socket only as the consumer reads', async () => {
    const total = 32 << 20;
    let written = 0;
    let done = false;
    const s = await serve(async (_q, r) => {
      r.writeHead(200, { 'content-type': 'application/octet-stream' });
      const size = 64 << 10;
      for (let i = 0; i < total / size; i++) {
        written += size;
        if (!r.write(block(i, size))) await once(r, 'drain');
      }
      r.end();
      done = true;
    });
    const res = await client(req({ authority: s.authority }), never);
    const it = res.contents![Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    await tick(500);
    // The consumer stopped: the server is held back by the socket, not buffered into memory.
    expect(done).toBe(false);
    expect(written).toBeLessThan(16 << 20);
    let n = first.value!.length;
    for (let r = await it.next(); !r.done; r = await it.next()) n += r.value.length;
    expect(n).toBe(total);
    expect(await res.trailers).toBeUndefined();
  });

  it('bodies stream both ways at once (echo)', async () => {
    const s = await serve((q, r) => {
      r.writeHead(200);
      q.pipe(r);
    });
    const size = 16 << 10;
    const count = 512;
    async function* gen() {
      for (let i = 0; i < count; i++) yield block(i, size);
    }
    const res = await client(req({ method: 'POST', authority: s.authority, body: gen() }), never);
    const back = await readAll(res.contents);
    expect(back.length).toBe(size * count);
    for (const i of [0, 1, 255, 256, count - 1])
      expect(back.subarray(i * size, (i + 1) * size)).toEqual(block(i, size));
  });

  it('response trailers through HostBody.trailers', async () => {
    const s = await serve((_q, r) => {
      r.writeHead(200, { trailer: 'x-checksum, x-parts' });
      r.write('pay');
      r.write('load');
      r.addTrailers({ 'x-checksum': 'abc123', 'X-Parts': '1' });
      r.end();
    });
    const res = await client(req({ authority: s.authority }), never);
    expect(dec(await readAll(res.contents))).toBe('payload');
    const trailers = await res.trailers;
    expect(trailers?.map(([n, v]) => [n, dec(v)])).toEqual([
      ['x-checksum', 'abc123'],
      ['x-parts', '1'],
    ]);
  });

  it('dropping the body early closes the connection and fails the trailers', async () => {
    let closed = false;
    const s = await serve((q, r) => {
      r.writeHead(200);
      r.write('a'.repeat(100_000));
      q.socket.on('close', () => (closed = true));
    });
    const res = await client(req({ authority: s.authority }), never);
    const it = res.contents![Symbol.asyncIterator]();
    await it.next();
    await it.return!();
    expect((await codeOf(res.trailers)).tag).toBe('internal-error');
    for (let i = 0; i < 50 && !closed; i++) await tick(20);
    expect(closed).toBe(true);
  });
});
