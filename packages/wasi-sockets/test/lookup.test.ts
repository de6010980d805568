// ip-name-lookup: literals, name validation, the policy, virtual names and the host resolver.

import { describe, expect, it } from 'vitest';
import { codeOf, sockets } from './helpers.ts';

describe('resolve-addresses', () => {
  it('resolves localhost with the host resolver when lookups are allowed', async () => {
    const { lookup } = sockets({ lookup: true });
    const ips = await lookup.resolveAddresses('localhost');
    expect(ips.length).toBeGreaterThan(0);
    expect(ips).toEqual(expect.arrayContaining([expect.objectContaining({ tag: expect.stringMatching(/^ipv[46]$/) })]));
    const loopback = ips.some(
      (ip) => (ip.tag === 'ipv4' && ip.val[0] === 127) || (ip.tag === 'ipv6' && ip.val.join() === '0,0,0,0,0,0,0,1'),
    );
    expect(loopback).toBe(true);
  });

  it('returns IP literals as they are, whatever the policy', async () => {
    const { lookup } = sockets({});
    expect(await lookup.resolveAddresses('192.0.2.7')).toEqual([{ tag: 'ipv4', val: [192, 0, 2, 7] }]);
    expect(await lookup.resolveAddresses('::1')).toEqual([{ tag: 'ipv6', val: [0, 0, 0, 0, 0, 0, 0, 1] }]);
    expect(await lookup.resolveAddresses('[2001:db8::1]')).toEqual([
      { tag: 'ipv6', val: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] },
    ]);
    // Never an IPv4-mapped IPv6 address.
    expect(await lookup.resolveAddresses('::ffff:10.1.2.3')).toEqual([{ tag: 'ipv4', val: [10, 1, 2, 3] }]);
  });

  it('returns numeric host names (127.1, hex, a 32-bit number) as IP literals, asking no one', async () => {
    const asked: string[] = [];
    const { lookup } = sockets({
      virtual: {
        resolve: (n) => {
          asked.push(n);
          return ['10.9.9.9'];
        },
      },
    });
    for (const name of ['127.1', '0x7f000001', '2130706433', '0177.0.0.1', '127.0.0.1.']) {
      expect(await lookup.resolveAddresses(name)).toEqual([{ tag: 'ipv4', val: [127, 0, 0, 1] }]);
    }
    expect(asked).toEqual([]);
  });

  it('refuses the host resolver without lookup permission', async () => {
    expect(await codeOf(() => sockets({}).lookup.resolveAddresses('localhost'))).toBe('access-denied');
    expect(await codeOf(() => sockets({ inherit: true, lookup: false }).lookup.resolveAddresses('localhost'))).toBe(
      'access-denied',
    );
  });

  it.each(['', 'a b', 'exa mple.com', '-bad.com', 'a..b', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`, 'x/y'])(
    'rejects the bad name %j with invalid-argument',
    async (name) => {
      expect(await codeOf(() => sockets({ lookup: true }).lookup.resolveAddresses(name))).toBe('invalid-argument');
    },
  );

  it('answers virtual names first, without permission', async () => {
    const { lookup } = sockets({
      virtual: { resolve: (name) => (name === 'db.internal' ? ['10.0.0.5', 'fd00::5', 'junk'] : undefined) },
    });
    expect(await lookup.resolveAddresses('db.internal')).toEqual([
      { tag: 'ipv4', val: [10, 0, 0, 5] },
      { tag: 'ipv6', val: [0xfd00, 0, 0, 0, 0, 0, 0, 5] },
    ]);
    expect(await codeOf(() => lookup.resolveAddresses('other.internal'))).toBe('access-denied');
    const throwing = sockets({
      virtual: {
        resolve: () => {
          throw new Error('host bug');
        },
      },
    }).lookup;
    expect(await codeOf(() => throwing.resolveAddresses('x.internal'))).toBe('other');
    const empty = sockets({ virtual: { resolve: () => [] } }).lookup;
    expect(await codeOf(() => empty.resolveAddresses('none.internal'))).toBe('name-unresolvable');
  });

  it('converts Unicode names to ASCII before asking', async () => {
    const asked: string[] = [];
    const { lookup } = sockets({
      virtual: {
        resolve: (name) => {
          asked.push(name);
          return ['10.0.0.9'];
        },
      },
    });
    await lookup.resolveAddresses('bücher.example');
    expect(asked).toEqual(['xn--bcher-kva.example']);
  });
});
