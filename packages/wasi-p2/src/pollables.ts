// Pollables for Weft's own 0.2 streams. They must be instances of
// preview2-shim's Pollable class (the linker checks `instanceof` against the
// class the `wasi:io/poll` import offers), but the shim's pollables live in
// its I/O worker; these answer from the main thread instead, and `poll`
// below routes a mixed list between the two kinds.

import { poll as shimPoll } from '@bytecodealliance/preview2-shim/io';

const ShimPollable = shimPoll.Pollable as unknown as new () => { ready(): boolean; block(): void | Promise<void> };

/**
 * A pollable whose readiness Weft computes in-process. `block` may return a
 * Promise: the guest then suspends on it (its instance must be able to, see
 * core's `hostImportsMaySuspend`; core says so clearly when it cannot).
 */
export abstract class LocalPollable extends ShimPollable {
  abstract override ready(): boolean;
  abstract override block(): void | Promise<void>;
  // The shim's dispose would message its worker about an id we never had.
  [Symbol.dispose](): void {}
}

/** Always ready: output streams here never refuse a write. */
export class ReadyPollable extends LocalPollable {
  override ready(): boolean {
    return true;
  }
  override block(): void {}
}

/** Ready when `test` says so; `wait` blocks synchronously, returns a Promise to suspend on, or throws. */
export class CheckPollable extends LocalPollable {
  readonly #test: () => boolean;
  readonly #wait: () => void | Promise<void>;
  constructor(test: () => boolean, wait: () => void | Promise<void>) {
    super();
    this.#test = test;
    this.#wait = wait;
  }
  override ready(): boolean {
    return this.#test();
  }
  override block(): void | Promise<void> {
    if (!this.#test()) return this.#wait();
  }
}

type AnyPollable = { ready(): boolean; block(): void | Promise<void> };

/**
 * `wasi:io/poll.poll`: the shim's when every pollable is the shim's; else
 * the indices ready now, else a block on the shim's subset (local ones cannot
 * wake a synchronous wait), else the first local one to be ready (a Promise
 * when they can only be waited for by suspending).
 */
export function pollList(list: AnyPollable[]): Uint32Array | number[] | Promise<number[]> {
  let local = false;
  for (let i = 0; i < list.length; i++) {
    if (list[i] instanceof LocalPollable) {
      local = true;
      break;
    }
  }
  if (!local) return shimPoll.poll(list) as Uint32Array | number[];
  if (list.length === 0) throw new Error('wasi-io trap: attempt to poll on empty list');
  const ready = readyIndices(list);
  if (ready.length > 0) return ready;
  const shimIdx: number[] = [];
  for (let i = 0; i < list.length; i++) if (!(list[i] instanceof LocalPollable)) shimIdx.push(i);
  if (shimIdx.length > 0) {
    const got = shimPoll.poll(shimIdx.map((i) => list[i])) as ArrayLike<number>;
    return Array.from(got, (k) => shimIdx[k]!);
  }
  const waits: Promise<void>[] = [];
  let failure: unknown;
  for (const p of list) {
    try {
      const w = p.block();
      if (w === undefined) return readyIndices(list);
      waits.push(w);
    } catch (e) {
      failure ??= e;
    }
  }
  if (waits.length === 0) throw failure;
  return Promise.race(waits).then(() => readyIndices(list));
}

function readyIndices(list: AnyPollable[]): number[] {
  const ready: number[] = [];
  for (let i = 0; i < list.length; i++) if (list[i]!.ready()) ready.push(i);
  return ready;
}
