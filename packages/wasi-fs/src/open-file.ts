// An open backend handle shared by a descriptor and the transfers it started (0.3's and 0.2's
// bindings alike): a guest may drop its descriptor while a read-via-stream is still running, and
// the stream keeps working (as a dup'ed file descriptor would). The handle closes when the last
// user lets go.

import type { Backend, Handle } from './backend.ts';

export class OpenFile {
  readonly backend: Backend;
  readonly handle: Handle;
  #users = 1;

  constructor(backend: Backend, handle: Handle) {
    this.backend = backend;
    this.handle = handle;
  }

  /** One more user (a transfer); pair with release(). */
  retain(): this {
    this.#users++;
    return this;
  }

  release(): void {
    if (--this.#users !== 0) return;
    try {
      this.backend.close(this.handle);
    } catch {
      // Already unusable (a MemoryBackend restored, a preopen moved): nothing left to release.
    }
  }
}
