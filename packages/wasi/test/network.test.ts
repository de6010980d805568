// createWasi's `network`: wasi:sockets@0.3 from @weft/wasi-sockets under the policy given, and
// WASI 0.2's sockets (preview2-shim's) only with `inherit`.

import { readFileSync } from 'node:fs';
import { type AddressInfo, createConnection, createServer, type Server } from 'node:net';
import { Component } from '@weft/core';
import { CaptureSink, createWasi, createWasiHost, type WasiOptions } from '@weft/wasi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The example's C guest: `http-get HOST PORT [PATH]` over wasi:sockets@0.3 (resolve, connect,
// send, receive), printing the response, or `http-get: STEP: ERROR-CODE` on stderr.
const GUEST = readFileSync(new URL('../../../examples/tls-virtual-socket/guest/http-get.wasm', import.meta.url));

const quiet = { stdout: 'ignore', stderr: 'ignore', stdin: 'ignore' } as const;
const p2Key = (imports: object, prefix: string) => Object.keys(imports).find((k) => k.startsWith(prefix))!;

let server: Server;
let port = 0;
let requests: string[];

beforeEach(async () => {
  requests = [];
  // A minimal HTTP/1.1 server on a real socket: answers any request and closes.
  server = createServer((socket) => {
    let head = '';
    socket.on('data', (b: Buffer) => {
      head += b.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests.push(head.slice(0, head.indexOf('\r\n')));
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nhi\n');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

async function httpGet(network: WasiOptions['network'], host: string, p = port, path = '/x') {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const host_ = createWasiHost({ args: ['http-get', host, String(p), path], stdin: 'ignore', stdout, stderr, network });
  const instance = await (await Component.compile(GUEST)).instantiate(host_.imports);
  const code = await host_.run(instance);
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('createWasi({ network })', () => {
  it('serves wasi:sockets@0.3 types and ip-name-lookup, with or without a network', () => {
    for (const network of [undefined, { allow: ['127.0.0.1:*'] }, { inherit: true }]) {
      const imports = createWasi({ ...quiet, network }) as Record<string, Record<string, unknown>>;
      expect(imports['wasi:sockets/types@0.3.0']?.TcpSocket, 'TcpSocket').toBeTypeOf('function');
      expect(imports['wasi:sockets/types@0.3.0']?.UdpSocket, 'UdpSocket').toBeTypeOf('function');
      expect(imports['wasi:sockets/ip-name-lookup@0.3.0']?.resolveAddresses).toBeTypeOf('function');
    }
  });

  it('no network: the guest connects nowhere (access-denied), and the server sees nothing', async () => {
    expect(await httpGet(undefined, '127.0.0.1')).toEqual({
      code: 1,
      out: '',
      err: 'http-get: connect: access-denied\n',
    });
    expect(requests).toEqual([]);
  });

  it('allow: the rule’s addresses and ports only', async () => {
    const ok = await httpGet({ allow: [`127.0.0.1:${port}`] }, '127.0.0.1');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nhi\n');
    expect(requests).toEqual(['GET /x HTTP/1.1']);
    // Another port of the same address is still denied.
    const other = await httpGet({ allow: [`127.0.0.1:${port === 65535 ? 1 : port + 1}`] }, '127.0.0.1');
    expect(other.err).toBe('http-get: connect: access-denied\n');
    // Rules match addresses: without `lookup` a name does not resolve.
    const named = await httpGet({ allow: ['127.0.0.1:*'] }, 'localhost');
    expect(named.code).toBe(1);
    expect(named.err).toMatch(/^http-get: resolve-addresses: /);
  });

  it('inherit: any address, and the host resolver', async () => {
    const r = await httpGet({ inherit: true }, 'localhost');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hi\n$/);
  });

  it('virtual: a JS connection answers a virtual name, with no allow rule', async () => {
    const written: string[] = [];
    const r = await httpGet(
      {
        virtual: {
          resolve: (name) => (name === 'inproc.test' ? ['10.9.8.7'] : undefined),
          connect: (remote) => {
            if (remote.address !== '10.9.8.7' || remote.port !== 80) return undefined;
            let reply!: ReadableStreamDefaultController<Uint8Array>;
            return {
              readable: new ReadableStream({ start: (c) => void (reply = c) }),
              writable: new WritableStream({
                write(chunk) {
                  written.push(new TextDecoder().decode(chunk));
                  if (written.join('').includes('\r\n\r\n')) {
                    reply.enqueue(new TextEncoder().encode('HTTP/1.1 204 No Content\r\n\r\n'));
                    reply.close();
                  }
                },
              }),
            };
          },
        },
      },
      'inproc.test',
      80,
      '/v',
    );
    expect(r).toEqual({ code: 0, out: 'HTTP/1.1 204 No Content\r\n\r\n', err: '' });
    expect(written.join('')).toMatch(/^GET \/v HTTP\/1\.1\r\nHost: inproc\.test\r\n/);
  });
});

describe('WasiHost.close()', () => {
  it('closes the listeners the guest opened, and refuses new sockets', async () => {
    const host = createWasiHost({ ...quiet, network: { allow: ['127.0.0.1:*'] } });
    const { TcpSocket } = (host.imports as any)['wasi:sockets/types@0.3.0'];
    const listener = TcpSocket.create('ipv4');
    listener.bind({ tag: 'ipv4', val: { port: 0, address: [127, 0, 0, 1] } });
    listener.listen();
    const p = listener.getLocalAddress().val.port as number;
    const connects = async () =>
      new Promise<boolean>((resolve) => {
        const c = createConnection(p, '127.0.0.1');
        c.once('connect', () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', () => resolve(false));
      });
    expect(await connects()).toBe(true);
    host.close();
    expect(await connects()).toBe(false);
    expect(() => TcpSocket.create('ipv4').bind({ tag: 'ipv4', val: { port: 0, address: [127, 0, 0, 1] } })).toThrow();
  });
});

describe('WASI 0.2 sockets follow `inherit` only', () => {
  // preview2-shim's lookup: denied → throws at once (its payload: permanent-resolver-failure);
  // allowed → a stream of addresses.
  const lookup02 = (network: WasiOptions['network'], p2?: WasiOptions['p2']) => {
    const imports = createWasi({ ...quiet, network, p2 }) as Record<string, any>;
    const net = imports[p2Key(imports, 'wasi:sockets/instance-network@0.2.')].instanceNetwork();
    const lookup = imports[p2Key(imports, 'wasi:sockets/ip-name-lookup@0.2.')];
    try {
      lookup.resolveAddresses(net, '127.0.0.1');
      return 'allowed';
    } catch (e) {
      return (e as { payload?: unknown }).payload ?? e;
    }
  };

  it('denied without a network and with allow rules alone; on with inherit or p2.network', () => {
    const denied = 'permanent-resolver-failure';
    expect(lookup02(undefined)).toBe(denied);
    expect(lookup02({ allow: ['*:*'] })).toBe(denied);
    expect(lookup02({ allow: ['*:*'], lookup: true })).toBe(denied);
    expect(lookup02({ inherit: true })).toBe('allowed');
    expect(lookup02(undefined, { network: true })).toBe('allowed');
    expect(lookup02({ inherit: true }, { network: false })).toBe(denied);
  });
});
