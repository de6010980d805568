// What a guest's body has at hand now: a small body the guest wrote before returning its
// response goes out in one piece (node:http: with a Content-Length; fetch: a complete
// Response that holds no instance), a streaming one goes out as it comes.

const later: (f: () => void) => unknown =
  (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate ?? ((f) => setTimeout(f, 0));

/**
 * "Before the event loop turns", for many waiters: one macrotask per turn ends every wait
 * begun in it (a server shares one; a macrotask per wait costs more than the wait), and
 * lets work deferred to the turn's end run together (`turn`, `at`).
 */
export class Turns {
  #waiting: (() => void)[] = [];
  #armed = false;
  readonly #turn = (): void => {
    this.#armed = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const f of waiting) f();
  };

  /**
   * Runs `f` when the event loop turns (with every other wait begun in this turn): one Promise,
   * of its result.
   */
  at<T>(f: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#wait(() => {
        try {
          resolve(f());
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** `f` runs when the event loop turns. */
  #wait(f: () => void): void {
    this.#waiting.push(f);
    if (!this.#armed) {
      this.#armed = true;
      later(this.#turn);
    }
  }

  /** Resolves when the event loop turns (with every other wait begun in this turn). */
  turn(): Promise<void> {
    return new Promise((resolve) => this.#wait(resolve));
  }

  /** `p`'s value if it settles before the event loop turns, else `undefined` (p keeps going). */
  soon<T>(p: Promise<T>): Promise<{ value: T } | undefined> {
    return new Promise((resolve, reject) => {
      let settled = false;
      this.#wait(() => {
        if (!settled) {
          settled = true;
          resolve(undefined);
        }
      });
      p.then(
        (value) => {
          if (settled) return;
          settled = true;
          resolve({ value });
        },
        (e) => {
          if (settled) return;
          settled = true;
          reject(e);
        },
      );
    });
  }
}

/** `p`'s value if it settles before the event loop turns, else `undefined` (p keeps going). */
export function soon<T>(p: Promise<T>, turns: Turns = new Turns()): Promise<{ value: T } | undefined> {
  return turns.soon(p);
}

export interface Prefetched {
  /** Chunks already read. */
  chunks: Uint8Array[];
  bytes: number;
  /** The body ended within them. */
  ended: boolean;
  /** The read in progress when not ended. */
  pending: Promise<IteratorResult<Uint8Array>> | undefined;
}

/** Reads what `it` has at hand, up to about `limit` bytes. */
export async function prefetch(
  it: AsyncIterator<Uint8Array>,
  limit: number,
  turns: Turns = new Turns(),
): Promise<Prefetched> {
  const out: Prefetched = { chunks: [], bytes: 0, ended: false, pending: it.next() };
  while (out.bytes < limit) {
    const r = await turns.soon(out.pending!);
    if (r === undefined) break;
    if (r.value.done) {
      out.ended = true;
      out.pending = undefined;
      break;
    }
    out.chunks.push(r.value.value);
    out.bytes += r.value.value.byteLength;
    out.pending = it.next();
  }
  return out;
}
