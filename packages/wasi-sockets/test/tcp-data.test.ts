// tcp-socket send and receive against Node peers: the futures' results, half-close, resets,
// shared ownership, and backpressure both ways with large transfers.

import { connect, type Socket } from 'node:net';
import { byteStream } from '@weft/wasi-io';
import { describe, expect, it } from 'vitest';
import { chunks, codeOf, collect, later, nodeServer, sleep, sockets, v4, within } from './helpers.ts';

const text = (b: Uint8Array) => Buffer.from(b).toString();

async function connected(onSocket: (s: Socket) => void) {
  const { port } = await nodeServer(onSocket);
  const { TcpSocket } = sockets();
  const s = TcpSocket.create('ipv4');
  later(() => s[Symbol.dispose]());
  await s.connect(v4(port));
  return s;
}

describe('tcp-socket send and receive', () => {
  it('echoes through a Node server: the send future completes at the end, receive at the peer FIN', async () => {
    const s = await connected((peer) => peer.pipe(peer));
    const sent = s.send(chunks('hello ', 'world') as never);
    const [data, done] = s.receive();
    await within(sent);
    expect(text(await within(collect(data)))).toBe('hello world');
    await within(done);
  });

  it('takes a guest stream<u8> (a StreamReader) and closes it into a FIN', async () => {
    const s = await connected((peer) => peer.pipe(peer));
    const { writer, reader } = byteStream();
    const sent = s.send(reader as never);
    const [data, done] = s.receive();
    await writer.write(new TextEncoder().encode('via a stream'));
    await writer.close();
    await within(sent);
    expect(text(await within(collect(data)))).toBe('via a stream');
    await within(done);
  });

  it('gives invalid-state for send/receive before connect and for a second call', async () => {
    const { TcpSocket } = sockets();
    const s = TcpSocket.create('ipv4');
    const [empty, done] = s.receive();
    expect(await collect(empty)).toHaveLength(0);
    expect(await codeOf(() => done)).toBe('invalid-state');
    expect(await codeOf(() => s.send(chunks('x') as never))).toBe('invalid-state');
    s[Symbol.dispose]();

    const c = await connected(() => {});
    const [, first] = c.receive();
    const [, second] = c.receive();
    expect(await codeOf(() => second)).toBe('invalid-state');
    void first;
    const { writer, reader } = byteStream();
    const sent = c.send(reader as never);
    expect(await codeOf(() => c.send(chunks('again') as never))).toBe('invalid-state');
    await writer.close();
    await within(sent);
  });

  it('half-closes: after its send ends, the socket still receives', async () => {
    const { TcpSocket } = sockets();
    const server = TcpSocket.create('ipv4');
    later(() => server[Symbol.dispose]());
    server.bind(v4(0));
    const accepts = server.listen()[Symbol.asyncIterator]();
    const port = server.getLocalAddress().val.port;
    const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    later(() => client.destroy());
    const { value: a } = await accepts.next();
    later(() => a[Symbol.dispose]());
    const [incoming, done] = a.receive();
    const received = collect(incoming);
    await within(a.send(chunks('bye') as never));
    // The client sees our FIN, then answers on its still-open half.
    const got: Buffer[] = [];
    client.on('data', (d) => got.push(d));
    await within(new Promise((r) => client.once('end', r)));
    expect(Buffer.concat(got).toString()).toBe('bye');
    client.end('late reply');
    expect(text(await within(received))).toBe('late reply');
    await within(done);
  });

  it('fails receive with connection-reset when the peer resets', async () => {
    const s = await connected((peer) => setTimeout(() => peer.resetAndDestroy(), 20));
    const [data, done] = s.receive();
    await within(collect(data));
    expect(await codeOf(() => done)).toBe('connection-reset');
  });

  it('fails send when the peer is gone, and drops the guest stream', async () => {
    const s = await connected((peer) => setTimeout(() => peer.resetAndDestroy(), 20));
    await sleep(80);
    const { writer, reader } = byteStream();
    const sent = s.send(reader as never);
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < 8 && !writer.readerDropped; i++) await within(writer.write(big));
    expect(['connection-reset', 'connection-broken']).toContain(await codeOf(() => within(sent)));
    expect(writer.readerDropped).toBe(true);
  });

  it('dropping the receive stream completes its future and discards what still arrives', async () => {
    let peer!: Socket;
    const s = await connected((p) => {
      peer = p;
    });
    const [data, done] = s.receive();
    const it = (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await it.return?.();
    await within(done);
    // The peer is never held back by a receiver that went away.
    const flushed = new Promise<void>((r) => peer.write(new Uint8Array(4 << 20), () => r()));
    await within(flushed);
  });

  it('keeps sending after the socket handle is dropped (shared ownership)', async () => {
    const got: Buffer[] = [];
    let ended!: () => void;
    const end = new Promise<void>((r) => {
      ended = r;
    });
    const s = await connected((p) => {
      p.on('data', (d) => got.push(d));
      p.on('end', () => ended());
    });
    const { writer, reader } = byteStream();
    const sent = s.send(reader as never);
    s[Symbol.dispose]();
    await writer.write(new TextEncoder().encode('after drop'));
    await writer.close();
    await within(sent);
    await within(end);
    expect(Buffer.concat(got).toString()).toBe('after drop');
  });
});

