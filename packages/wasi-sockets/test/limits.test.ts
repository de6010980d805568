// What a guest may hold: at most `maxSockets` sockets and connections per host (past it,
// out-of-memory; accepted connections past it are closed), and at most `maxLookups` host
// resolver lookups at once (the rest wait their turn).

import dns from 'node:dns';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSocketsHost, PolicyError } from '../src/index.ts';
import { codeOf, later, nodeServer, sleep, v4, within } from './helpers.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('maxSockets', () => {
  it('refuses a socket past the limit with out-of-memory, and takes one again once one closed', async () => {
    const { port } = await nodeServer();
    const host = createSocketsHost({ network: { inherit: true, maxSockets: 3 } });
    later(() => host.close());
    const { TcpSocket, UdpSocket } = host.imports['wasi:sockets/types@0.3.0'];
    const a = TcpSocket.create('ipv4');
    a.bind(v4(0));
    const b = TcpSocket.create('ipv4');
    b.listen();
    const u = UdpSocket.create('ipv4');
    u.bind(v4(0));
    expect(host.openSockets).toBe(3);
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0)))).toBe('out-of-memory');
    expect(await codeOf(() => TcpSocket.create('ipv4').listen())).toBe('out-of-memory');
    expect(await codeOf(() => TcpSocket.create('ipv4').connect(v4(port)))).toBe('out-of-memory');
    expect(await codeOf(() => UdpSocket.create('ipv4').bind(v4(0)))).toBe('out-of-memory');
    // udp's implicit bind counts too
    expect(await codeOf(() => UdpSocket.create('ipv4').send(new Uint8Array(1), v4(port)))).toBe('out-of-memory');
    a[Symbol.dispose]();
    const c = TcpSocket.create('ipv4');
    await c.connect(v4(port));
    expect(host.openSockets).toBe(3);
  });

  it('closes connections accepted past the limit', async () => {
    const host = createSocketsHost({ network: { inherit: true, maxSockets: 1 } });
    later(() => host.close());
    const { TcpSocket } = host.imports['wasi:sockets/types@0.3.0'];
    const l = TcpSocket.create('ipv4');
    l.bind(v4(0));
    const accepts = l.listen()[Symbol.asyncIterator]();
    const client = connect(l.getLocalAddress().val.port, '127.0.0.1').on('error', () => {});
    later(() => client.destroy());
    // The kernel completed the handshake; the host closed the connection at once.
    await within(new Promise((r) => client.once('close', r)));
    const next = accepts.next();
    expect(await Promise.race([next, sleep(50).then(() => 'nothing')])).toBe('nothing');
    expect(host.openSockets).toBe(1);
  });

  it('counts virtual connections, and refuses one at the limit before the hook opens anything', async () => {
    let asked = 0;
    const echo = () => {
      asked++;
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      return { readable, writable };
    };
    const host = createSocketsHost({ network: { inherit: true, maxSockets: 1, virtual: { connect: echo } } });
    later(() => host.close());
    const { TcpSocket } = host.imports['wasi:sockets/types@0.3.0'];
    const held = TcpSocket.create('ipv4');
    held.bind(v4(0));
    expect(await codeOf(() => TcpSocket.create('ipv4').connect(v4(80, [10, 0, 0, 1])))).toBe('out-of-memory');
    expect(asked).toBe(0);
    // A bound socket's place goes to its virtual connection.
    await held.connect(v4(80, [10, 0, 0, 1]));
    expect(asked).toBe(1);
    expect(host.openSockets).toBe(1);
    held[Symbol.dispose]();
    expect(host.openSockets).toBe(0);
  });

  it('takes only a positive integer', () => {
    for (const bad of [0, -1, 1.5, '3', Number.NaN]) {
      expect(() => createSocketsHost({ network: { maxSockets: bad as never } })).toThrow(PolicyError);
      expect(() => createSocketsHost({ network: { maxLookups: bad as never } })).toThrow(PolicyError);
    }
  });
});

describe('maxLookups', () => {
  it('runs at most maxLookups host lookups at once; the rest wait their turn', async () => {
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    vi.spyOn(dns.promises, 'lookup').mockImplementation((async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      return [{ address: '192.0.2.1', family: 4 }];
    }) as never);
    const host = createSocketsHost({ network: { lookup: true, maxLookups: 2 } });
    later(() => host.close());
    const lookup = host.imports['wasi:sockets/ip-name-lookup@0.3.0'];
    const all = Array.from({ length: 6 }, (_, i) => lookup.resolveAddresses(`host${i}.example`));
    for (let done = 0; done < 6; ) {
      await sleep(5);
      expect(running).toBeLessThanOrEqual(2);
      const open = gates.splice(0);
      for (const g of open) g();
      done += open.length;
    }
    const results = await within(Promise.all(all));
    expect(results.every((r) => r[0]!.tag === 'ipv4')).toBe(true);
    expect(most).toBe(2);
  });

  it('the host close() fails lookups still waiting for a turn', async () => {
    vi.spyOn(dns.promises, 'lookup').mockImplementation((() => new Promise(() => {})) as never);
    const host = createSocketsHost({ network: { lookup: true, maxLookups: 1 } });
    const lookup = host.imports['wasi:sockets/ip-name-lookup@0.3.0'];
    void lookup.resolveAddresses('slow.example').catch(() => {});
    const waiting = codeOf(() => lookup.resolveAddresses('next.example'));
    await sleep(5);
    host.close();
    expect(await within(waiting)).toBe('access-denied');
    expect(await codeOf(() => lookup.resolveAddresses('later.example'))).toBe('access-denied');
  });
});
