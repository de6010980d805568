// wasi:sockets/types@0.3.0 `udp-socket` over node:dgram. Spec: proposals/sockets/wit/types.wit
// (WASI v0.3.0); where it is silent, Wasmtime's host (crates/wasi/src/sockets/udp.rs) decides.
//
// bind, connect and disconnect are synchronous in the WIT. node:dgram resolves the address
// through its `lookup` option before touching the kernel; given a lookup that answers at once (we
// only ever pass IP literals) its bind and connect run synchronously, and a bind failure is
// emitted synchronously as 'error', which `#kernel` catches.

import type { Socket } from 'node:dgram';
import {
  checkRemoteAddress as checkRemote,
  checkSocketAddress as checkAddress,
  fromNodeAddress,
  type IpAddressFamily,
  type IpSocketAddress,
  ipAddressOf,
  isBroadcast,
  toNodeAddress,
  unspecified,
} from '../address.ts';
import { builtin } from '../builtins.ts';
import type { SocketsContext } from '../context.ts';
import type { Slot } from '../open-sockets.ts';
import { socketError, toSocketError } from '../errors.ts';
import { sameAddress } from './checks.ts';
import { type Datagram, Inbox } from './inbox.ts';
import { MAX_DATAGRAM } from './limits.ts';
import { SocketOptions } from './sockopts.ts';

/** node:dgram's lookup, for IP literals only: answers synchronously, so bind and connect stay synchronous. */
function literal(address: string, family: unknown, callback: (err: null, address: string, family: number) => void) {
  callback(null, address, typeof family === 'number' ? family : address.includes(':') ? 6 : 4);
}

export class UdpSocket {
  readonly #ctx: SocketsContext;
  readonly #family: IpAddressFamily;
  readonly #socket: Socket;
  readonly #options = new SocketOptions();
  readonly #inbox: Inbox;
  /** Once bound, a socket stays bound (even when Linux drops its port on disconnect). */
  #bound = false;
  /** The peer of a connected socket, as the kernel reports it. */
  #remote: IpSocketAddress | undefined;
  #closed = false;
  /** Datagrams dropped because the policy does not allow their sender. */
  #denied = 0;
  /** The host's count of the kernel socket, once bound. */
  #slot: Slot | undefined;
  /** Set while a synchronous dgram call runs: the 'error' it emits is that call's failure. */
  #syncError: ((e: unknown) => void) | undefined;

