// ip-address / ip-socket-address values and Node's strings, and the errno mapping.

import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  fromNodeAddress,
  isIpSocketAddress,
  isIpv4Mapped,
  isLoopback,
  isMulticast,
  isUnspecified,
  parseIpAddress,
  toNodeAddress,
} from '../src/address.ts';
import { errorCodeOf } from '../src/errors.ts';

describe('addresses', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:DB8::', '2001:db8::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['::ffff:7f00:1', '::ffff:127.0.0.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['0:0:0:0:0:0:0:0', '::'],
  ])('parses %s and formats it as %s', (input, out) => {
    expect(formatIpAddress(parseIpAddress(input)!)).toBe(out);
  });

  it('refuses what is not an IP literal', () => {
    for (const s of [
      '',
      'localhost',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
      ':::',
      '[::1]',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      '1.2.3.4::',
      '::1.2.3.4:1',
      'fe80::1%',
      '%eth0',
    ]) {
      expect(parseIpAddress(s)).toBeUndefined();
    }
  });

  it('converts socket addresses both ways', () => {
    const a = fromNodeAddress('::1', 8080, 0, 3);
    expect(a).toEqual({ tag: 'ipv6', val: { port: 8080, flowInfo: 0, address: [0, 0, 0, 0, 0, 0, 0, 1], scopeId: 3 } });
    expect(toNodeAddress(a)).toEqual({ address: '::1', port: 8080, family: 'ipv6' });
    expect(toNodeAddress(fromNodeAddress('10.0.0.1', 1))).toEqual({ address: '10.0.0.1', port: 1, family: 'ipv4' });
  });

  it('checks well-formedness and address classes', () => {
    expect(isIpSocketAddress({ tag: 'ipv4', val: { port: 1, address: [1, 2, 3, 4] } })).toBe(true);
    expect(isIpSocketAddress({ tag: 'ipv4', val: { port: 1, address: [1, 2, 3, 256] } })).toBe(false);
    expect(isIpSocketAddress({ tag: 'ipv6', val: { port: 1, address: [0, 0, 0, 0, 0, 0, 0, 1] } })).toBe(false);
    expect(isIpSocketAddress(null)).toBe(false);
    expect(isUnspecified(parseIpAddress('0.0.0.0')!)).toBe(true);
    expect(isLoopback(parseIpAddress('127.3.2.1')!)).toBe(true);
    expect(isLoopback(parseIpAddress('::1')!)).toBe(true);
    expect(isMulticast(parseIpAddress('239.1.1.1')!)).toBe(true);
    expect(isMulticast(parseIpAddress('ff02::1')!)).toBe(true);
    expect(isMulticast(parseIpAddress('10.0.0.1')!)).toBe(false);
    expect(isIpv4Mapped(parseIpAddress('::ffff:1.2.3.4')!)).toBe(true);
  });
});

describe('errno mapping', () => {
  it.each([
    ['EADDRINUSE', 'address-in-use'],
    ['ECONNREFUSED', 'connection-refused'],
    ['EACCES', 'access-denied'],
    ['EADDRNOTAVAIL', 'address-not-bindable'],
    ['ECONNRESET', 'connection-reset'],
    ['EPIPE', 'connection-broken'],
    ['ETIMEDOUT', 'timeout'],
    ['ENETUNREACH', 'remote-unreachable'],
  ])('%s is %s', (code, tag) => {
    expect(errorCodeOf(Object.assign(new Error(code), { code }))).toEqual({ tag });
  });

  it('names only the errno of anything else', () => {
    expect(errorCodeOf(Object.assign(new Error('/secret/path'), { code: 'EIO' }))).toEqual({
      tag: 'other',
      val: 'EIO',
    });
    expect(errorCodeOf(new Error('x'))).toEqual({ tag: 'other', val: undefined });
  });
});
