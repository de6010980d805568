// The network policy: rule syntax and its errors, what it allows, and that a refused attempt
// is access-denied with no kernel call.

import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../src/address.ts';
import { createSockets, NetworkPolicy, PolicyError, parseAllowRule } from '../src/index.ts';
import { codeOf, later, nodeServer, sleep, sockets, v4, v6 } from './helpers.ts';

const ip = (s: string) => parseIpAddress(s)!;

describe('NetworkPolicy', () => {
  it('denies everything by default and allows everything with inherit', () => {
    expect(new NetworkPolicy().allows(ip('127.0.0.1'), 80)).toBe(false);
    expect(new NetworkPolicy({ inherit: true }).allows(ip('8.8.8.8'), 53)).toBe(true);
    expect(new NetworkPolicy().lookup).toBe(false);
    expect(new NetworkPolicy({ inherit: true }).lookup).toBe(true);
    expect(new NetworkPolicy({ inherit: true, lookup: false }).lookup).toBe(false);
  });

  it('matches addresses, CIDRs, IPv6 and port ranges', () => {
    const p = new NetworkPolicy({
      allow: ['127.0.0.1:8000-9000', '10.0.0.0/8:*', '[fd00::]/8:443', '[::1]:22', '*:7'],
    });
    expect(p.allows(ip('127.0.0.1'), 8000)).toBe(true);
    expect(p.allows(ip('127.0.0.1'), 9000)).toBe(true);
    expect(p.allows(ip('127.0.0.1'), 9001)).toBe(false);
    expect(p.allows(ip('127.0.0.2'), 8080)).toBe(false);
    expect(p.allows(ip('10.255.1.2'), 1)).toBe(true);
    expect(p.allows(ip('11.0.0.1'), 1)).toBe(false);
    expect(p.allows(ip('fd12::1'), 443)).toBe(true);
    expect(p.allows(ip('fe80::1'), 443)).toBe(false);
    expect(p.allows(ip('::1'), 22)).toBe(true);
    expect(p.allows(ip('::2'), 22)).toBe(false);
    expect(p.allows(ip('1.2.3.4'), 7)).toBe(true);
    expect(p.allows(ip('::5'), 7)).toBe(true);
    // An IPv4 rule does not cover the IPv6 form of the address.
    expect(p.allows(ip('::ffff:10.0.0.1'), 1)).toBe(false);
  });

  it.each([
    ['127.0.0.1', /expected HOST:PORTS/],
    ['127.0.0.1:', /port '' is not a number/],
    ['127.0.0.1:65536', /port '65536'/],
    ['127.0.0.1:9-1', /range 9-1 is empty/],
    ['::1:80', /in brackets/],
    ['[::1:80', /without '\]'/],
    ['[::1]', /no ':PORTS'/],
    ['[1.2.3.4]:80', /not an IPv6 address/],
    ['10.0.0.0/33:80', /prefix length/],
    ['[fd00::]/129:80', /prefix length/],
    ['example.com:80', /not an IPv4 address/],
    ['*:x', /port 'x'/],
    ['10.0.0.0/8/32:80', /more than one '\/'/],
    ['[fd00::]/8/16:80', /more than one '\/'/],
    ['[fe80::1%eth0]:80', /zone id/],
    ['[fe80::1%2]:80', /zone id/],
    ['[::1]x:80', /unexpected 'x'/],
    [':80', /host is empty/],
  ])('rejects %s with a clear error', (rule, message) => {
    expect(() => new NetworkPolicy({ allow: [rule] })).toThrow(PolicyError);
    expect(() => new NetworkPolicy({ allow: [rule] })).toThrow(message);
    expect(() => createSockets({ network: { allow: [rule] } })).toThrow(rule);
    // The same parser, exported (the CLI's --allow-net uses it): the reason without the rule.
    try {
      parseAllowRule(rule);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).rule).toBe(rule);
      expect((e as PolicyError).reason).toMatch(message);
    }
  });

  it('parses a rule into its network and ports', () => {
    expect(parseAllowRule('10.1.2.3/8:80-90')).toEqual({
      family: 'ipv4',
      net: 10n << 24n,
      prefix: 8,
      portLo: 80,
      portHi: 90,
    });
    expect(parseAllowRule('*:*')).toEqual({ net: 0n, prefix: 0, portLo: 0, portHi: 65535 });
  });
});

describe('policy on tcp-socket', () => {
  it('refuses bind, listen and connect with access-denied and makes no kernel call', async () => {
    const { server, port } = await nodeServer();
    let connections = 0;
    server.on('connection', () => connections++);
    const { TcpSocket } = sockets({});
    // The port is taken: a kernel bind would say address-in-use.
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(port)))).toBe('access-denied');
    // A refused listen made no implicit bind: the socket is still unbound (no local address).
    const l = TcpSocket.create('ipv4');
    expect(await codeOf(() => l.listen())).toBe('access-denied');
    expect(await codeOf(() => l.getLocalAddress())).toBe('invalid-state');
    const s = TcpSocket.create('ipv4');
    expect(await codeOf(() => s.connect(v4(port)))).toBe('access-denied');
    // The refused connect closed the socket (an unbound one would be access-denied here).
    expect(await codeOf(() => s.bind(v4(0)))).toBe('invalid-state');
    await sleep(50);
    expect(connections).toBe(0);
  });

  it('allows what a rule names, and nothing next to it', async () => {
    const { port } = await nodeServer();
    const { port: other } = await nodeServer();
    const { TcpSocket } = sockets({ allow: [`127.0.0.1:${port}`] });
    const ok = TcpSocket.create('ipv4');
    later(() => ok[Symbol.dispose]());
    await ok.connect(v4(port));
    expect(await codeOf(() => TcpSocket.create('ipv4').connect(v4(other)))).toBe('access-denied');
    expect(await codeOf(() => TcpSocket.create('ipv6').connect(v6(port)))).toBe('access-denied');
    // Binding needs its own rule (port 0 is not in this one).
    expect(await codeOf(() => TcpSocket.create('ipv4').bind(v4(0)))).toBe('access-denied');
  });

  it('checks an explicit bind with port 0 against a rule that allows it', async () => {
    const { TcpSocket } = sockets({ allow: ['127.0.0.1:*'] });
    const s = TcpSocket.create('ipv4');
    later(() => s[Symbol.dispose]());
    s.bind(v4(0));
    s.listen();
    expect(s.getIsListening()).toBe(true);
  });
});
