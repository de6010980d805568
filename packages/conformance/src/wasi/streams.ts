// Bytes arriving from a child's stdout / stderr or a socket, kept whole (for
// failure reports) with a read cursor for the `read` / `recv` operations.

import type { Readable } from 'node:stream';

export class Timeout extends Error {
  override name = 'Timeout';
}

export class Incoming {
  private chunks: Buffer[] = [];
  private all: Buffer | undefined;
  private length = 0;
  private pos = 0;
  private ended = false;
  private wakers = new Set<() => void>();

  constructor(source: Readable) {
    source.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.all = undefined;
      this.length += d.length;
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    source.on('end', end);
    source.on('close', end);
    source.on('error', end);
  }

  /** Everything received so far. */
  bytes(): Buffer {
    this.all ??= Buffer.concat(this.chunks);
    return this.all;
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  /** The source ended and every byte has been taken. */
  done(): boolean {
    return this.ended && this.pos >= this.length;
  }

  /** The next `n` bytes, or fewer if the source ends first. */
  async take(n: number, signal: AbortSignal): Promise<Buffer> {
    await this.until(() => this.length - this.pos >= n || this.ended, signal);
    const out = this.bytes().subarray(this.pos, Math.min(this.pos + n, this.length));
    this.pos += out.length;
    return out;
  }

  /** The next line without its line break, or what is left if the source ends first. */
  async line(signal: AbortSignal): Promise<string> {
    let nl = -1;
    await this.until(() => (nl = this.bytes().indexOf(10, this.pos)) >= 0 || this.ended, signal);
    const end = nl >= 0 ? nl : this.length;
    const out = this.bytes().subarray(this.pos, end).toString('utf8');
    this.pos = nl >= 0 ? nl + 1 : end;
    return out.replace(/\r$/, '');
  }

  private wake(): void {
    for (const w of this.wakers) w();
  }

  private until(ready: () => boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ready()) done(resolve);
        else if (signal.aborted) done(() => reject(new Timeout('timed out')));
      };
      const done = (f: () => void) => {
        this.wakers.delete(check);
        signal.removeEventListener('abort', check);
        f();
      };
      this.wakers.add(check);
      signal.addEventListener('abort', check);
      check();
    });
  }
}

/** Resolves with `p`, or rejects with `Timeout` when `signal` aborts first. */
export function within<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Timeout('timed out'));
  return new Promise((resolve, reject) => {
    const abort = () => reject(new Timeout('timed out'));
    signal.addEventListener('abort', abort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
