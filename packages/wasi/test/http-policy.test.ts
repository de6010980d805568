// createWasi's default wasi:http client under the `network` policy (src/http-policy.ts): a guest
// denied every socket must not reach an address through `client.send` either.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Component } from '@weft/core';
import { createWasi } from '@weft/wasi';
import { HttpError, type HostRequest, type SendFn } from '@weft/wasi-http/web';
import { toFetchHandler } from '@weft/wasi-http';
import type { NetworkOptions } from '@weft/wasi-sockets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSend } from '../src/http-policy.ts';

const request = (authority: string, scheme = 'http'): HostRequest =>
  ({ method: 'GET', scheme, authority, pathWithQuery: '/', headers: [] }) as unknown as HostRequest;

/** What the guarded send did with `authority`: 'sent', or the error-code it failed with. */
async function outcome(network: NetworkOptions | undefined, authority: string, scheme?: string): Promise<string> {
  let sent = false;
  const send: SendFn = async () => {
    sent = true;
    return { status: 200, headers: [] } as never;
  };
  try {
    await guardSend(send, network)(request(authority, scheme), new AbortController().signal);
    return sent ? 'sent' : 'not sent';
  } catch (e) {
    expect(sent).toBe(false);
    expect(e).toBeInstanceOf(HttpError);
    return (e as HttpError).code.tag;
  }
}

describe('the default wasi:http client under the network policy', () => {
  it('refuses everything by default, before sending', async () => {
    expect(await outcome(undefined, '127.0.0.1:8080')).toBe('destination-IP-prohibited');
    expect(await outcome(undefined, '169.254.169.254')).toBe('destination-IP-prohibited');
    expect(await outcome(undefined, '[::1]:80')).toBe('destination-IP-prohibited');
    expect(await outcome(undefined, 'example.com')).toBe('destination-IP-prohibited');
  });

  it('checks an IP literal authority, with the scheme’s default port, against the allow rules', async () => {
    const net = { allow: ['127.0.0.1:8000-8100', '[::1]:443'] };
    expect(await outcome(net, '127.0.0.1:8080')).toBe('sent');
    expect(await outcome(net, '127.0.0.1:9000')).toBe('destination-IP-prohibited');
    expect(await outcome(net, '127.0.0.1')).toBe('destination-IP-prohibited'); // port 80
    expect(await outcome(net, '[::1]', 'https')).toBe('sent'); // port 443
    expect(await outcome(net, '[::1]', 'http')).toBe('destination-IP-prohibited');
    // The IPv4-mapped form is not the IPv4 address's rule.
    expect(await outcome(net, '[::ffff:127.0.0.1]:8080')).toBe('destination-IP-prohibited');
  });

  it('needs the host resolver for a name, and every address it resolves to allowed', async () => {
    expect(await outcome({ allow: ['*:*'] }, 'localhost:8080')).toBe('destination-IP-prohibited');
    expect(await outcome({ allow: ['127.0.0.1:*', '[::1]:*'], lookup: true }, 'localhost:8080')).toBe('sent');
    expect(await outcome({ allow: ['10.0.0.0/8:*'], lookup: true }, 'localhost:8080')).toBe(
      'destination-IP-prohibited',
    );
  });

  it('lets everything through with inherit, and leaves an embedder’s own send alone', async () => {
    expect(await outcome({ inherit: true }, '127.0.0.1:1')).toBe('sent');
    const mine: SendFn = async () => ({ status: 204, headers: [] }) as never;
    const imports = createWasi({ http: { send: mine } }) as Record<string, Record<string, unknown>>;
    expect(imports['wasi:http/client@0.3.0']).toBeDefined();
  });
});

describe('a guest’s outgoing request through createWasi', () => {
  // packages/wasi-http's C handler that sends what `x-fetch-url` names and answers with what came
  // back (502 with `x-fetch-error: <error-code>` if send failed).
  const fetchGuest = readFileSync(new URL('../../wasi-http/test/guests/fetch.wasm', import.meta.url));
  let server: Server;
  let port = 0;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('upstream');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function fetchThrough(network: NetworkOptions | undefined): Promise<Response> {
    const component = await Component.compile(fetchGuest);
    const handler = toFetchHandler(component, { imports: () => createWasi({ network }) });
    return handler(new Request('http://weft.test/', { headers: { 'x-fetch-url': `http://127.0.0.1:${port}/` } }));
  }

  it('is refused without a rule for the upstream, and no connection is made', async () => {
    const before = hits;
    const res = await fetchThrough(undefined);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-fetch-error')).toBe('destination-IP-prohibited');
    expect(hits).toBe(before);
  });

  it('goes through with a rule for the upstream', async () => {
    const res = await fetchThrough({ allow: [`127.0.0.1:${port}`] });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('upstream');
  });
});
