// udp-socket's error-codes per the WIT's "Typical errors" and its state rules, and the socket
// options' validation; each case against real kernel sockets where the kernel is involved.

import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, Harness, v4, v6 } from './udp-helpers.ts';

const h = new Harness();
afterEach(() => h.closeAll());
const udp = () => h.udp();

describe.each([
  ['ipv4', v4, v6],
  ['ipv6', v6, v4],
] as const)('udp-socket errors (%s)', (family, addr, other) => {
  it('bind: wrong family, already bound, in use, not bindable', async () => {
    const s = udp().create(family);
    expect(await errorOf(() => s.bind(other(0)))).toEqual({ tag: 'invalid-argument' });
    s.bind(addr(0));
    expect(await errorOf(() => s.bind(addr(0)))).toEqual({ tag: 'invalid-state' });
    const t = udp().create(family);
    expect(await errorOf(() => t.bind(s.getLocalAddress()))).toEqual({ tag: 'address-in-use' });
    // A failed bind leaves the socket unbound: it may try again.
    expect(await errorOf(() => t.getLocalAddress())).toEqual({ tag: 'invalid-state' });
    t.bind(addr(0));
    const foreign = family === 'ipv4' ? v4(0, [198, 51, 100, 1]) : v6(0, [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(await errorOf(() => udp().create(family).bind(foreign))).toEqual({ tag: 'address-not-bindable' });
  });

  it('bind to the unspecified address gets a port', () => {
    const s = udp().create(family);
    s.bind(family === 'ipv4' ? v4(0, [0, 0, 0, 0]) : v6(0, [0, 0, 0, 0, 0, 0, 0, 0]));
    expect(s.getLocalAddress().val.port).not.toBe(0);
  });

  it('connect: wrong family, unspecified address, port 0', async () => {
    const s = udp().create(family);
    expect(await errorOf(() => s.connect(other(42)))).toEqual({ tag: 'invalid-argument' });
    const any = family === 'ipv4' ? v4(42, [0, 0, 0, 0]) : v6(42, [0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await errorOf(() => s.connect(any))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.connect(addr(0)))).toEqual({ tag: 'invalid-argument' });
    // None of these bound the socket.
    expect(await errorOf(() => s.getLocalAddress())).toEqual({ tag: 'invalid-state' });
  });

  it('send: wrong family, no address unconnected, unspecified address, port 0', async () => {
    const s = udp().create(family);
    const one = new Uint8Array(1);
    expect(await errorOf(() => s.send(one, other(42)))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.send(one, undefined))).toEqual({ tag: 'invalid-argument' });
    const any = family === 'ipv4' ? v4(42, [0, 0, 0, 0]) : v6(42, [0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await errorOf(() => s.send(one, any))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.send(one, addr(0)))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.getLocalAddress())).toEqual({ tag: 'invalid-state' });
  });

  it('state: receive before bind, remote address and disconnect before connect', async () => {
    const s = udp().create(family);
    expect(await errorOf(() => s.receive())).toEqual({ tag: 'invalid-state' });
    expect(await errorOf(() => s.getRemoteAddress())).toEqual({ tag: 'invalid-state' });
    expect(await errorOf(() => s.disconnect())).toEqual({ tag: 'invalid-state' });
    expect(s.getAddressFamily()).toBe(family);
  });

  it('options: hop limit and buffer sizes validated, kept before bind, applied at bind', async () => {
    const s = udp().create(family);
    expect(s.getUnicastHopLimit()).toBe(64);
    expect(await errorOf(() => s.setUnicastHopLimit(0))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => s.setUnicastHopLimit(256))).toEqual({ tag: 'invalid-argument' });
    s.setUnicastHopLimit(1);
    s.setUnicastHopLimit(255);
    s.setUnicastHopLimit(42);
    expect(s.getUnicastHopLimit()).toBe(42);
    for (const set of [s.setReceiveBufferSize.bind(s), s.setSendBufferSize.bind(s)]) {
      expect(await errorOf(() => set(0n))).toEqual({ tag: 'invalid-argument' });
      expect(await errorOf(() => set(5 as unknown as bigint))).toEqual({ tag: 'invalid-argument' });
      set(1n);
      set(0xffff_ffff_ffff_ffffn);
      set(0x10000n);
    }
    expect(s.getReceiveBufferSize()).toBe(0x10000n);
    expect(s.getSendBufferSize()).toBe(0x10000n);
    s.bind(addr(0));
    // Now the kernel's values (Linux's doubled report halved back).
    expect(s.getReceiveBufferSize()).toBe(0x10000n);
    expect(s.getSendBufferSize()).toBe(0x10000n);
    expect(s.getUnicastHopLimit()).toBe(42);
    s.setReceiveBufferSize(0x8000n);
    expect(s.getReceiveBufferSize()).toBe(0x8000n);
    s.setUnicastHopLimit(7);
    expect(s.getUnicastHopLimit()).toBe(7);
  });
});

