// createSocketsHost().close(): everything the host's guest opened (bound and listening sockets,
// queued and connected connections, udp sockets, virtual connections) closes at once, waiting
// accepts and receives end, and nothing opens afterwards.

import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSocketsHost } from '../src/index.ts';
import { codeOf, later, nodeServer, sleep, v4, within } from './helpers.ts';

/** Resolves once the far end of `s` went (its 'end' or 'close'). */
const closed = (s: Socket) =>
  new Promise<void>((r) => {
    if (s.destroyed || s.readableEnded) r();
    s.once('end', () => r());
    s.once('close', () => r());
    s.resume();
  });

describe('createSocketsHost', () => {
  it('close() closes every socket and connection the host opened', async () => {
    let cancelled = false;
    const host = createSocketsHost({
      network: {
        inherit: true,
        virtual: {
          connect: (r) =>
            r.port === 7
              ? {
                  readable: new ReadableStream({ cancel: () => void (cancelled = true) }),
                  writable: new WritableStream(),
                }
              : undefined,
        },
      },
    });
    later(() => host.close());
    const { TcpSocket, UdpSocket } = host.imports['wasi:sockets/types@0.3.0'];

    // A listener with a connection waiting in its accept queue, and an accept waiting after it.
    const listener = TcpSocket.create('ipv4');
    listener.bind(v4(0));
    const port = listener.getLocalAddress().val.port;
    const accepts = listener.listen()[Symbol.asyncIterator]();
    const client = connect(port, '127.0.0.1').on('error', () => {});
    later(() => client.destroy());
    const first = await within(accepts.next());
    expect(first.done).toBe(false);
    const waiting = accepts.next();
    // A connection out to a Node server, a bound socket, a udp socket with a receive waiting.
    const server = await nodeServer();
    const out = TcpSocket.create('ipv4');
    await out.connect(v4(server.port));
    const bound = TcpSocket.create('ipv4');
    bound.bind(v4(0));
    const udp = UdpSocket.create('ipv4');
    udp.bind(v4(0));
    const receiving = codeOf(() => udp.receive());
    const virtual = TcpSocket.create('ipv4');
    await virtual.connect(v4(7, [10, 0, 0, 7]));
    expect(host.openSockets).toBe(6); // listener, accepted, out, bound, udp, virtual

    host.close();
    expect(host.openSockets).toBe(0);
    // The waiting accept ends, the udp receive fails, the far ends see their connections close.
    expect(await within(waiting)).toEqual({ done: true, value: undefined });
    expect(await within(receiving)).toBe('invalid-state');
    await within(closed(client));
    await within(closed(server.sockets[0]!));
    await sleep(20);
    expect(cancelled).toBe(true);
    // The listening port is free: nothing accepts there any more.
    const refused = await new Promise<string>((r) => {
      const c = connect(port, '127.0.0.1');
      c.on('connect', () => {
        c.destroy();
        r('connected');
      });
      c.on('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    // The bound socket is closed; nothing new opens.
    expect(await codeOf(() => bound.listen())).toBe('invalid-state');
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0)))).toBe('access-denied');
    expect(await codeOf(() => UdpSocket.create('ipv4').bind(v4(0)))).toBe('access-denied');
    host.close(); // idempotent
  });

  it('a connection the host counted stops counting when the guest closes it', async () => {
    const { port } = await nodeServer((s) => s.end());
    const host = createSocketsHost({ network: { inherit: true } });
    later(() => host.close());
    const { TcpSocket } = host.imports['wasi:sockets/types@0.3.0'];
    const s = TcpSocket.create('ipv4');
    await s.connect(v4(port));
    expect(host.openSockets).toBe(1);
    s[Symbol.dispose]();
    await sleep(20);
    expect(host.openSockets).toBe(0);
  });
});
