// unicast-hop-limit and the buffer sizes. Node opens the kernel socket only at bind, so a value
// set before then is kept here and applied by `apply` when the socket is bound; the hop limit is
// always answered from here, as node:dgram can set IP_TTL but not read it.

import type { Socket } from 'node:dgram';
import { errorCodeOf, toSocketError } from '../errors.ts';
import { bufferSize, DEFAULT_BUFFER_SIZE, DEFAULT_HOP_LIMIT, hopLimit } from '../option-values.ts';
import { MAX_INBOX_BYTES } from './limits.ts';

type Buffer = 'receive' | 'send';

/** Linux doubles SO_RCVBUF/SO_SNDBUF for its bookkeeping and reports the doubled value; halve it back (as Wasmtime). */
const reportedSize = (kernel: number): number => (process.platform === 'linux' ? Math.floor(kernel / 2) : kernel);

export class SocketOptions {
  #hopLimit = DEFAULT_HOP_LIMIT;
  #hopLimitSet = false;
  readonly #size: Record<Buffer, number | undefined> = { receive: undefined, send: undefined };

  get hopLimit(): number {
    return this.#hopLimit;
  }

  setHopLimit(value: unknown, bound: Socket | undefined): void {
    const v = hopLimit(value);
    bound?.setTTL(v);
    this.#hopLimit = v;
    this.#hopLimitSet = true;
  }

  bufferSize(which: Buffer, bound: Socket | undefined): bigint {
    if (bound === undefined) return BigInt(this.#size[which] ?? DEFAULT_BUFFER_SIZE.udp[which]);
    const kernel = kernelCall(() => (which === 'receive' ? bound.getRecvBufferSize() : bound.getSendBufferSize()));
    return BigInt(reportedSize(kernel));
  }

  setBufferSize(which: Buffer, value: unknown, bound: Socket | undefined): void {
    const n = bufferSize(value);
    if (bound !== undefined) setKernelSize(bound, which, n);
    this.#size[which] = n;
    if (which === 'receive') this.#updateBudget(bound);
  }

  /**
   * The bytes the host may queue for the guest: its receive buffer size as the kernel reports it
   * once bound (clamped there), never more than MAX_INBOX_BYTES. Kept current by set and apply.
   */
  get receiveBudget(): number {
    return this.#budget;
  }
  #budget: number = DEFAULT_BUFFER_SIZE.udp.receive;

  #updateBudget(bound: Socket | undefined): void {
    this.#budget = Math.min(MAX_INBOX_BYTES, Number(this.bufferSize('receive', bound)));
  }

  /** Applies what was set before the socket was bound. */
  apply(socket: Socket): void {
    if (this.#hopLimitSet) socket.setTTL(this.#hopLimit);
    for (const which of ['receive', 'send'] as const) {
      const n = this.#size[which];
      if (n !== undefined) setKernelSize(socket, which, n);
    }
    this.#updateBudget(socket);
  }
}

/** node:dgram's buffer-size errors carry the errno in `info.code`: rethrown with it as `code`, for errors.ts. */
function kernelCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = (e as { info?: { code?: unknown } } | null)?.info?.code;
    throw typeof code === 'string' ? toSocketError({ code }) : e;
  }
}

/** The sizes are hints: a kernel that refuses one for want of memory (ENOBUFS, the BSDs) keeps its own, as Wasmtime. */
function setKernelSize(socket: Socket, which: Buffer, n: number): void {
  try {
    kernelCall(() => (which === 'receive' ? socket.setRecvBufferSize(n) : socket.setSendBufferSize(n)));
  } catch (e) {
    if (errorCodeOf(e).tag !== 'out-of-memory') throw e;
  }
}
