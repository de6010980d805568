// The C guest fetches https://secure.example/ speaking plaintext HTTP over wasi:sockets; the host's
// virtual network gives it TLS (node:tls over an fd-less Duplex) to a local node:https server,
// through a relay that records every byte on the real TCP connection. The guest prints the
// response; neither its request nor the response body ever crosses the wire in the clear.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Server, connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHttpGet } from '../src/run.ts';
import { tlsVirtualNetwork } from '../src/tls-network.ts';
import { parseTlsRunArgs } from '../src/weft-tls.ts';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const CERT = fixture('cert.pem');
const KEY = fixture('key.pem');

const NAME = 'secure.example';
const PATH = '/private/report?token=hunter2-a6c81f';
const BODY = 'the quarterly numbers: 7f3a9c41e2 (confidential)\n';

interface Wire {
  /** Client → server and server → client bytes, as they crossed the relay. */
  up: Buffer[];
  down: Buffer[];
  connections: number;
}

let https: HttpsServer;
let relay: Server;
let wire: Wire;
let seen: { url?: string; host?: string; agent?: string }[];

const listen = (server: Server | HttpsServer) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const close = (server: Server | HttpsServer) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });

let relayPort = 0;

beforeEach(async () => {
  seen = [];
  wire = { up: [], down: [], connections: 0 };
  https = createHttpsServer({ cert: CERT, key: KEY }, (req, res) => {
    seen.push({ url: req.url, host: req.headers.host, agent: req.headers['user-agent'] });
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  const httpsPort = await listen(https);
  // A counting relay between the TLS client and the server: what a network observer would see.
  // Half-open both ways: the client ends its side once the request is sent (the guest drops
  // send's stream) and still reads the response.
  relay = createTcpServer({ allowHalfOpen: true }, (client) => {
    wire.connections++;
    const server = tcpConnect({ host: '127.0.0.1', port: httpsPort, allowHalfOpen: true });
    client.on('data', (b: Buffer) => wire.up.push(Buffer.from(b)));
    server.on('data', (b: Buffer) => wire.down.push(Buffer.from(b)));
    client.pipe(server);
    server.pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  relayPort = await listen(relay);
});

afterEach(async () => {
  await close(relay);
  await close(https);
});

const network = () => tlsVirtualNetwork({ name: NAME, upstream: { host: '127.0.0.1', port: relayPort }, ca: CERT });

describe('a plaintext guest behind a user-space TLS virtual socket', () => {
  it('prints the HTTPS response, and the wire carries only ciphertext', async () => {
    const run = await runHttpGet(network(), NAME, 443, PATH);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(run.stdout).toContain('content-type: text/plain\r\n');
    expect(run.stdout.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
    // The server got the guest's request, through TLS.
    expect(seen).toEqual([{ url: PATH, host: NAME, agent: 'weft-http-get' }]);

    expect(wire.connections).toBe(1);
    const up = Buffer.concat(wire.up);
    const down = Buffer.concat(wire.down);
    // TLS records both ways: a handshake record (22) opens each direction.
    expect(up.length).toBeGreaterThan(200);
    expect(down.length).toBeGreaterThan(200);
    expect(up[0]).toBe(22);
    expect(down[0]).toBe(22);
    // Nothing of the request or the response in the clear (the name itself is in the
    // ClientHello's SNI, as with any TLS client).
    for (const secret of ['GET ', PATH, 'hunter2', 'HTTP/1.1', 'weft-http-get', 'Connection: close'])
      expect(up.includes(secret), `request bytes ${JSON.stringify(secret)} on the wire`).toBe(false);
    for (const secret of [BODY, '7f3a9c41e2', 'HTTP/1.1 200', 'content-type'])
      expect(down.includes(secret), `response bytes ${JSON.stringify(secret)} on the wire`).toBe(false);
  });

  it('answers only its own name and port: anything else is the (empty) policy, which denies it', async () => {
    // Another name does not resolve: no allow rule, no host resolver.
    const other = await runHttpGet(network(), 'elsewhere.example', 443);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^http-get: resolve-addresses: /);
    // The virtual address on another port is not virtual, and nothing is allowed.
    const port80 = await runHttpGet(network(), NAME, 80);
    expect(port80).toMatchObject({ code: 1, stdout: '', stderr: 'http-get: connect: access-denied\n' });
    // A real address is denied before any kernel call: the relay sees no connection.
    const direct = await runHttpGet(network(), '127.0.0.1', relayPort);
    expect(direct).toMatchObject({ code: 1, stderr: 'http-get: connect: access-denied\n' });
    expect(wire.connections).toBe(0);
  });

  it('a certificate the host does not trust fails the connect; the guest reads no bytes', async () => {
    const untrusting = tlsVirtualNetwork({ name: NAME, upstream: { host: '127.0.0.1', port: relayPort } });
    const run = await runHttpGet(untrusting, NAME, 443, PATH);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^http-get: connect: /);
    expect(seen).toEqual([]);
  });
});

describe('the upstream side is bounded', () => {
  const at = { address: '10.255.0.1', port: 443, family: 'ipv4' } as const;

  it('an upstream that never answers the handshake fails the connect after timeoutMs, and is closed', async () => {
    let upstreamClosed = false;
    const silent = createTcpServer((s) => {
      s.on('close', () => {
        upstreamClosed = true;
      });
      s.on('error', () => {});
      s.resume(); // reads the ClientHello and never answers it
    });
    const port = await listen(silent);
    try {
      const net = tlsVirtualNetwork({ name: NAME, upstream: { host: '127.0.0.1', port }, ca: CERT, timeoutMs: 200 });
      const start = performance.now();
      await expect(net.connect!(at)).rejects.toThrow(/no TLS connection within 200 ms/);
      const ms = performance.now() - start;
      expect(ms).toBeGreaterThanOrEqual(190);
      expect(ms).toBeLessThan(2000);
      await new Promise((r) => setTimeout(r, 50));
      expect(upstreamClosed).toBe(true);
    } finally {
      await close(silent);
    }
  });

  it('opens at most maxConnections upstream connections at once; a closed one frees its place', async () => {
    const net = tlsVirtualNetwork({
      name: NAME,
      upstream: { host: '127.0.0.1', port: relayPort },
      ca: CERT,
      maxConnections: 1,
    });
    const first = (await net.connect!(at))!;
    expect(() => net.connect!(at)).toThrow(/1 upstream connections open already/);
    expect(wire.connections).toBe(1);
    // The guest's side goes: the TLS connection and its upstream close, and the place is free.
    await first.readable.cancel();
    await first.writable.abort();
    let second: Awaited<ReturnType<NonNullable<typeof net.connect>>>;
    for (let i = 0; ; i++) {
      try {
        second = await net.connect!(at);
        break;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(wire.connections).toBe(2);
    await second!.readable.cancel();
    await second!.writable.abort();
  });

  it('a guest connect past the limit is connection-refused, with no upstream connection', async () => {
    const net = tlsVirtualNetwork({
      name: NAME,
      upstream: { host: '127.0.0.1', port: relayPort },
      ca: CERT,
      maxConnections: 1,
    });
    const held = (await net.connect!(at))!;
    const run = await runHttpGet(net, NAME, 443, PATH);
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: 'http-get: connect: connection-refused\n' });
    expect(wire.connections).toBe(1);
    await held.readable.cancel();
    await held.writable.abort();
  });
});

describe('src/weft-tls.ts, the runner', () => {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

  it('runs a guest with TLS-served names as a subprocess, with its stdio', async () => {
    const argv = [
      '--conditions=weft-source',
      here('../src/weft-tls.ts'),
      '--tls',
      `${NAME}=127.0.0.1:${relayPort}`,
      '--ca',
      here('fixtures/cert.pem'),
      here('../guest/http-get.wasm'),
      NAME,
      '443',
      PATH,
    ];
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, argv, { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout.endsWith(BODY)).toBe(true);
    expect(Buffer.concat(wire.up).includes(PATH)).toBe(false);
  });

  it('parses --tls NAME=HOST:PORT (repeatable) and --ca, then the component and its args', () => {
    expect(parseTlsRunArgs(['--tls', 'a.example=127.0.0.1:8443', '--tls', 'b=[::1]:443', 'g.wasm', '--x'])).toEqual({
      routes: [
        { name: 'a.example', host: '127.0.0.1', port: 8443 },
        { name: 'b', host: '::1', port: 443 },
      ],
      ca: undefined,
      file: 'g.wasm',
      args: ['--x'],
    });
    expect(() => parseTlsRunArgs(['--tls', 'a.example', 'g.wasm'])).toThrow('expected NAME=HOST:PORT');
    expect(() => parseTlsRunArgs(['g.wasm'])).toThrow('no --tls');
    expect(() => parseTlsRunArgs(['--tls'])).toThrow('--tls needs a value');
  });
});
