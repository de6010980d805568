// udp-socket against real node:dgram peers on 127.0.0.1 and ::1: datagrams both ways, the
// sender's address, implicit binds, connect's filtering and reconnects, the kernel's ICMP errors.

import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Harness, sleep, v4, v6, within } from './udp-helpers.ts';

const h = new Harness();
afterEach(() => h.closeAll());

const bytes = (...b: number[]) => new Uint8Array(b);

describe.each([
  ['ipv4', v4],
  ['ipv6', v6],
] as const)('udp-socket traffic (%s)', (family, addr) => {
  it('receives a peer datagram with the peer address, and sends back to it', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    sock.bind(addr(0));
    const local = sock.getLocalAddress();
    expect(local.val.port).not.toBe(0);

    const got = sock.receive();
    await peer.send(bytes(1, 2, 3), local);
    const [data, from] = await within(got);
    expect([...data]).toEqual([1, 2, 3]);
    expect(from).toEqual(peer.address);

    await sock.send(bytes(4, 5), from);
    const back = await peer.next();
    expect([...back.data]).toEqual([4, 5]);
    expect(back.from.port).toBe(local.val.port);
  });

  it('queues datagrams that arrive before receive is called, in order', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    sock.bind(addr(0));
    for (let i = 0; i < 5; i++) await peer.send(bytes(i), sock.getLocalAddress());
    for (let i = 0; i < 5; i++) expect([...(await within(sock.receive()))[0]]).toEqual([i]);
  });

  it('sends an empty datagram', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    await sock.send(new Uint8Array(0), peer.address);
    expect((await peer.next()).data.length).toBe(0);
  });

  it('binds implicitly on send: a local address, no remote one', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    expect(await errorOf(() => sock.getLocalAddress())).toEqual({ tag: 'invalid-state' });
    await sock.send(bytes(9), peer.address);
    const got = await peer.next();
    expect(sock.getLocalAddress().val.port).toBe(got.from.port);
    expect(await errorOf(() => sock.getRemoteAddress())).toEqual({ tag: 'invalid-state' });
    // Bound now: it receives the reply.
    await peer.send(bytes(10), { ...addr(got.from.port) });
    expect([...(await within(sock.receive()))[0]]).toEqual([10]);
  });

  it('connect binds implicitly to the route source and sends to the peer without an address', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    sock.connect(peer.address);
    expect(sock.getRemoteAddress()).toEqual(peer.address);
    const local = sock.getLocalAddress();
    expect(local.val.address).toEqual(addr(0).val.address);
    await sock.send(bytes(1), undefined);
    await sock.send(bytes(2), peer.address);
    expect((await peer.next()).from.port).toBe(local.val.port);
    expect([...(await peer.next()).data]).toEqual([2]);
  });

  it('a connected socket receives only from its peer, including what was queued before connect', async () => {
    const a = await h.peer(family);
    const b = await h.peer(family);
    const sock = h.udp().create(family);
    sock.bind(addr(0));
    const local = sock.getLocalAddress();
    await b.send(bytes(0xb0), local); // queued before connect: dropped by it
    await a.send(bytes(0xa0), local);
    await sleep(20);
    sock.connect(a.address);
    await b.send(bytes(0xb1), local); // the kernel filters this one
    await a.send(bytes(0xa1), local);
    const first = await within(sock.receive());
    const second = await within(sock.receive());
    expect([[...first[0]], [...second[0]]]).toEqual([[0xa0], [0xa1]]);
    expect(first[1]).toEqual(a.address);
  });

  it('reconnects to another peer, and disconnect lets every peer in again', async () => {
    const a = await h.peer(family);
    const b = await h.peer(family);
    const sock = h.udp().create(family);
    sock.bind(addr(0));
    sock.connect(a.address);
    sock.connect(b.address);
    expect(sock.getRemoteAddress()).toEqual(b.address);
    await sock.send(bytes(1), undefined);
    expect((await b.next()).data[0]).toBe(1);
    expect(await errorOf(() => sock.send(bytes(2), a.address))).toEqual({ tag: 'invalid-argument' });

    sock.disconnect();
    expect(await errorOf(() => sock.getRemoteAddress())).toEqual({ tag: 'invalid-state' });
    expect(await errorOf(() => sock.send(bytes(3), undefined))).toEqual({ tag: 'invalid-argument' });
    await sock.send(bytes(4), a.address);
    expect((await a.next()).data[0]).toBe(4);
    expect(sock.getLocalAddress().tag).toBe(family);
  });

  it('a datagram at the 64 KiB limit is refused before the kernel; one the kernel refuses maps to datagram-too-large', async () => {
    const peer = await h.peer(family);
    const sock = h.udp().create(family);
    expect(await errorOf(() => sock.send(new Uint8Array(65536), peer.address))).toEqual({ tag: 'datagram-too-large' });
    // The refusal came first: no implicit bind happened.
    expect(await errorOf(() => sock.getLocalAddress())).toEqual({ tag: 'invalid-state' });
    // 65535 bytes do not fit an IPv4 packet (65507 at most) nor a loopback IPv6 one.
    expect(await errorOf(() => sock.send(new Uint8Array(65535), peer.address))).toEqual({ tag: 'datagram-too-large' });
    // A large one that fits arrives whole.
    await sock.send(new Uint8Array(60000).fill(7), peer.address);
    const got = await peer.next();
    expect(got.data.length).toBe(60000);
  });
});

describe('udp-socket kernel errors', () => {
  it('an ICMP port-unreachable on a connected socket fails the next receive with connection-refused, once', async () => {
    const peer = await h.peer('ipv4');
    const port = peer.address.val.port;
    peer.socket.close(); // nobody listens there now
    const sock = h.udp().create('ipv4');
    sock.connect(v4(port));
    const got = sock.receive();
    await sock.send(bytes(1), undefined);
    expect(await within(errorOf(() => got))).toEqual({ tag: 'connection-refused' });
  });
});
