// wasi:sockets/types@0.3.0 `tcp-socket`: the state machine (unbound, bound, listening,
// connecting, connected, closed) and each method's checks in the order the WIT documents them,
// over kernel handles (kernel.ts) or, for addresses the VirtualNetwork serves, web streams.

import type { Socket } from 'node:net';
import type { StreamReader } from '@weft/core';
import {
  checkRemoteAddress,
  checkSocketAddress,
  formatIpAddress,
  fromNodeAddress,
  type IpAddressFamily,
  type IpSocketAddress,
  ipAddressOf,
  isBroadcast,
  isMulticast,
  toNodeAddress,
  unspecified,
} from '../address.ts';
import type { SocketsContext } from '../context.ts';
import type { Slot } from '../open-sockets.ts';
import { socketError, toSocketError } from '../errors.ts';
import type { VirtualConnection } from '../options.ts';
import { type Conn, dropStream, failed, type ReceiveSource } from './conn.ts';
import {
  bindHandle,
  connectHandle,
  listenHandle,
  localOf,
  newHandle,
  type TcpHandle,
  wrapConnected,
} from './kernel.ts';
import { Listener } from './listener.ts';
import { NodeConn } from './node-conn.ts';
import {
  backlogSize,
  bufferSize,
  DEFAULT_BACKLOG,
  defaultOptions,
  hopLimit,
  keepAliveCount,
  keepAliveTime,
  type TcpOptions,
} from './options.ts';
import { VirtualConn } from './virtual-conn.ts';

type State = 'unbound' | 'bound' | 'listening' | 'connecting' | 'connected' | 'closed';

/** An accepted connection's parts, handed to the constructor by the listener. */
interface Connected {
  conn: Conn;
  local: IpSocketAddress;
  remote: IpSocketAddress;
  options: TcpOptions;
}

/** A local or remote address as tcp takes it (invalid-argument otherwise): unicast only. */
function checkTcpAddress(a: unknown, family: IpAddressFamily): IpSocketAddress {
  const ip = ipAddressOf(checkSocketAddress(a, family));
  if (isMulticast(ip) || isBroadcast(ip)) throw socketError('invalid-argument');
  return a as IpSocketAddress;
}

/** Node's text for an address (no scope: checkSocketAddress refuses link-local ones with one). */
function hostOf(a: IpSocketAddress): string {
  return formatIpAddress(ipAddressOf(a));
}

function isVirtualConnection(v: unknown): v is VirtualConnection {
  const c = v as VirtualConnection | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.readable?.getReader === 'function' &&
    typeof c.writable?.getWriter === 'function'
  );
}

function addressesOf(socket: Socket): { local: IpSocketAddress; remote: IpSocketAddress } {
  const l = socket.address() as { address?: string; port?: number };
  if (l.address === undefined || socket.remoteAddress === undefined) throw socketError('connection-reset');
  return {
    local: fromNodeAddress(l.address, l.port ?? 0),
    remote: fromNodeAddress(socket.remoteAddress, socket.remotePort ?? 0),
  };
}

/** Ends a virtual connection the host will not use; its streams may be anything a host returned. */
function discard(vc: VirtualConnection): void {
  try {
    vc.readable.cancel().catch(() => {});
    vc.writable.abort().catch(() => {});
  } catch {
    // not web streams after all
  }
}

/** A kernel connection, counted by the host until its socket closes. */
function trackNode(socket: Socket, slot: Slot): NodeConn {
  const conn = new NodeConn(socket);
  slot.closeWith(() => socket.destroy());
  socket.once('close', () => slot.release());
  return conn;
}

