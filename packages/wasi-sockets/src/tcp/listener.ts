// A listening tcp-socket's accept side: the `stream<tcp-socket>` listen returns. Connections
// the guest has not taken yet wait in a queue bounded by the listen backlog; past it, new ones
// are closed (what a full kernel backlog does), so a guest that stops accepting costs no memory.

import type { TcpHandle } from './kernel.ts';

/** At most this many accepted connections wait for the guest, whatever the backlog says. */
const MAX_QUEUE = 1024;
const DONE = Object.freeze({ done: true, value: undefined }) as IteratorResult<never>;

export interface Accepted {
  [Symbol.dispose](): void;
}

export class Listener<S extends Accepted> {
  readonly #handle: TcpHandle;
  readonly #queue: S[] = [];
  #limit: number;
  #waiters: Array<() => void> = [];
  /** The listening socket's handle and the accept stream each hold one. */
  #refs = 2;
  #closed = false;
  readonly #onClosed: () => void;

  /**
   * @param handle a listening handle: unref'd here, it holds the event loop only while an accept
   *   waits (as udp's receive), so a guest that never drops a listener cannot keep the host alive;
   * @param onClosed told once, when the handle is closed.
   */
  constructor(handle: TcpHandle, backlog: number, onClosed: () => void = () => {}) {
    this.#handle = handle;
    this.#limit = Math.min(backlog, MAX_QUEUE);
    this.#onClosed = onClosed;
    handle.unref();
  }

  set backlog(n: number) {
    this.#limit = Math.min(n, MAX_QUEUE);
  }

  /** A new connection (already a socket); dropped if the guest is this far behind. */
  push(socket: S): void {
    if (this.#closed || this.#queue.length >= this.#limit) {
      socket[Symbol.dispose]();
      return;
    }
    this.#queue.push(socket);
    this.#wake();
  }

  /** The accept stream: one socket per guest read, waiting for the next connection. */
  stream(): AsyncIterable<S> {
    let open = true;
    const next = async (): Promise<IteratorResult<S>> => {
      for (;;) {
        if (!open || this.#closed) return DONE;
        const s = this.#queue.shift();
        if (s !== undefined) return { done: false, value: s };
        await new Promise<void>((resolve) => {
          if (this.#waiters.length === 0) this.#handle.ref();
          this.#waiters.push(resolve);
        });
      }
    };
    return {
      [Symbol.asyncIterator]: () => ({
        next,
        return: async () => {
          if (open) {
            open = false;
            this.release();
          }
          return DONE;
        },
      }),
    };
  }

  /** Drops one reference; the last closes the listening socket and what still waits in the queue. */
  release(): void {
    if (--this.#refs > 0) return;
    this.destroy();
  }

  /** Closes the listening socket now (the host was closed, or the last reference went). */
  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handle.onconnection = null;
    this.#handle.close();
    for (const s of this.#queue.splice(0)) s[Symbol.dispose]();
    this.#wake();
    this.#onClosed();
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    if (waiters.length > 0 && !this.#closed) this.#handle.unref();
    for (const w of waiters) w();
  }
}