  /** @internal Guests and hosts get sockets from `UdpSocket.create`. */
  constructor(ctx: SocketsContext, family: IpAddressFamily) {
    this.#ctx = ctx;
    this.#family = family;
    // The WIT: IPv6 sockets are v6-only and cannot be made otherwise.
    // Loaded on use (builtins.ts), so the package imports where there is no node:dgram.
    const dgram = builtin<typeof import('node:dgram')>('node:dgram');
    if (dgram === undefined) throw socketError('not-supported');
    this.#socket = dgram.createSocket({
      type: family === 'ipv4' ? 'udp4' : 'udp6',
      ipv6Only: family === 'ipv6',
      lookup: literal,
    });
    // A socket holds the event loop only while a receive waits (and Node's send requests hold it
    // while they run): a guest that never drops its socket cannot keep the host alive.
    this.#socket.unref();
    this.#inbox = new Inbox(
      () => this.#options.receiveBudget,
      (waiting) => (waiting ? this.#socket.ref() : this.#socket.unref()),
    );
    this.#socket.on('message', (data, info) => this.#arrived(data, info.address, info.port));
    this.#socket.on('error', (e) => {
      if (this.#syncError !== undefined) this.#syncError(e);
      // Reported later by the kernel (an ICMP error on a connected socket): the next receive fails with it.
      else this.#inbox.fail(toSocketError(e));
    });
  }

  #arrived(data: Uint8Array, address: string, port: number): void {
    let from: IpSocketAddress;
    try {
      from = fromNodeAddress(address, port);
    } catch {
      return;
    }
    // The kernel filters a connected socket's datagrams; this catches those read before connect.
    if (this.#remote !== undefined && !sameAddress(from, this.#remote)) return;
    // As Wasmtime: only senders the policy allows are heard, so a rule to send somewhere does
    // not open the socket's port to everyone.
    if (!this.#ctx.policy.allows(ipAddressOf(from), from.val.port)) {
      this.#denied++;
      return;
    }
    this.#inbox.deliver({ data, from });
  }

  /** Runs a synchronous dgram call; what it throws or emits as 'error' becomes the guest's error-code. */
  #kernel<T>(f: () => T): T {
    let failure: { e: unknown } | undefined;
    this.#syncError = (e) => {
      failure ??= { e };
    };
    let result: T;
    try {
      result = f();
    } catch (e) {
      throw toSocketError(e);
    } finally {
      this.#syncError = undefined;
    }
    if (failure !== undefined) throw toSocketError(failure.e);
    return result;
  }

  #bindTo(local: IpSocketAddress): void {
    if (this.#closed) throw socketError('invalid-state');
    const { address, port } = toNodeAddress(local);
    // The kernel socket opens here: the host counts it, and its close() closes it.
    const slot = this.#ctx.open.open(() => this[Symbol.dispose]());
    try {
      // exclusive: never share the port through node:cluster's primary.
      this.#kernel(() => this.#socket.bind({ address, port, exclusive: true }));
    } catch (e) {
      slot.release();
      throw e;
    }
    this.#slot = slot;
    this.#bound = true;
    this.#kernel(() => this.#options.apply(this.#socket));
  }

  /** The dgram socket when the kernel socket exists (bound), for the options. */
  get #live(): Socket | undefined {
    return this.#bound && !this.#closed ? this.#socket : undefined;
  }

  bind(localAddress: IpSocketAddress): void {
    if (this.#bound) throw socketError('invalid-state');
    const local = checkAddress(localAddress, this.#family);
    this.#ctx.check(local);
    this.#bindTo(local);
  }

  connect(remoteAddress: IpSocketAddress): void {
    const remote = checkRemote(remoteAddress, this.#family);
    this.#ctx.check(remote);
    // Implicit bind: to the unspecified address, which the kernel narrows to the route's source on connect.
    if (!this.#bound) this.#bindTo(unspecified(this.#family));
    // node:dgram (and Linux) connect a connected socket only after a disconnect, as Wasmtime does on Linux.
    if (this.#remote !== undefined) {
      this.#remote = undefined;
      this.#kernel(() => this.#socket.disconnect());
    }
    const { address, port } = toNodeAddress(remote);
    // The callback takes the failure node:dgram reports a tick later (else it would be an 'error' event).
    this.#kernel(() => this.#socket.connect(port, address, () => {}));
    let peer: { address: string; port: number };
    try {
      peer = this.#socket.remoteAddress();
    } catch {
      // node:dgram reports why connect failed only on a later tick, too late for this synchronous
      // call: broadcast without SO_BROADCAST is EACCES, and otherwise there is no route.
      throw socketError(isBroadcast(ipAddressOf(remote)) ? 'access-denied' : 'remote-unreachable');
    }
    this.#remote = fromNodeAddress(peer.address, peer.port);
    const connected = this.#remote;
    this.#inbox.retain((d: Datagram) => sameAddress(d.from, connected));
  }

  disconnect(): void {
    if (this.#remote === undefined) throw socketError('invalid-state');
    this.#remote = undefined;
    this.#kernel(() => this.#socket.disconnect());
  }

  async send(data: Uint8Array, remoteAddress: IpSocketAddress | undefined): Promise<void> {
    if (!(data instanceof Uint8Array)) throw socketError('invalid-argument');
    if (data.byteLength > MAX_DATAGRAM) throw socketError('datagram-too-large');
    let target: IpSocketAddress;
    if (remoteAddress !== undefined) {
      target = checkRemote(remoteAddress, this.#family);
      // A connected socket sends only to its peer.
      if (this.#remote !== undefined && !sameAddress(target, this.#remote)) throw socketError('invalid-argument');
    } else if (this.#remote !== undefined) {
      target = this.#remote;
    } else {
      throw socketError('invalid-argument');
    }
    this.#ctx.check(target);
    if (this.#closed) throw socketError('invalid-state');
    if (!this.#bound) this.#bindTo(unspecified(this.#family));
    const connected = this.#remote !== undefined;
    const { address, port } = toNodeAddress(target);
    await new Promise<void>((resolve, reject) => {
      const done = (e: Error | null) => (e ? reject(toSocketError(e)) : resolve());
      try {
        if (connected) this.#socket.send(data, done);
        else this.#socket.send(data, port, address, done);
      } catch (e) {
        reject(toSocketError(e));
      }
    });
  }

  async receive(): Promise<[Uint8Array, IpSocketAddress]> {
    if (!this.#bound) throw socketError('invalid-state');
    const d = await this.#inbox.next();
    return [d.data, d.from];
  }

  getLocalAddress(): IpSocketAddress {
    if (!this.#bound) throw socketError('invalid-state');
    const a = this.#kernel(() => this.#socket.address());
    return fromNodeAddress(a.address, a.port);
  }

  getRemoteAddress(): IpSocketAddress {
    if (this.#remote === undefined) throw socketError('invalid-state');
    return this.#remote;
  }

  getAddressFamily(): IpAddressFamily {
    return this.#family;
  }

  getUnicastHopLimit(): number {
    return this.#options.hopLimit;
  }

  setUnicastHopLimit(value: number): void {
    this.#kernel(() => this.#options.setHopLimit(value, this.#live));
  }

  getReceiveBufferSize(): bigint {
    return this.#kernel(() => this.#options.bufferSize('receive', this.#live));
  }

  setReceiveBufferSize(value: bigint): void {
    this.#kernel(() => this.#options.setBufferSize('receive', value, this.#live));
  }

  getSendBufferSize(): bigint {
    return this.#kernel(() => this.#options.bufferSize('send', this.#live));
  }

  setSendBufferSize(value: bigint): void {
    this.#kernel(() => this.#options.setBufferSize('send', value, this.#live));
  }

  /** Datagrams dropped because the guest was not receiving fast enough (the host queue was full). */
  get droppedDatagrams(): number {
    return this.#inbox.dropped;
  }

  /** Datagrams dropped because the policy does not allow their sender's address and port. */
  get deniedDatagrams(): number {
    return this.#denied;
  }

  /** The guest dropped the socket: the kernel socket closes and queued datagrams are freed. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.close(socketError('invalid-state'));
    this.#socket.close();
    this.#slot?.release();
  }
}
