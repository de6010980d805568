// tcp-socket driven directly: each operation's checks and error codes by state, as the WIT
// documents them, against real sockets on 127.0.0.1.

import { describe, expect, it } from 'vitest';
import { createSockets } from '../src/index.ts';
import { DEFAULT_BUFFER_SIZE, DEFAULT_HOP_LIMIT } from '../src/option-values.ts';
import { codeOf, later, nodeServer, sleep, sockets, v4, v6 } from './helpers.ts';

describe('tcp-socket bind', () => {
  it('binds an ephemeral port, once', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    expect(await codeOf(() => s.getLocalAddress())).toBe('invalid-state');
    s.bind(v4(0));
    const local = s.getLocalAddress();
    expect(local.tag).toBe('ipv4');
    expect(local.val.address).toEqual([127, 0, 0, 1]);
    expect(local.val.port).toBeGreaterThan(0);
    expect(await codeOf(() => s.bind(v4(0)))).toBe('invalid-state');
  });

  it('refuses the wrong family, non-unicast, IPv4-mapped and IPv4-compatible addresses', async () => {
    const { TcpSocket } = sockets();
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v6(0)))).toBe('invalid-argument');
    expect(await codeOf(() => TcpSocket.create('ipv6').bind(v4(0)))).toBe('invalid-argument');
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0, [224, 0, 0, 1])))).toBe('invalid-argument');
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0, [255, 255, 255, 255])))).toBe('invalid-argument');
    expect(await codeOf(() => TcpSocket.create('ipv6').bind(v6(0, [0xff02, 0, 0, 0, 0, 0, 0, 1])))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => TcpSocket.create('ipv6').bind(v6(0, [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])))).toBe(
      'invalid-argument',
    );
    // IPv4-compatible (`::127.0.0.1`), as udp and Wasmtime: at bind and at connect.
    expect(await codeOf(() => TcpSocket.create('ipv6').bind(v6(0, [0, 0, 0, 0, 0, 0, 0x7f00, 1])))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => TcpSocket.create('ipv6').connect(v6(80, [0, 0, 0, 0, 0, 0, 0x7f00, 1])))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => TcpSocket.create('ipv4').bind({ tag: 'ipv4', val: { port: 70000 } } as never))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => TcpSocket.create('ipx' as never))).toBe('not-supported');
  });

  it('refuses a link-local address with a scope id as not-supported (libuv would drop the scope)', async () => {
    const { TcpSocket } = sockets();
    const scoped = { tag: 'ipv6', val: { port: 80, flowInfo: 0, address: [0xfe80, 0, 0, 0, 0, 0, 0, 1], scopeId: 1 } };
    expect(await codeOf(() => TcpSocket.create('ipv6').bind(scoped as never))).toBe('not-supported');
    expect(await codeOf(() => TcpSocket.create('ipv6').connect(scoped as never))).toBe('not-supported');
  });

  it('reports a taken port as address-in-use, at bind', async () => {
    const { port } = await nodeServer();
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    expect(await codeOf(() => s.bind(v4(port)))).toBe('address-in-use');
    // A failed bind may be retried.
    s.bind(v4(0));
    s[Symbol.dispose]();
  });

  it('reports an address not on this host as address-not-bindable', async () => {
    const { TcpSocket } = sockets();
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0, [192, 0, 2, 1])))).toBe('address-not-bindable');
  });
});

