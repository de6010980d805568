// A VirtualNetwork that gives a guest speaking plaintext TCP a TLS connection it never sees: the
// guest resolves `name` to a virtual address and connects to it; the host answers that connect
// with node:tls running over a JS Duplex (no file descriptor), and only that Duplex's ciphertext
// goes over a real TCP connection to the upstream server. The guest's bytes are the TLS layer's
// plaintext, so nothing it sends or receives crosses the wire in the clear.

import { connect as tcpConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { SocketAddress, VirtualConnection, VirtualNetwork } from '@weft/wasi-sockets';

export interface TlsNetworkOptions {
  /** The host name the guest resolves (matched without regard to case), e.g. 'api.example'. */
  name: string;
  /** The virtual address `name` resolves to; no kernel socket ever uses it. Default 10.255.0.1. */
  address?: string;
  /** The port the guest connects to on the virtual address. Default 443. */
  port?: number;
  /** Where the ciphertext goes: a real TCP server that speaks TLS for `name`. */
  upstream: { host: string; port: number };
  /** Trusted CA certificates (PEM) for the upstream's certificate; default Node's bundled ones. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Called with each TLS connection once its handshake is done (e.g. to log the cipher). */
  onSecure?: (tls: TLSSocket) => void;
  /** Sees each chunk of ciphertext as it goes to (`out`) or comes from (`in`) the upstream. */
  onWire?: (direction: 'out' | 'in', chunk: Uint8Array) => void;
  /** Milliseconds for the upstream TCP connect and the TLS handshake together; past it the
   *  guest's connect fails (connection-refused). Default 10000. */
  timeoutMs?: number;
  /** Most upstream connections open at once through this network (each guest connect opens
   *  one); past it a guest's connect fails (connection-refused). Default 16. */
  maxConnections?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 16;

/**
 * `name` → `address`, and a connect to `address:port` → TLS to `upstream`, certificate checked
 * against `name`. Any other name or address is not virtual: the host's policy decides as usual.
 */
export function tlsVirtualNetwork(options: TlsNetworkOptions): VirtualNetwork {
  const address = options.address ?? '10.255.0.1';
  const port = options.port ?? 443;
  const name = options.name.toLowerCase();
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  let open = 0;
  return {
    resolve: (asked) => (asked.toLowerCase() === name ? [address] : undefined),
    connect: (remote: SocketAddress) => {
      if (remote.address !== address || remote.port !== port) return undefined;
      // Thrown before any upstream connection: the guest's connect is connection-refused.
      if (open >= max) throw new Error(`${options.name}: ${max} upstream connections open already`);
      open++;
      return openTls(options, () => open--);
    },
  };
}

/**
 * TLS over a fresh TCP connection to the upstream, as web streams of plaintext. `onClosed` is
 * called once, when the upstream connection is gone (failed, timed out or closed).
 */
async function openTls(options: TlsNetworkOptions, onClosed: () => void): Promise<VirtualConnection> {
  const wire = tcpConnect(options.upstream);
  wire.once('close', onClosed);
  // One deadline for the TCP connect and the handshake: a silent upstream cannot hold the guest.
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${options.name}: no TLS connection within ${ms} ms`)), ms);
  });
  let tls: TLSSocket | undefined;
  try {
    await Promise.race([
      deadline,
      new Promise<void>((resolve, reject) => {
        wire.once('connect', resolve);
        wire.once('error', reject);
      }),
    ]);
    const secure = tlsConnect({
      socket: fdlessDuplex(wire, options.onWire),
      servername: options.name,
      ca: options.ca,
      ALPNProtocols: ['http/1.1'],
    });
    tls = secure;
    await Promise.race([
      deadline,
      new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      }),
    ]);
  } catch (e) {
    tls?.destroy();
    wire.destroy();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  options.onSecure?.(tls);
  // Later errors end the guest's streams (connection-reset and the like), not the process.
  tls.on('error', () => {});
  const { readable, writable } = Duplex.toWeb(tls);
  return {
    readable: readable as ReadableStream<Uint8Array>,
    writable: writable as WritableStream<Uint8Array>,
  };
}

/**
 * A Duplex with no handle of its own that passes bytes to and from `wire`: node:tls then runs
 * its record layer in JS over it (as it would over any user-space transport), instead of
 * attaching to the socket's file descriptor.
 */
function fdlessDuplex(wire: Socket, onWire: TlsNetworkOptions['onWire']): Duplex {
  const duplex = new Duplex({
    write(chunk, _encoding, callback) {
      onWire?.('out', chunk);
      wire.write(chunk, callback);
    },
    final(callback) {
      wire.end(callback);
    },
    read() {
      wire.resume();
    },
    destroy(error, callback) {
      wire.destroy(error ?? undefined);
      callback(error);
    },
  });
  wire.on('data', (chunk: Buffer) => {
    onWire?.('in', chunk);
    if (!duplex.push(chunk)) wire.pause();
  });
  wire.on('end', () => duplex.push(null));
  wire.on('error', (e) => duplex.destroy(e));
  return duplex;
}
