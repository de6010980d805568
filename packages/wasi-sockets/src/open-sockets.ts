// Everything one createSockets() host has open (kernel sockets, listeners, virtual connections),
// so that the host's close() can end them all when its instance is retired or traps, and so that
// a guest cannot open more than `maxSockets` of them (each kernel one is a file descriptor).

import { socketError } from './errors.ts';

/** One open socket or connection, as the host counts it. */
export interface Slot {
  /** What closing it takes from now on (a bound handle that became a connection or a listener). */
  closeWith(close: () => void): void;
  /** It closed by itself: it no longer counts. Idempotent. */
  release(): void;
}

export class OpenSockets {
  readonly #open = new Map<object, () => void>();
  readonly #max: number;
  #closed = false;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#open.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Counts something about to be opened: `out-of-memory` past the limit (what WASI 0.3 has for
   * resource exhaustion, as Wasmtime reports it), `access-denied` once the host was closed.
   */
  open(close: () => void): Slot {
    this.ensureRoom();
    const key = {};
    this.#open.set(key, close);
    return {
      closeWith: (c) => {
        if (this.#open.has(key)) this.#open.set(key, c);
      },
      release: () => {
        this.#open.delete(key);
      },
    };
  }

  /** Throws what `open` would (out-of-memory, access-denied) without counting anything. */
  ensureRoom(): void {
    if (this.#closed) throw socketError('access-denied');
    if (this.#open.size >= this.#max) throw socketError('out-of-memory');
  }

  /** Closes everything still open; nothing opens after this. */
  closeAll(): void {
    this.#closed = true;
    for (const [key, close] of [...this.#open]) {
      this.#open.delete(key);
      try {
        close();
      } catch {
        // already gone
      }
    }
  }
}