describe('tcp-socket connect', () => {
  it('connects, with local and remote addresses', async () => {
    const { port } = await nodeServer();
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    await s.connect(v4(port));
    expect(s.getRemoteAddress()).toEqual(v4(port));
    expect(s.getLocalAddress().val.port).toBeGreaterThan(0);
    expect(await codeOf(() => s.connect(v4(port)))).toBe('invalid-state');
    expect(await codeOf(() => s.bind(v4(0)))).toBe('invalid-state');
    expect(await codeOf(() => s.listen())).toBe('invalid-state');
    expect(s.getIsListening()).toBe(false);
  });

  it('connects from an explicitly bound address', async () => {
    const { port } = await nodeServer();
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.bind(v4(0));
    const bound = s.getLocalAddress();
    await s.connect(v4(port));
    expect(s.getLocalAddress()).toEqual(bound);
  });

  it('gets connection-refused from a closed port, and is closed after', async () => {
    const { TcpSocket } = sockets();
    const probe = TcpSocket.create('ipv4');
    probe.bind(v4(0));
    const closed = probe.getLocalAddress();
    probe[Symbol.dispose]();
    const s = TcpSocket.create('ipv4');
    expect(await codeOf(() => s.connect(closed))).toBe('connection-refused');
    expect(await codeOf(() => s.connect(closed))).toBe('invalid-state');
    expect(await codeOf(() => s.getLocalAddress())).toBe('invalid-state');
    expect(await codeOf(() => s.getKeepAliveEnabled())).toBe('invalid-state');
  });

  it('refuses port 0, the unspecified address and the wrong family without changing state', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    expect(await codeOf(() => s.connect(v4(0)))).toBe('invalid-argument');
    expect(await codeOf(() => s.connect(v4(80, [0, 0, 0, 0])))).toBe('invalid-argument');
    expect(await codeOf(() => s.connect(v6(80)))).toBe('invalid-argument');
    s.bind(v4(0)); // still unbound: the refusals made no kernel call
    s[Symbol.dispose]();
  });

  it('works over IPv6 loopback', async () => {
    const { TcpSocket } = sockets();
    const server = TcpSocket.create('ipv6');
    later(() => server[Symbol.dispose]());
    server.bind(v6(0));
    const accepts = server.listen()[Symbol.asyncIterator]();
    const client = TcpSocket.create('ipv6');
    later(() => client[Symbol.dispose]());
    const [, accepted] = await Promise.all([client.connect(server.getLocalAddress()), accepts.next()]);
    expect(accepted.value.getRemoteAddress()).toEqual(client.getLocalAddress());
    expect(accepted.value.getAddressFamily()).toBe('ipv6');
    accepted.value[Symbol.dispose]();
    await accepts.return?.();
  });
});

describe('tcp-socket listen', () => {
  it('binds implicitly, once', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.listen();
    expect(s.getIsListening()).toBe(true);
    const local = s.getLocalAddress();
    expect(local.val.address).toEqual([0, 0, 0, 0]);
    expect(local.val.port).toBeGreaterThan(0);
    expect(await codeOf(() => s.listen())).toBe('invalid-state');
    expect(await codeOf(() => s.connect(v4(80)))).toBe('invalid-state');
  });

  it('takes a new backlog while listening and keeps accepting', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.bind(v4(0));
    const accepts = s.listen()[Symbol.asyncIterator]();
    s.setListenBacklogSize(5n);
    const c = TcpSocket.create('ipv4');
    later(() => c[Symbol.dispose]());
    await c.connect(s.getLocalAddress());
    const { value: a } = await accepts.next();
    expect(a.getRemoteAddress()).toEqual(c.getLocalAddress());
    a[Symbol.dispose]();
  });

  it('accepts connections that inherit the listener options', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.bind(v4(0));
    s.setKeepAliveEnabled(true);
    s.setKeepAliveIdleTime(42_000_000_000n);
    s.setHopLimit(7);
    const accepts = s.listen()[Symbol.asyncIterator]();
    const client = TcpSocket.create('ipv4');
    later(() => client[Symbol.dispose]());
    await client.connect(s.getLocalAddress());
    const { value: a } = await accepts.next();
    later(() => a[Symbol.dispose]());
    expect(a.getKeepAliveEnabled()).toBe(true);
    expect(a.getKeepAliveIdleTime()).toBe(42_000_000_000n);
    expect(a.getHopLimit()).toBe(7);
    expect(a.getLocalAddress()).toEqual(s.getLocalAddress());
    expect(a.getRemoteAddress()).toEqual(client.getLocalAddress());
  });

  it('keeps accepting after the listening handle is dropped, and closes when the stream is dropped too', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    s.bind(v4(0));
    const addr = s.getLocalAddress();
    const accepts = s.listen()[Symbol.asyncIterator]();
    s[Symbol.dispose]();
    const c1 = TcpSocket.create('ipv4');
    await c1.connect(addr);
    const { value: a } = await accepts.next();
    a[Symbol.dispose]();
    c1[Symbol.dispose]();
    await accepts.return?.();
    const c2 = TcpSocket.create('ipv4');
    expect(await codeOf(() => c2.connect(addr))).toBe('connection-refused');
  });

  it('closes connections beyond the backlog while the guest does not accept', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.bind(v4(0));
    s.setListenBacklogSize(2n);
    const accepts = s.listen()[Symbol.asyncIterator]();
    const clients = Array.from({ length: 5 }, () => TcpSocket.create('ipv4'));
    later(() => {
      for (const c of clients) c[Symbol.dispose]();
    });
    await Promise.all(clients.map((c) => c.connect(s.getLocalAddress())));
    await sleep(100);
    const got = [];
    for (let i = 0; i < 2; i++) got.push((await accepts.next()).value);
    expect(got).toHaveLength(2);
    // The queue held two; later connections were closed, so the next accept waits for a new one.
    const pending = accepts.next();
    const late = TcpSocket.create('ipv4');
    later(() => late[Symbol.dispose]());
    await late.connect(s.getLocalAddress());
    expect((await pending).value.getRemoteAddress()).toEqual(late.getLocalAddress());
  });
});

