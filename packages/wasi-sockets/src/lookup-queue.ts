// How many host lookups one createSockets() host runs at once. Each dns.lookup holds one of
// libuv's threadpool threads (4 by default) for as long as the resolver takes, and Node's fs,
// crypto and zlib share that pool: a guest asking for many slow names must not stall them.

import { lookupError } from './errors.ts';

/** Lookups waiting for a turn beyond this are `temporary-resolver-failure` (the guest may retry). */
const MAX_WAITING = 256;

export class LookupQueue {
  readonly #max: number;
  #running = 0;
  #waiting: Array<{ go(): void; stop(e: unknown): void }> = [];
  #closed = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** Runs `f` once fewer than `max` lookups run; the rest wait in order. */
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.#closed) throw lookupError('access-denied');
    if (this.#running >= this.#max) {
      if (this.#waiting.length >= MAX_WAITING) throw lookupError('temporary-resolver-failure');
      // A lookup that finishes hands its turn to the first waiting one (#running stays the same).
      await new Promise<void>((go, stop) => this.#waiting.push({ go, stop }));
    } else {
      this.#running++;
    }
    try {
      return await f();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next.go();
      else this.#running--;
    }
  }

  /** The host was closed: waiting lookups fail, new ones are refused (running ones finish). */
  close(): void {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.stop(lookupError('access-denied'));
  }
}
