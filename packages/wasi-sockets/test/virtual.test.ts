// Virtual sockets: a connect to an address the VirtualNetwork serves gets its bytes from and to
// web streams, no kernel socket and no allow rule; the rest of tcp-socket behaves the same.

import { describe, expect, it } from 'vitest';
import type { SocketAddress, VirtualConnection } from '../src/options.ts';
import { chunks, codeOf, collect, nodeServer, sleep, sockets, v4, v6, within } from './helpers.ts';

/** A connection that sends back what it receives. */
function echo(): VirtualConnection {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  return { readable, writable };
}

describe('virtual tcp connections', () => {
  it('echoes through a VirtualConnection without an allow rule', async () => {
    const asked: SocketAddress[] = [];
    const { TcpSocket } = sockets({
      virtual: {
        connect: (remote) => {
          asked.push(remote);
          return remote.port === 80 ? echo() : undefined;
        },
      },
    });
    const s = TcpSocket.create('ipv4');
    await s.connect(v4(80, [10, 0, 0, 1]));
    expect(asked).toEqual([{ address: '10.0.0.1', port: 80, family: 'ipv4' }]);
    expect(s.getRemoteAddress()).toEqual(v4(80, [10, 0, 0, 1]));
    const local = s.getLocalAddress();
    expect(local.val.address).toEqual([127, 0, 0, 1]);
    expect(local.val.port).toBeGreaterThanOrEqual(49152);
    s.setKeepAliveEnabled(true);
    expect(s.getKeepAliveEnabled()).toBe(true);
    const sent = s.send(chunks('ping ', 'pong') as never);
    const [data, done] = s.receive();
    // An echo holds what it took until it is read back: read while sending.
    const [, got] = await within(Promise.all([sent, collect(data)]));
    expect(Buffer.from(got).toString()).toBe('ping pong');
    await within(done);
    expect(await codeOf(() => s.connect(v4(80, [10, 0, 0, 1])))).toBe('invalid-state');
    s[Symbol.dispose]();
    // Not served: the policy decides, and denies.
    expect(await codeOf(() => TcpSocket.create('ipv4').connect(v4(81, [10, 0, 0, 1])))).toBe('access-denied');
  });

  it('takes an async connect and IPv6 addresses', async () => {
    const { TcpSocket } = sockets({
      virtual: {
        connect: async (r) => {
          await sleep(5);
          return r.address === 'fd00::1' ? echo() : undefined;
        },
      },
    });
    const s = TcpSocket.create('ipv6');
    await s.connect(v6(443, [0xfd00, 0, 0, 0, 0, 0, 0, 1]));
    expect(s.getLocalAddress().tag).toBe('ipv6');
    const [data, done] = s.receive();
    const [, got] = await within(Promise.all([s.send(chunks('six') as never), collect(data)]));
    expect(Buffer.from(got).toString()).toBe('six');
    await done;
    s[Symbol.dispose]();
  });

  it('reports a failing virtual peer as connection-reset and a throwing connect as connection-refused', async () => {
    const { TcpSocket } = sockets({
      virtual: {
        connect: (r) => {
          if (r.port === 1) throw new Error('no');
          return {
            readable: new ReadableStream({ pull: (c) => c.error(new Error('peer broke')) }),
            writable: new WritableStream(),
          };
        },
      },
    });
    expect(await codeOf(() => TcpSocket.create('ipv4').connect(v4(1, [10, 9, 9, 9])))).toBe('connection-refused');
    const s = TcpSocket.create('ipv4');
    await s.connect(v4(2, [10, 9, 9, 9]));
    const [data, done] = s.receive();
    await collect(data);
    expect(await codeOf(() => done)).toBe('connection-reset');
    s[Symbol.dispose]();
  });

  it('pulls from the guest only as the virtual peer takes bytes', async () => {
    let taken = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { TcpSocket } = sockets({
      virtual: {
        connect: () => ({
          readable: new ReadableStream(),
          writable: new WritableStream<Uint8Array>(
            {
              async write(c) {
                await gate;
                taken += c.length;
              },
            },
            { highWaterMark: 1 },
          ),
        }),
      },
    });
    const s = TcpSocket.create('ipv4');
    await s.connect(v4(9, [10, 0, 0, 2]));
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled += 1024;
        yield new Uint8Array(1024);
      }
    }
    const sent = s.send(source() as never);
    await sleep(50);
    expect(pulled).toBeLessThanOrEqual(3 * 1024);
    release();
    await within(sent);
    expect(taken).toBe(1000 * 1024);
    s[Symbol.dispose]();
  });

  it('closes the unused sides when the socket is dropped', async () => {
    let cancelled = false;
    let closed = false;
    const { TcpSocket } = sockets({
      virtual: {
        connect: () => ({
          readable: new ReadableStream({ cancel: () => void (cancelled = true) }),
          writable: new WritableStream({ close: () => void (closed = true) }),
        }),
      },
    });
    const s = TcpSocket.create('ipv4');
    await s.connect(v4(9, [10, 0, 0, 3]));
    s[Symbol.dispose]();
    await sleep(10);
    expect(cancelled).toBe(true);
    expect(closed).toBe(true);
  });

  it('a socket dropped while the virtual connect hook runs makes no kernel connection', async () => {
    const { server, port } = await nodeServer();
    let connections = 0;
    server.on('connection', () => connections++);
    let answer!: (v: undefined) => void;
    const { TcpSocket } = sockets({
      allow: ['127.0.0.1:*'],
      virtual: { connect: () => new Promise<undefined>((r) => (answer = r)) },
    });
    const s = TcpSocket.create('ipv4');
    s.bind(v4(0));
    const connecting = codeOf(() => s.connect(v4(port)));
    await sleep(5);
    s[Symbol.dispose]();
    answer(undefined); // not a virtual address: without the drop, the kernel would connect now
    expect(await within(connecting)).toBe('invalid-state');
    await sleep(50);
    expect(connections).toBe(0);
  });

  it('a bound socket that connects virtually reports the virtual local address', async () => {
    const { TcpSocket } = sockets({ allow: ['127.0.0.1:*'], virtual: { connect: () => echo() } });
    const s = TcpSocket.create('ipv4');
    s.bind(v4(0));
    const boundPort = s.getLocalAddress().val.port;
    await s.connect(v4(80, [10, 0, 0, 4]));
    const local = s.getLocalAddress();
    // The explicit bind's kernel socket was closed: its port is not this socket's any more.
    expect(local.val.port).not.toBe(boundPort);
    expect(local.val.port).toBeGreaterThanOrEqual(49152);
    expect(local.val.address).toEqual([127, 0, 0, 1]);
    s[Symbol.dispose]();
  });
});
