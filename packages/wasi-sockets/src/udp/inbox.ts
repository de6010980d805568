// Datagrams that arrived before the guest asked for them, and the receives waiting for one.
// Bounded like a kernel's receive queue: what does not fit is dropped, never buffered.

import type { IpSocketAddress } from '../address.ts';
import { DATAGRAM_OVERHEAD } from './limits.ts';

export interface Datagram {
  data: Uint8Array;
  from: IpSocketAddress;
}

interface Waiter {
  resolve(d: Datagram): void;
  reject(e: unknown): void;
}

export class Inbox {
  readonly #queue: Datagram[] = [];
  #bytes = 0;
  readonly #waiters: Waiter[] = [];
  /** A failure the kernel reported with no receive waiting (an ICMP error): the next receive gets it, once. */
  #error: unknown;
  #closed: unknown;
  /** Datagrams dropped for want of room, for tests and diagnostics. */
  dropped = 0;

  /**
   * @param budget the bytes the queue may hold now (the socket's receive buffer size);
   * @param onWaiting told when receives start and stop waiting (the socket holds the event loop only then).
   */
  readonly budget: () => number;
  readonly onWaiting: (waiting: boolean) => void;

  constructor(budget: () => number, onWaiting: (waiting: boolean) => void) {
    this.budget = budget;
    this.onWaiting = onWaiting;
  }

  /** A datagram from the kernel: to a waiting receive, else queued if it fits (always when the queue is empty). */
  deliver(d: Datagram): void {
    const w = this.#waiters.shift();
    if (w !== undefined) {
      if (this.#waiters.length === 0) this.onWaiting(false);
      w.resolve(d);
      return;
    }
    const cost = d.data.byteLength + DATAGRAM_OVERHEAD;
    if (this.#queue.length > 0 && this.#bytes + cost > this.budget()) {
      this.dropped++;
      return;
    }
    this.#queue.push(d);
    this.#bytes += cost;
  }

  /** An asynchronous socket error: the first waiting receive fails with it, else the next one. */
  fail(e: unknown): void {
    const w = this.#waiters.shift();
    if (w === undefined) {
      this.#error = e;
      return;
    }
    if (this.#waiters.length === 0) this.onWaiting(false);
    w.reject(e);
  }

  next(): Promise<Datagram> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (this.#error !== undefined) {
      const e = this.#error;
      this.#error = undefined;
      return Promise.reject(e);
    }
    const d = this.#queue.shift();
    if (d !== undefined) {
      this.#bytes -= d.data.byteLength + DATAGRAM_OVERHEAD;
      return Promise.resolve(d);
    }
    return new Promise<Datagram>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (this.#waiters.length === 1) this.onWaiting(true);
    });
  }

  /** Drops the queued datagrams `keep` refuses (on connect: those from other peers). */
  retain(keep: (d: Datagram) => boolean): void {
    const kept = this.#queue.filter(keep);
    this.#queue.length = 0;
    this.#bytes = 0;
    for (const d of kept) {
      this.#queue.push(d);
      this.#bytes += d.data.byteLength + DATAGRAM_OVERHEAD;
    }
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The socket is gone: waiting and later receives fail with `reason`; the queue is freed. */
  close(reason: unknown): void {
    this.#closed = reason;
    this.#queue.length = 0;
    this.#bytes = 0;
    const waiters = this.#waiters.splice(0);
    if (waiters.length > 0) this.onWaiting(false);
    for (const w of waiters) w.reject(reason);
  }
}