/** The TcpSocket class of one createSockets() host (its policy and virtual network). */
export function tcpSocketClass(ctx: SocketsContext) {
  class TcpSocket {
    readonly #family: IpAddressFamily;
    #state: State = 'unbound';
    /** The kernel socket while bound or listening (a connection owns it after connect). */
    #handle: TcpHandle | undefined;
    /** The host's count of `#handle` (a connection or listener takes it over). */
    #slot: Slot | undefined;
    #local: IpSocketAddress | undefined;
    #remote: IpSocketAddress | undefined;
    #conn: Conn | undefined;
    #listener: Listener<TcpSocket> | undefined;
    #options: TcpOptions;
    #backlog = DEFAULT_BACKLOG;
    #sendTaken = false;
    #receiveTaken = false;
    #dropped = false;

    /** @internal Guests get sockets from `create` and `listen` only. */
    constructor(family: IpAddressFamily, connected?: Connected) {
      this.#family = family;
      this.#options = connected?.options ?? defaultOptions();
      if (connected !== undefined) {
        this.#state = 'connected';
        this.#conn = connected.conn;
        this.#local = connected.local;
        this.#remote = connected.remote;
      }
    }

    static create(family: IpAddressFamily): TcpSocket {
      if (family !== 'ipv4' && family !== 'ipv6') throw socketError('not-supported');
      return new TcpSocket(family);
    }

    bind(localAddress: IpSocketAddress): void {
      if (this.#state !== 'unbound') throw socketError('invalid-state');
      checkTcpAddress(localAddress, this.#family);
      ctx.check(localAddress);
      this.#bindKernel(hostOf(localAddress), localAddress.val.port);
    }

    #bindKernel(host: string, port: number): void {
      const handle = this.#openHandle();
      try {
        const out = bindHandle(handle, this.#family, host, port);
        this.#local = fromNodeAddress(out.address!, out.port!);
      } catch (e) {
        this.#closeHandle();
        throw toSocketError(e);
      }
      this.#state = 'bound';
    }

    /** A new kernel handle, counted by the host (whose close() closes the socket). */
    #openHandle(): TcpHandle {
      const slot = ctx.open.open(() => {
        this.#state = 'closed';
        this.#closeHandle();
      });
      try {
        this.#handle = newHandle();
      } catch (e) {
        slot.release();
        throw toSocketError(e);
      }
      this.#slot = slot;
      return this.#handle;
    }

    #closeHandle(): void {
      this.#handle?.close();
      this.#handle = undefined;
      this.#slot?.release();
      this.#slot = undefined;
    }

    async connect(remoteAddress: IpSocketAddress): Promise<void> {
      if (this.#state !== 'unbound' && this.#state !== 'bound') throw socketError('invalid-state');
      checkTcpAddress(checkRemoteAddress(remoteAddress, this.#family), this.#family);
      this.#state = 'connecting';
      try {
        let c = await this.#connectVirtual(remoteAddress);
        if (c === undefined) {
          // Dropped while the hook ran: its explicit bind is gone and no one would own the connection.
          if (this.#dropped) throw socketError('invalid-state');
          c = await this.#connectKernel(remoteAddress);
        }
        if (this.#dropped) {
          c.conn.release();
          return;
        }
        this.#conn = c.conn;
        // A virtual connection's own address: an explicit bind's port was given back.
        this.#local = c.local;
        this.#remote = c.remote;
        this.#state = 'connected';
        if (this.#options.keepAlive) this.#applyKeepAlive();
      } catch (e) {
        // A failed connect leaves the socket closed: the only thing left is to drop it.
        this.#state = 'closed';
        this.#closeHandle();
        throw toSocketError(e);
      }
    }

    /** Asks the VirtualNetwork first; undefined if it does not serve `remote`. */
    async #connectVirtual(remote: IpSocketAddress): Promise<(Connected & { conn: Conn }) | undefined> {
      const serve = ctx.virtual.connect;
      if (serve === undefined) return undefined;
      // No room for another connection: refused before the hook opens anything (a bound
      // socket's place would go to the virtual connection, so it always has room).
      if (this.#slot === undefined) ctx.open.ensureRoom();
      let vc: unknown;
      try {
        vc = await serve.call(ctx.virtual, toNodeAddress(remote));
      } catch {
        throw socketError('connection-refused');
      }
      if (vc === undefined) return undefined;
      if (!isVirtualConnection(vc)) throw socketError('connection-refused');
      // No kernel socket: an explicit bind's handle is not needed any more.
      this.#closeHandle();
      const local: IpSocketAddress =
        this.#family === 'ipv4'
          ? { tag: 'ipv4', val: { port: ctx.nextVirtualPort(), address: [127, 0, 0, 1] } }
          : {
              tag: 'ipv6',
              val: { port: ctx.nextVirtualPort(), flowInfo: 0, address: [0, 0, 0, 0, 0, 0, 0, 1], scopeId: 0 },
            };
      return { conn: this.#trackVirtual(vc), local, remote, options: this.#options };
    }

    /** A virtual connection, counted by the host until its last handle goes. */
    #trackVirtual(vc: VirtualConnection): VirtualConn {
      let slot: Slot;
      try {
        slot = ctx.open.open(() => {});
      } catch (e) {
        discard(vc);
        throw e;
      }
      const conn = new VirtualConn(vc, () => slot.release());
      slot.closeWith(() => conn.destroy());
      return conn;
    }

    async #connectKernel(remote: IpSocketAddress): Promise<Connected> {
      ctx.check(remote);
      const handle = this.#handle ?? this.#openHandle();
      const socket = await connectHandle(handle, this.#family, hostOf(remote), remote.val.port);
      // The net.Socket owns the handle now, and the connection the host's count of it.
      const slot = this.#slot;
      this.#handle = undefined;
      this.#slot = undefined;
      if (slot === undefined) {
        // Closed (dropped, or by the host) between the kernel's answer and this continuation.
        socket.destroy();
        throw socketError('invalid-state');
      }
      const conn = trackNode(socket, slot);
      // Read from the handle, not the net.Socket: a peer that resets at once must not lose them.
      let local: IpSocketAddress;
      try {
        const out = localOf(handle);
        local = fromNodeAddress(out.address!, out.port!);
      } catch {
        local = this.#local ?? unspecified(this.#family);
      }
      return { conn, local, remote, options: this.#options };
    }

    listen(): AsyncIterable<TcpSocket> {
      if (this.#state !== 'unbound' && this.#state !== 'bound') throw socketError('invalid-state');
      if (this.#state === 'unbound') {
        // The implicit bind, done here as Wasmtime does (not every OS binds on listen).
        ctx.check(unspecified(this.#family));
        this.#bindKernel(this.#family === 'ipv4' ? '0.0.0.0' : '::', 0);
      } else {
        ctx.check(this.#local!);
      }
      const handle = this.#handle!;
      const slot = this.#slot!;
      const listener = new Listener<TcpSocket>(handle, this.#backlog, () => slot.release());
      try {
        listenHandle(handle, this.#backlog, (status, client) => {
          // An accept error (ECONNABORTED, ...) is skipped: the stream stays operational.
          // From libuv, so nothing may throw out of here.
          if (status !== 0 || client === undefined) return;
          try {
            this.#accepted(listener, client);
          } catch {
            client.close();
          }
        });
      } catch (e) {
        throw toSocketError(e);
      }
      const out = localOf(handle);
      this.#local = fromNodeAddress(out.address!, out.port!);
      // The listener owns the handle now: the host's close() ends it and its accept stream.
      slot.closeWith(() => listener.destroy());
      this.#slot = undefined;
      this.#listener = listener;
      this.#state = 'listening';
      return listener.stream();
    }

    #accepted(listener: Listener<TcpSocket>, client: TcpHandle): void {
      let slot: Slot;
      try {
        slot = ctx.open.open(() => client.close());
      } catch {
        client.close(); // past maxSockets, or the host was closed
        return;
      }
      const socket = wrapConnected(client);
      const conn = trackNode(socket, slot);
      let addrs: { local: IpSocketAddress; remote: IpSocketAddress };
      try {
        addrs = addressesOf(socket);
      } catch {
        conn.release(); // reset before we saw it
        return;
      }
      // Accepted sockets inherit the listener's options (the WIT lists which).
      const accepted = new TcpSocket(this.#family, { conn, ...addrs, options: { ...this.#options } });
      if (this.#options.keepAlive) accepted.#applyKeepAlive();
      listener.push(accepted);
    }

    send(data: StreamReader<number>): Promise<void> {
      if (this.#state !== 'connected' || this.#sendTaken) {
        dropStream(data);
        return failed('invalid-state');
      }
      this.#sendTaken = true;
      return this.#conn!.send(data);
    }

    receive(): [ReceiveSource | Iterable<never>, Promise<void>] {
      if (this.#state !== 'connected' || this.#receiveTaken) return [[], failed('invalid-state')];
      this.#receiveTaken = true;
      return this.#conn!.receive();
    }

    getLocalAddress(): IpSocketAddress {
      if (this.#local === undefined || this.#state === 'connecting' || this.#state === 'closed') {
        throw socketError('invalid-state');
      }
      return this.#local;
    }

    getRemoteAddress(): IpSocketAddress {
      if (this.#state !== 'connected') throw socketError('invalid-state');
      return this.#remote!;
    }

    getIsListening(): boolean {
      return this.#state === 'listening';
    }

    getAddressFamily(): IpAddressFamily {
      return this.#family;
    }

    setListenBacklogSize(value: bigint): void {
      const n = backlogSize(value);
      if (this.#state === 'listening') {
        // Linux takes a second listen() as a new backlog; elsewhere it may not.
        if (this.#handle!.listen(n) !== 0) throw socketError('not-supported');
        this.#listener!.backlog = n;
      } else if (this.#state !== 'unbound' && this.#state !== 'bound') {
        throw socketError('invalid-state');
      }
      this.#backlog = n;
    }

    /** Options are there in every state but these two (Wasmtime has no socket to ask then). */
    #opts(): TcpOptions {
      if (this.#state === 'connecting' || this.#state === 'closed') throw socketError('invalid-state');
      return this.#options;
    }

    #applyKeepAlive(): void {
      try {
        this.#conn?.setKeepAlive(this.#options.keepAlive, Number(this.#options.keepAliveIdle / 1_000_000_000n));
      } catch {
        // a connection already gone keeps no options
      }
    }

    getKeepAliveEnabled(): boolean {
      return this.#opts().keepAlive;
    }
    setKeepAliveEnabled(value: boolean): void {
      if (typeof value !== 'boolean') throw socketError('invalid-argument');
      this.#opts().keepAlive = value;
      this.#applyKeepAlive();
    }
    getKeepAliveIdleTime(): bigint {
      return this.#opts().keepAliveIdle;
    }
    setKeepAliveIdleTime(value: bigint): void {
      const v = keepAliveTime(value);
      this.#opts().keepAliveIdle = v;
      if (this.#options.keepAlive) this.#applyKeepAlive();
    }
    getKeepAliveInterval(): bigint {
      return this.#opts().keepAliveInterval;
    }
    setKeepAliveInterval(value: bigint): void {
      const v = keepAliveTime(value);
      this.#opts().keepAliveInterval = v;
    }
    getKeepAliveCount(): number {
      return this.#opts().keepAliveCount;
    }
    setKeepAliveCount(value: number): void {
      const v = keepAliveCount(value);
      this.#opts().keepAliveCount = v;
    }
    getHopLimit(): number {
      return this.#opts().hopLimit;
    }
    setHopLimit(value: number): void {
      const v = hopLimit(value);
      this.#opts().hopLimit = v;
    }
    getReceiveBufferSize(): bigint {
      return this.#opts().receiveBuffer;
    }
    setReceiveBufferSize(value: bigint): void {
      const v = BigInt(bufferSize(value));
      this.#opts().receiveBuffer = v;
    }
    getSendBufferSize(): bigint {
      return this.#opts().sendBuffer;
    }
    setSendBufferSize(value: bigint): void {
      const v = BigInt(bufferSize(value));
      this.#opts().sendBuffer = v;
    }

    /** The guest dropped its handle: the socket goes once its streams are done too (shared ownership). */
    [Symbol.dispose](): void {
      if (this.#dropped) return;
      this.#dropped = true;
      // A listening handle belongs to the listener, which the accept stream may still use.
      if (this.#listener !== undefined) this.#listener.release();
      else this.#closeHandle();
      this.#conn?.release();
    }
  }
  return TcpSocket;
}

export type TcpSocketClass = ReturnType<typeof tcpSocketClass>;
export type TcpSocket = InstanceType<TcpSocketClass>;
