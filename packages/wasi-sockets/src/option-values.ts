// The socket options tcp and udp share (hop limit, receive and send buffer sizes): one check of
// what the guest passes, one clamp, and the values a socket reports before the guest sets any.

import { socketError } from './errors.ts';

/** SO_RCVBUF/SO_SNDBUF take a C int: larger requests are clamped (the WIT allows clamping). */
export const MAX_BUFFER_SIZE = 0x7fff_ffff;

/** Linux's default IP_TTL and IPV6_UNICAST_HOPS. */
export const DEFAULT_HOP_LIMIT = 64;

/**
 * What `get-*-buffer-size` reports before the guest sets a size: Linux's defaults, halved as the
 * getters halve what Linux reports (it doubles SO_RCVBUF/SO_SNDBUF for its bookkeeping; Wasmtime
 * halves too). They differ by protocol because Linux's do: tcp_rmem/tcp_wmem (131072 / 16384)
 * for TCP, rmem_default/wmem_default (212992) for UDP.
 */
export const DEFAULT_BUFFER_SIZE = {
  tcp: { receive: 65536, send: 8192 },
  udp: { receive: 106496, send: 106496 },
} as const;

/** A hop limit the guest sets: 1 to 255 (`invalid-argument` otherwise, 0 included). */
export function hopLimit(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 255) throw socketError('invalid-argument');
  return v;
}

/** A buffer size the guest sets: a u64 above 0 (`invalid-argument` otherwise), clamped to MAX_BUFFER_SIZE. */
export function bufferSize(v: unknown): number {
  if (typeof v !== 'bigint' || v <= 0n || v > 0xffff_ffff_ffff_ffffn) throw socketError('invalid-argument');
  return v > BigInt(MAX_BUFFER_SIZE) ? MAX_BUFFER_SIZE : Number(v);
}
