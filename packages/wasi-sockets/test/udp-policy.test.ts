// The network policy on udp (bind, connect and send to a refused address: access-denied, with no
// kernel call, so no implicit bind either) and the bound on what the host queues for a guest
// that does not receive.

import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Harness, sleep, v4, v6, within } from './udp-helpers.ts';

const h = new Harness();
afterEach(() => h.closeAll());

describe('udp-socket under a network policy', () => {
  it('denies everything by default, before any kernel call', async () => {
    const peer = await h.peer();
    const s = h.udp({}).create('ipv4');
    expect(await errorOf(() => s.bind(v4(0)))).toEqual({ tag: 'access-denied' });
    expect(await errorOf(() => s.connect(peer.address))).toEqual({ tag: 'access-denied' });
    expect(await errorOf(() => s.send(new Uint8Array(1), peer.address))).toEqual({ tag: 'access-denied' });
    // Nothing was bound, implicitly or not, and nothing was sent.
    expect(await errorOf(() => s.getLocalAddress())).toEqual({ tag: 'invalid-state' });
    await sleep(20);
    expect(peer.count).toBe(0);
  });

  it('drops datagrams from senders the policy does not allow (a send-only rule opens no port to others)', async () => {
    const peer = await h.peer();
    const stranger = await h.peer();
    const s = h.udp({ allow: [`127.0.0.1:${peer.address.val.port}`] }).create('ipv4');
    await s.send(new Uint8Array([1]), peer.address);
    const local = s.getLocalAddress();
    const to = v4(local.val.port);
    await stranger.send(new Uint8Array([66]), to);
    await stranger.send(new Uint8Array([67]), to);
    await peer.send(new Uint8Array([7]), to);
    const [data, from] = await within(s.receive());
    expect([...data]).toEqual([7]);
    expect(from).toEqual(peer.address);
    expect(s.deniedDatagrams).toBe(2);
    // inherit allows every sender
    const open = h.udp({ inherit: true }).create('ipv4');
    open.bind(v4(0));
    await stranger.send(new Uint8Array([5]), v4(open.getLocalAddress().val.port));
    expect([...(await within(open.receive()))[0]]).toEqual([5]);
    expect(open.deniedDatagrams).toBe(0);
  });

  it('argument errors come before the policy (as the WIT orders them)', async () => {
    const s = h.udp({}).create('ipv4');
    expect(await errorOf(() => s.bind(v6(0)))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.connect(v4(0)))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.send(new Uint8Array(70000), v4(9)))).toEqual({ tag: 'datagram-too-large' });
  });

  it('allows exactly the rules: an allowed peer, not its neighbour port', async () => {
    const peer = await h.peer();
    const other = await h.peer();
    const allow = [`127.0.0.1:${peer.address.val.port}`];
    const s = h.udp({ allow }).create('ipv4');
    // The implicit bind to the unspecified address is not a use of an address the guest names.
    await s.send(new Uint8Array([1]), peer.address);
    expect((await peer.next()).data[0]).toBe(1);
    expect(await errorOf(() => s.send(new Uint8Array([2]), other.address))).toEqual({ tag: 'access-denied' });
    expect(await errorOf(() => s.connect(other.address))).toEqual({ tag: 'access-denied' });
    s.connect(peer.address);
    await s.send(new Uint8Array([3]), undefined);
    expect((await peer.next()).data[0]).toBe(3);
    await sleep(20);
    expect(other.count).toBe(0);
  });

  it('bind is checked against the local address and port', async () => {
    const s = h.udp({ allow: ['127.0.0.1:0'] }).create('ipv4');
    expect(await errorOf(() => s.bind(v4(0, [0, 0, 0, 0])))).toEqual({ tag: 'access-denied' });
    s.bind(v4(0));
    expect(s.getLocalAddress().val.port).not.toBe(0);
  });

  it('IPv6 rules apply to IPv6 sockets', async () => {
    const peer = await h.peer('ipv6');
    const s = h.udp({ allow: ['[::1]:*'] }).create('ipv6');
    await s.send(new Uint8Array([6]), peer.address);
    expect((await peer.next()).data[0]).toBe(6);
    const t = h.udp({ allow: ['127.0.0.1:*'] }).create('ipv6');
    expect(await errorOf(() => t.send(new Uint8Array([6]), peer.address))).toEqual({ tag: 'access-denied' });
  });
});

describe('udp-socket host queue', () => {
  it('holds at most the receive buffer size for a guest that is not receiving; the rest is dropped', async () => {
    const peer = await h.peer();
    const s = h.udp().create('ipv4');
    s.bind(v4(0));
    s.setReceiveBufferSize(16384n);
    const budget = Number(s.getReceiveBufferSize());
    const local = s.getLocalAddress();
    const size = 1000;
    const sent = 60;
    for (let i = 0; i < sent; i++) await peer.send(new Uint8Array(size).fill(i), local);
    await sleep(50);
    expect(s.droppedDatagrams).toBeGreaterThan(0);
    // What was kept is the oldest datagrams, in order, and no more than the budget holds.
    const kept: number[] = [];
    for (;;) {
      const r = await Promise.race([s.receive(), sleep(50).then(() => undefined)]);
      if (r === undefined) break;
      kept.push(r[0][0]!);
    }
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length * size).toBeLessThanOrEqual(budget);
    expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
    expect(kept.length + s.droppedDatagrams).toBeLessThanOrEqual(sent);
  });

  it('a receive that waits takes the next datagram whatever the queue bound', async () => {
    const peer = await h.peer();
    const s = h.udp().create('ipv4');
    s.bind(v4(0));
    s.setReceiveBufferSize(1n);
    const got = s.receive();
    await peer.send(new Uint8Array(4000), s.getLocalAddress());
    expect((await within(got))[0].length).toBe(4000);
    // With nothing queued, one datagram is always kept, however small the buffer.
    await peer.send(new Uint8Array(4000), s.getLocalAddress());
    await sleep(20);
    expect((await within(s.receive()))[0].length).toBe(4000);
  });
});
