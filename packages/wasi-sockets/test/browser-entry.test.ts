// The browser entry (src/browser.ts): createSockets without node:dgram. UDP is `not-supported`
// (after the family check); TCP and name lookup are the shared implementation, served by the
// virtual network.

import { describe, expect, it } from 'vitest';
import * as browser from '../src/browser.ts';
import { createSockets } from '../src/browser.ts';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { payload?: unknown }).payload;
  }
  return 'no error';
};

describe('browser createSockets', () => {
  it('UdpSocket.create checks the family, then is not-supported', () => {
    const { UdpSocket } = createSockets({ network: { inherit: true } })['wasi:sockets/types@0.3.0'];
    expect(code(() => UdpSocket.create('ipv4'))).toEqual({ tag: 'not-supported' });
    expect(code(() => UdpSocket.create('ipv6'))).toEqual({ tag: 'not-supported' });
    expect(code(() => UdpSocket.create('ipx' as 'ipv4'))).toEqual({ tag: 'invalid-argument' });
  });

  it('resolves virtual names; other names are denied without a lookup policy', async () => {
    const lookup = createSockets({
      network: { virtual: { resolve: (n) => (n === 'svc.test' ? ['10.1.2.3'] : undefined) } },
    })['wasi:sockets/ip-name-lookup@0.3.0'];
    expect(await lookup.resolveAddresses('svc.test')).toEqual([{ tag: 'ipv4', val: [10, 1, 2, 3] }]);
    await expect(lookup.resolveAddresses('example.com')).rejects.toMatchObject({ payload: { tag: 'access-denied' } });
  });

  it('keeps the policy API and the TcpSocket class', () => {
    expect(browser.NetworkPolicy).toBeTypeOf('function');
    expect(() => createSockets({ network: { allow: ['nonsense'] } })).toThrow(browser.PolicyError);
    const { TcpSocket } = createSockets()['wasi:sockets/types@0.3.0'];
    expect(TcpSocket.create('ipv4')).toBeInstanceOf(TcpSocket);
  });
});