describe('tcp-socket options', () => {
  it('validates and clamps as the WIT and Wasmtime do', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv6');
    for (const f of [
      () => s.setListenBacklogSize(0n),
      () => s.setKeepAliveIdleTime(0n),
      () => s.setKeepAliveInterval(0n),
      () => s.setKeepAliveCount(0),
      () => s.setHopLimit(0),
      () => s.setReceiveBufferSize(0n),
      () => s.setSendBufferSize(0n),
      () => s.setHopLimit(256),
      () => s.setKeepAliveIdleTime(-1n),
    ]) {
      expect(await codeOf(f)).toBe('invalid-argument');
    }
    s.setListenBacklogSize(2n ** 64n - 1n);
    s.setKeepAliveIdleTime(1n);
    expect(s.getKeepAliveIdleTime()).toBe(1_000_000_000n);
    s.setKeepAliveIdleTime(2n ** 64n - 1n);
    expect(s.getKeepAliveIdleTime()).toBe(32767n * 1_000_000_000n);
    s.setKeepAliveCount(2 ** 32 - 1);
    expect(s.getKeepAliveCount()).toBe(127);
    s.setReceiveBufferSize(0x10000n);
    expect(s.getReceiveBufferSize()).toBe(0x10000n);
    s.setSendBufferSize(2n ** 64n - 1n);
    expect(s.getSendBufferSize()).toBe(0x7fffffffn);
    expect(s.getAddressFamily()).toBe('ipv6');
  });

  it('reports the defaults the udp socket does, halved as Linux reports them (option-values.ts)', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    expect(s.getHopLimit()).toBe(DEFAULT_HOP_LIMIT);
    expect(s.getReceiveBufferSize()).toBe(65536n); // tcp_rmem's 131072, halved
    expect(s.getSendBufferSize()).toBe(8192n); // tcp_wmem's 16384, halved
    const u = createSockets()['wasi:sockets/types@0.3.0'].UdpSocket.create('ipv4');
    expect(u.getUnicastHopLimit()).toBe(s.getHopLimit());
    expect(u.getReceiveBufferSize()).toBe(BigInt(DEFAULT_BUFFER_SIZE.udp.receive));
    u[Symbol.dispose]();
  });

  it('refuses a backlog change on a connected socket', async () => {
    const { port } = await nodeServer();
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    await s.connect(v4(port));
    expect(await codeOf(() => s.setListenBacklogSize(10n))).toBe('invalid-state');
    s.setKeepAliveEnabled(true);
    expect(s.getKeepAliveEnabled()).toBe(true);
  });
});