/** A deterministic byte pattern, so a reordered or lost chunk shows. */
function pattern(offset: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((offset + i) * 31) & 0xff;
  return b;
}

function checkPattern(data: Uint8Array[]): number {
  let off = 0;
  for (const c of data) {
    for (let i = 0; i < c.length; i++)
      if (c[i] !== (((off + i) * 31) & 0xff)) throw new Error(`bad byte at ${off + i}`);
    off += c.length;
  }
  return off;
}

const TOTAL = 32 << 20;
const CHUNK = 256 << 10;

describe('tcp-socket backpressure', () => {
  it('send pulls from the guest only as the peer reads', async () => {
    let peer!: Socket;
    const s = await connected((p) => {
      peer = p;
      p.pause();
    });
    let pulled = 0;
    async function* source() {
      while (pulled < TOTAL) {
        const c = pattern(pulled, CHUNK);
        pulled += CHUNK;
        yield c;
      }
    }
    let settled = false;
    const sent = s.send(source() as never);
    sent.then(() => {
      settled = true;
    });
    await sleep(500);
    // Kernel buffers hold a few MiB; the host holds at most a chunk past Node's mark.
    expect(pulled).toBeLessThan(TOTAL / 2);
    expect(settled).toBe(false);
    const got: Uint8Array[] = [];
    peer.on('data', (d) => got.push(d));
    peer.resume();
    await within(sent, 20000);
    await within(new Promise((r) => (peer.readableEnded ? r(0) : peer.once('end', r))), 20000);
    expect(checkPattern(got)).toBe(TOTAL);
  });

  it('send reads a guest stream at most 64 KiB at a time, however much the guest wrote at once', async () => {
    let peer!: Socket;
    const s = await connected((p) => {
      peer = p;
      p.pause();
    });
    const { writer, reader } = byteStream();
    const asked: number[] = [];
    // The guest's StreamReader, with each read's size recorded.
    const spy = {
      read: (max: number) => {
        asked.push(max);
        return reader.read(max);
      },
      cancel: () => reader.cancel(),
      cancelRead: () => reader.cancelRead(),
    };
    const sent = s.send(spy as never);
    const big = pattern(0, 8 << 20);
    const wrote = writer.write(big);
    await sleep(300);
    // A peer that does not read: the host took what the kernel holds plus one read past Node's mark.
    expect(Math.max(...asked)).toBeLessThanOrEqual(64 * 1024);
    const got: Uint8Array[] = [];
    peer.on('data', (d) => got.push(d));
    peer.resume();
    await within(wrote, 20000);
    await writer.close();
    await within(sent, 20000);
    await within(new Promise((r) => (peer.readableEnded ? r(0) : peer.once('end', r))), 20000);
    expect(checkPattern(got)).toBe(8 << 20);
  });

  it('receive reads from the peer only as the guest reads', async () => {
    const { TcpSocket } = sockets();
    const server = TcpSocket.create('ipv4');
    later(() => server[Symbol.dispose]());
    server.bind(v4(0));
    const accepts = server.listen()[Symbol.asyncIterator]();
    const client = connect({ port: server.getLocalAddress().val.port, host: '127.0.0.1' });
    later(() => client.destroy());
    const { value: a } = await accepts.next();
    later(() => a[Symbol.dispose]());
    for (let off = 0; off < TOTAL; off += CHUNK) client.write(pattern(off, CHUNK));
    client.end();
    await sleep(500);
    // Nobody reads: most of it is still waiting in the peer's own buffer.
    expect(client.writableLength).toBeGreaterThan(TOTAL / 2);
    const [data, done] = a.receive();
    const got: Uint8Array[] = [];
    for await (const c of data as AsyncIterable<Uint8Array>) got.push(c);
    await within(done);
    expect(checkPattern(got)).toBe(TOTAL);
  });
});
