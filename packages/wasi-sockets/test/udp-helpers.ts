// Test support for the udp tests: guest-side sockets under a policy, plain node:dgram peers on
// loopback, address literals. Everything made here is closed by `closeAll` (call it afterEach).

import { createSocket, type Socket } from 'node:dgram';
import { type IpSocketAddress, toNodeAddress } from '../src/address.ts';
import { createContext } from '../src/context.ts';
import type { NetworkOptions } from '../src/options.ts';
import { udpSocketClass } from '../src/udp/index.ts';
import type { UdpSocket } from '../src/udp/udp-socket.ts';

export const v4 = (port: number, address: [number, number, number, number] = [127, 0, 0, 1]): IpSocketAddress => ({
  tag: 'ipv4',
  val: { port, address },
});
export const v6 = (port: number, address = [0, 0, 0, 0, 0, 0, 0, 1]): IpSocketAddress =>
  ({ tag: 'ipv6', val: { port, flowInfo: 0, address, scopeId: 0 } }) as IpSocketAddress;

/** The payload of a ComponentError (the error-code), or the error itself. */
export async function errorOf(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return (e as { payload?: unknown }).payload ?? e;
  }
  return 'no error';
}

/** Races `p` against a timer, so a missing datagram fails the test instead of hanging it. */
export function within<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Peer {
  socket: Socket;
  address: IpSocketAddress;
  /** The next datagram this peer received (within 2 s). */
  next(): Promise<{ data: Buffer; from: { address: string; port: number } }>;
  /** How many datagrams arrived so far. */
  readonly count: number;
  send(data: Uint8Array, to: IpSocketAddress): Promise<void>;
}

export class Harness {
  readonly #open: { [Symbol.dispose](): void }[] = [];

  /** The UdpSocket class of a host with these network options (default: every address allowed). */
  udp(network: NetworkOptions = { inherit: true }) {
    const Udp = udpSocketClass(createContext({ network }));
    const open = this.#open;
    return {
      create(family: 'ipv4' | 'ipv6'): UdpSocket {
        const s = Udp.create(family);
        open.push(s);
        return s;
      },
    };
  }

  /** A node:dgram socket bound on loopback that records what it receives. */
  async peer(family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<Peer> {
    const socket = createSocket({ type: family === 'ipv4' ? 'udp4' : 'udp6', ipv6Only: family === 'ipv6' });
    this.#open.push({ [Symbol.dispose]: () => socket.close() });
    const inbox: { data: Buffer; from: { address: string; port: number } }[] = [];
    const waiting: ((d: (typeof inbox)[number]) => void)[] = [];
    let count = 0;
    socket.on('message', (data, from) => {
      count++;
      const w = waiting.shift();
      if (w) w({ data, from });
      else inbox.push({ data, from });
    });
    await new Promise<void>((r) => socket.bind(0, family === 'ipv4' ? '127.0.0.1' : '::1', r));
    const port = socket.address().port;
    return {
      socket,
      address: family === 'ipv4' ? v4(port) : v6(port),
      next: () => within(inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise((r) => waiting.push(r))),
      get count() {
        return count;
      },
      send: (data, to) =>
        new Promise((resolve, reject) =>
          socket.send(data, to.val.port, toNodeAddress(to).address, (e) => (e ? reject(e) : resolve())),
        ),
    };
  }

  closeAll(): void {
    for (const s of this.#open.splice(0)) {
      try {
        s[Symbol.dispose]();
      } catch {}
    }
  }
}
