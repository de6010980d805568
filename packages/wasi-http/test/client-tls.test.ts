// The undici client over HTTPS, against local servers with self-signed certificates made by
// openssl for the test: trusted, untrusted, for another name, a TLS version the server refuses,
// and a plain HTTP server behind an https URL.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type HttpClient } from '../src/client/index.ts';
import type { FieldList } from '../src/host.ts';
import {
  body,
  chunks,
  codeOf,
  dec,
  enc,
  httpServer,
  type Local,
  listen,
  never,
  readAll,
  req,
} from './client-helpers.ts';

interface Cert {
  key: Buffer;
  cert: Buffer;
}

let dir: string;
function selfSigned(name: string, san: string): Cert {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

let good: Cert;
let other: Cert;
let server: Local<https.Server>;
let otherServer: Local<https.Server>;
let tls13: Local<https.Server>;
let plain: Local<http.Server>;
let trusting: HttpClient;
let untrusting: HttpClient;
const seen: { url: string; body: string; trailers: NodeJS.Dict<string> }[] = [];

const handler: http.RequestListener = async (q, r) => {
  const b = String(await body(q));
  seen.push({ url: q.url!, body: b, trailers: q.trailers });
  r.writeHead(200, { trailer: 'x-done' });
  r.write(`secure ${q.method} ${b}`);
  r.addTrailers({ 'x-done': 'yes' });
  r.end();
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-client-tls-'));
  good = selfSigned('localhost', 'DNS:localhost,IP:127.0.0.1');
  other = selfSigned('other.example', 'DNS:other.example');
  server = await listen(https.createServer({ ...good }, handler));
  otherServer = await listen(https.createServer({ ...other }, handler));
  tls13 = await listen(https.createServer({ ...good, minVersion: 'TLSv1.3' }, handler));
  plain = await httpServer((_q, r) => r.end('plain'));
  trusting = createClient({ tls: { ca: [good.cert, other.cert] } });
  untrusting = createClient();
});

afterAll(async () => {
  await trusting.destroy();
  await untrusting.destroy();
  for (const s of [server, otherServer, tls13, plain]) await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('GET and a streamed POST with trailers both ways, over one pooled connection', async () => {
    const get = await trusting(req({ scheme: 'https', authority: server.authority, path: '/a?b' }), never);
    expect(get.status).toBe(200);
    expect(dec(await readAll(get.contents))).toBe('secure GET ');
    expect((await get.trailers)?.map(([n, v]) => [n, dec(v)])).toEqual([['x-done', 'yes']]);
    await new Promise((r) => setTimeout(r, 5));

    const fields: FieldList = [['x-sum', enc('42')]];
    const post = await trusting(
      req({
        method: 'POST',
        scheme: 'https',
        authority: `localhost:${server.port}`,
        body: chunks('over ', 'tls'),
        trailers: Promise.resolve(fields),
      }),
      never,
    );
    expect(dec(await readAll(post.contents))).toBe('secure POST over tls');
    expect(seen.at(-1)).toEqual({ url: '/', body: 'over tls', trailers: { 'x-sum': '42' } });
    expect(seen.at(-2)?.url).toBe('/a?b');
  });

  it('keeps TLS connections alive: sequential requests make one handshake', async () => {
    const before = server.connections;
    for (let i = 0; i < 3; i++) {
      const res = await trusting(req({ scheme: 'https', authority: `localhost:${server.port}`, path: '/k' }), never);
      await readAll(res.contents);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.connections - before).toBeLessThanOrEqual(1);
  });

  it('an untrusted (self-signed) certificate: TLS-certificate-error', async () => {
    expect(await codeOf(untrusting(req({ scheme: 'https', authority: server.authority }), never))).toEqual({
      tag: 'TLS-certificate-error',
    });
  });

  it('a trusted certificate for another name: TLS-certificate-error', async () => {
    expect(await codeOf(trusting(req({ scheme: 'https', authority: otherServer.authority }), never))).toEqual({
      tag: 'TLS-certificate-error',
    });
  });

  it('rejectUnauthorized: false accepts any certificate', async () => {
    const lax = createClient({ tls: { rejectUnauthorized: false } });
    try {
      const res = await lax(req({ scheme: 'https', authority: otherServer.authority }), never);
      expect(dec(await readAll(res.contents))).toBe('secure GET ');
    } finally {
      await lax.destroy();
    }
  });

  it('the server refuses our TLS version: TLS-alert-received with the alert', async () => {
    const old = createClient({ tls: { ca: good.cert, maxVersion: 'TLSv1.2' } });
    try {
      expect(await codeOf(old(req({ scheme: 'https', authority: tls13.authority }), never))).toEqual({
        tag: 'TLS-alert-received',
        val: { alertId: 70, alertMessage: 'tlsv1 alert protocol version' },
      });
    } finally {
      await old.destroy();
    }
  });

  it('https to a plain HTTP server: TLS-protocol-error', async () => {
    expect(await codeOf(trusting(req({ scheme: 'https', authority: plain.authority }), never))).toEqual({
      tag: 'TLS-protocol-error',
    });
  });
});