describe('udp-socket argument checks', () => {
  it('an IPv6 socket is v6-only: IPv4-mapped and IPv4-compatible addresses are invalid-argument', async () => {
    const s = udp().create('ipv6');
    const mapped = v6(42, [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    const compat = v6(42, [0, 0, 0, 0, 0, 0, 0x7f00, 1]);
    for (const a of [mapped, compat]) {
      expect(await errorOf(() => s.bind(a))).toEqual({ tag: 'invalid-argument' });
      expect(await errorOf(() => s.connect(a))).toEqual({ tag: 'invalid-argument' });
      expect(await errorOf(() => s.send(new Uint8Array(1), a))).toEqual({ tag: 'invalid-argument' });
    }
  });

  it('a link-local address with a scope id is not-supported (bind, connect, send)', async () => {
    const s = udp().create('ipv6');
    const scoped = { tag: 'ipv6', val: { port: 42, flowInfo: 0, address: [0xfe80, 0, 0, 0, 0, 0, 0, 1], scopeId: 2 } };
    expect(await errorOf(() => s.bind(scoped as never))).toEqual({ tag: 'not-supported' });
    expect(await errorOf(() => s.connect(scoped as never))).toEqual({ tag: 'not-supported' });
    expect(await errorOf(() => s.send(new Uint8Array(1), scoped as never))).toEqual({ tag: 'not-supported' });
  });

  it('malformed values from a host caller are invalid-argument, not a crash', async () => {
    const s = udp().create('ipv4');
    const bad = [
      undefined,
      null,
      { tag: 'ipv4', val: { port: 70000, address: [127, 0, 0, 1] } },
      { tag: 'ipv4', val: { port: 1, address: [127, 0, 0] } },
      { tag: 'ipv4', val: { port: 1, address: [256, 0, 0, 1] } },
      { tag: 'unix', val: {} },
    ];
    for (const a of bad) {
      expect(await errorOf(() => s.bind(a as never))).toEqual({ tag: 'invalid-argument' });
      expect(await errorOf(() => s.connect(a as never))).toEqual({ tag: 'invalid-argument' });
    }
    expect(await errorOf(() => s.send('text' as never, v4(42)))).toEqual({ tag: 'invalid-argument' });
    expect(await errorOf(() => h.udp().create('ipx' as never))).toEqual({ tag: 'invalid-argument' });
  });

  it('connect to the broadcast address is access-denied (no SO_BROADCAST)', async () => {
    const s = udp().create('ipv4');
    expect(await errorOf(() => s.connect(v4(9, [255, 255, 255, 255])))).toEqual({ tag: 'access-denied' });
    expect(await errorOf(() => s.getRemoteAddress())).toEqual({ tag: 'invalid-state' });
  });

  it('a dropped socket frees its port and fails a pending receive', async () => {
    const s = udp().create('ipv4');
    s.bind(v4(0));
    const local = s.getLocalAddress();
    const pending = s.receive();
    s[Symbol.dispose]();
    expect(await errorOf(() => pending)).toEqual({ tag: 'invalid-state' });
    // close() releases the port on a later tick.
    await new Promise((r) => setTimeout(r, 10));
    const t = udp().create('ipv4');
    t.bind(local);
    expect(t.getLocalAddress()).toEqual(local);
  });
});
