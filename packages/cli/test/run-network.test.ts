// `weft run` with and without --allow-net / --allow-name-lookup / --inherit-network, on real sockets on 127.0.0.1: the
// example's C client (`http-get HOST PORT PATH`) and the sockets bench's C echo server (binds
// 127.0.0.1:0, prints the address, echoes one connection).

import { connect, createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CaptureSink } from '@weft/wasi-cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const HTTP_GET = fileURLToPath(new URL('../../../examples/tls-virtual-socket/guest/http-get.wasm', import.meta.url));
const ECHO = fileURLToPath(new URL('../../wasi-sockets/bench/guests/echo.wasm', import.meta.url));

function start(argv: string[]) {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const errs: string[] = [];
  const io: Io = { out: () => {}, err: (l) => errs.push(l), stdio: { stdin: 'ignore', stdout, stderr } };
  const done = main(['run', ...argv], io);
  return { done, stdout, stderr, errs };
}
async function weft(...argv: string[]) {
  const r = start(argv);
  const code = await r.done;
  return { code, out: r.stdout.text(), err: r.stderr.text(), errs: r.errs };
}

let server: Server;
let port = 0;
let hits = 0;

beforeEach(async () => {
  hits = 0;
  server = createServer((socket) => {
    hits++;
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n'));
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n';

describe('weft run: the guest network', () => {
  it('none by default: connect is access-denied and no connection is made', async () => {
    expect(await weft(HTTP_GET, '127.0.0.1', String(port), '/')).toMatchObject({
      code: 1,
      out: '',
      err: 'http-get: connect: access-denied\n',
    });
    expect(hits).toBe(0);
  });

  it('--allow-net lets the guest reach the matching address and port only', async () => {
    expect(await weft('--allow-net', `127.0.0.1:${port}`, HTTP_GET, '127.0.0.1', String(port), '/')).toMatchObject({
      code: 0,
      out: OK,
      err: '',
    });
    expect(await weft('--allow-net', '127.0.0.0/8:1-1023', HTTP_GET, '127.0.0.1', String(port), '/')).toMatchObject({
      code: 1,
      err: 'http-get: connect: access-denied\n',
    });
    expect(hits).toBe(1);
    // A name needs the host resolver: --allow-name-lookup (or --inherit-network).
    const named = await weft('--allow-net', '127.0.0.1:*', HTTP_GET, 'localhost', String(port), '/');
    expect(named.code).toBe(1);
    expect(named.err).toMatch(/^http-get: resolve-addresses: /);
    expect(
      await weft('--allow-net', `127.0.0.1:${port}`, '--allow-name-lookup', HTTP_GET, 'localhost', String(port), '/'),
    ).toMatchObject({ code: 0, out: OK, err: '' });
    // The resolver alone allows no address.
    expect(await weft('--allow-name-lookup', HTTP_GET, 'localhost', String(port), '/')).toMatchObject({
      code: 1,
      err: 'http-get: connect: access-denied\n',
    });
    expect(hits).toBe(2);
  });

  it('--inherit-network: any address, and names resolve', async () => {
    expect(await weft('--inherit-network', HTTP_GET, 'localhost', String(port), '/')).toMatchObject({
      code: 0,
      out: OK,
    });
  });

  it('bind and listen are checked too: the echo guest serves only with an allow rule for its address', async () => {
    expect(await weft(ECHO)).toMatchObject({ code: 1, out: '', err: 'echo: bind: access-denied\n' });
    const r = start(['--allow-net', '127.0.0.1:*', ECHO]);
    const deadline = Date.now() + 10_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /^127\.0\.0\.1:(\d+)\n/.exec(r.stdout.text())) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 10));
    expect(m, `stderr: ${r.stderr.text()}`).not.toBeNull();
    const echoed = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: Number(m![1]) }, () => s.end('ping over wasi:sockets'));
      let got = '';
      s.on('data', (b) => {
        got += b;
      });
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    expect(echoed).toBe('ping over wasi:sockets');
    expect(await r.done).toBe(0);
  });
});
