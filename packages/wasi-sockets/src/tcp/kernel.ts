// The kernel side of a tcp-socket: libuv TCP handles from Node's `tcp_wrap` binding, the one
// way in Node to bind a socket synchronously (WASI's `bind` returns its result and port at once)
// before connecting or listening on it. A connected handle becomes an ordinary net.Socket.

import type { Socket } from 'node:net';
import type { IpAddressFamily } from '../address.ts';
import { builtin } from '../builtins.ts';
import { socketError } from '../errors.ts';

/** The parts of a libuv TCP handle (src/tcp_wrap.cc) used here. */
export interface TcpHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: ConnectReq, address: string, port: number): number;
  connect6(req: ConnectReq, address: string, port: number): number;
  getsockname(out: NodeAddress): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  onconnection: ((status: number, client?: TcpHandle) => void) | null;
}
export interface NodeAddress {
  address?: string;
  port?: number;
  family?: string;
  flowinfo?: number;
  scopeid?: number;
}
interface ConnectReq {
  oncomplete: (status: number) => void;
  address: string;
  port: number;
  localAddress: string;
  localPort: number;
}
interface TcpWrap {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectReq;
  constants: { SOCKET: number; SERVER: number };
}

/** libuv's UV_TCP_IPV6ONLY: WASI's IPv6 sockets are v6-only. */
const IPV6ONLY = 1;

function tcpWrap(): TcpWrap {
  // process.binding is deprecated for general use but is the only synchronous bind in Node
  // (Node caches the module); looked up on use so merely importing the package costs nothing.
  const p = (globalThis as { process?: { binding?(name: string): TcpWrap } }).process;
  if (typeof p?.binding !== 'function') throw socketError('not-supported');
  return p.binding('tcp_wrap');
}

/** A libuv status (a negative errno) as an Error with Node's `code`, for errorCodeOf. */
export function uvError(status: number): Error & { code: string } {
  const util = builtin<typeof import('node:util')>('node:util');
  const code = util?.getSystemErrorName(status) ?? `errno ${-status}`;
  return Object.assign(new Error(code), { code });
}

export function newHandle(): TcpHandle {
  const w = tcpWrap();
  return new w.TCP(w.constants.SOCKET);
}

/**
 * Binds `handle`; throws the errno. libuv reports EADDRINUSE only at the next listen or connect
 * (its "delayed error"), so a getsockname right after the bind brings it forward.
 */
export function bindHandle(handle: TcpHandle, family: IpAddressFamily, address: string, port: number): NodeAddress {
  const err = family === 'ipv4' ? handle.bind(address, port) : handle.bind6(address, port, IPV6ONLY);
  if (err !== 0) throw uvError(err);
  const out: NodeAddress = {};
  const e2 = handle.getsockname(out);
  if (e2 !== 0) throw uvError(e2);
  return out;
}

export function localOf(handle: TcpHandle): NodeAddress {
  const out: NodeAddress = {};
  const err = handle.getsockname(out);
  if (err !== 0) throw uvError(err);
  return out;
}

/** Connects `handle` (bound or not: the kernel binds it implicitly); resolves with it as a net.Socket. */
export function connectHandle(
  handle: TcpHandle,
  family: IpAddressFamily,
  address: string,
  port: number,
): Promise<Socket> {
  const w = tcpWrap();
  return new Promise((resolve, reject) => {
    const req = new w.TCPConnectWrap();
    req.address = address;
    req.port = port;
    req.localAddress = '';
    req.localPort = 0;
    // Runs from libuv: nothing may throw out of it (that would be the process's uncaught exception).
    req.oncomplete = (status) => {
      try {
        if (status !== 0) reject(uvError(status));
        else resolve(wrapConnected(handle));
      } catch (e) {
        reject(e);
      }
    };
    const err = family === 'ipv4' ? handle.connect(req, address, port) : handle.connect6(req, address, port);
    if (err !== 0) reject(uvError(err));
  });
}

/** A connected handle as a paused, half-open-capable net.Socket. */
export function wrapConnected(handle: TcpHandle): Socket {
  const net = builtin<typeof import('node:net')>('node:net')!;
  return new net.Socket({
    handle: handle as never,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    pauseOnCreate: true,
  } as never);
}

/** Starts listening; each accepted connection (or accept error) goes to `onConnection`. */
export function listenHandle(
  handle: TcpHandle,
  backlog: number,
  onConnection: (status: number, client?: TcpHandle) => void,
): void {
  handle.onconnection = onConnection;
  const err = handle.listen(backlog);
  if (err !== 0) {
    handle.onconnection = null;
    throw uvError(err);
  }
}
