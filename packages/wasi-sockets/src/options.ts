// The public options of @weft/wasi-sockets: what a host grants a guest's network.

export interface SocketsOptions {
  network?: NetworkOptions;
}

export interface NetworkOptions {
  /** Allow every address and the host's name lookup (`weft run --inherit-network`). */
  inherit?: boolean;
  /** Allowed addresses, 'HOST:PORTS': HOST an IPv4 address, '[IPv6]', a CIDR ('10.0.0.0/8', '[fd00::]/8') or '*';
   *  PORTS '*', 'N' or 'N-M' (`weft run --allow-net 127.0.0.1:8000-9000`, repeatable). Checked on tcp bind/connect/listen
   *  and udp bind/connect/send; a refused attempt gets `access-denied` and makes no kernel call. Default: nothing. */
  allow?: string[];
  /** Let ip-name-lookup use the host's resolver. Default: true with `inherit`, else false (virtual names always resolve). */
  lookup?: boolean;
  /** Addresses served by JS code instead of the kernel; consulted first, needs no allow rule. */
  virtual?: VirtualNetwork;
  /** Most sockets and connections the host keeps open at once (kernel sockets, accepted and
   *  virtual connections); past it, what would open one fails with `out-of-memory` and an
   *  accepted connection is closed. Default 256. */
  maxSockets?: number;
  /** Most host resolver lookups running at once (each holds a libuv threadpool thread); the rest
   *  wait their turn. Default 2. */
  maxLookups?: number;
}

export interface VirtualNetwork {
  /** Addresses for a name, answered before (and instead of) DNS; undefined: not a virtual name. */
  resolve?(name: string): string[] | undefined;
  /** A TCP connection to `remote`; undefined: not a virtual address (the policy decides as usual). */
  connect?(remote: SocketAddress): VirtualConnection | undefined | Promise<VirtualConnection | undefined>;
}

export interface SocketAddress {
  address: string;
  port: number;
  family: 'ipv4' | 'ipv6';
}

/** A byte connection as web streams: the shape of Cloudflare's `connect()` and of `Duplex.toWeb(socket)`. */
export interface VirtualConnection {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
