// tcp-socket options: the spec's validation, and the values as the guest reads them back.
// Node exposes only keep-alive (enable + idle time) on a TCP socket; the other options are kept
// and reported as set (clamped as Wasmtime clamps them), and inherited by accepted sockets.

import { socketError } from '../errors.ts';
import { DEFAULT_BUFFER_SIZE, DEFAULT_HOP_LIMIT } from '../option-values.ts';

export { bufferSize, hopLimit } from '../option-values.ts';

const NS_PER_S = 1_000_000_000n;
/** Linux's limits, the lowest across platforms (Wasmtime clamps to the same). */
const MAX_KEEPALIVE_S = 32767n;
const MAX_KEEPALIVE_COUNT = 127;
export const DEFAULT_BACKLOG = 128;
const MAX_BACKLOG = 0x7fff_ffff;

export interface TcpOptions {
  keepAlive: boolean;
  /** nanoseconds, whole seconds (what the kernel takes) */
  keepAliveIdle: bigint;
  keepAliveInterval: bigint;
  keepAliveCount: number;
  hopLimit: number;
  receiveBuffer: bigint;
  sendBuffer: bigint;
}

/** Linux's defaults (the buffer sizes as the getters report them: see option-values.ts). */
export function defaultOptions(): TcpOptions {
  return {
    keepAlive: false,
    keepAliveIdle: 7200n * NS_PER_S,
    keepAliveInterval: 75n * NS_PER_S,
    keepAliveCount: 9,
    hopLimit: DEFAULT_HOP_LIMIT,
    receiveBuffer: BigInt(DEFAULT_BUFFER_SIZE.tcp.receive),
    sendBuffer: BigInt(DEFAULT_BUFFER_SIZE.tcp.send),
  };
}

const isU64 = (v: unknown): v is bigint => typeof v === 'bigint' && v >= 0n && v <= 0xffff_ffff_ffff_ffffn;
const isUint = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** A keep-alive duration: 0 is invalid; rounded up to whole seconds, at most Linux's maximum. */
export function keepAliveTime(v: unknown): bigint {
  if (!isU64(v) || v === 0n) throw socketError('invalid-argument');
  let s = (v + NS_PER_S - 1n) / NS_PER_S;
  if (s > MAX_KEEPALIVE_S) s = MAX_KEEPALIVE_S;
  return s * NS_PER_S;
}

export function keepAliveCount(v: unknown): number {
  if (!isUint(v, 0xffff_ffff) || v === 0) throw socketError('invalid-argument');
  return Math.min(v, MAX_KEEPALIVE_COUNT);
}

export function backlogSize(v: unknown): number {
  if (!isU64(v) || v === 0n) throw socketError('invalid-argument');
  return v > BigInt(MAX_BACKLOG) ? MAX_BACKLOG : Number(v);
}
