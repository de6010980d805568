// Pollables for Weft's own 0.2 streams. They must be instances of
// preview2-shim's Pollable class (the linker checks `instanceof` against the
// class the `wasi:io/poll` import offers), but the shim's pollables live in
// its I/O worker; these answer from the main thread instead, and `poll`
// below routes a mixed list between the two kinds.

import { poll as shimPoll } from '@bytecodealliance/preview2-shim/io';

const ShimPollable = shimPoll.Pollable as unknown as new () => { ready(): boolean; block(): void };

/** A pollable whose readiness Weft computes in-process. */
export abstract class LocalPollable extends ShimPollable {
  abstract override ready(): boolean;
  abstract override block(): void;
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

/** Ready when `test` says so; `wait` blocks synchronously or throws. */
export class CheckPollable extends LocalPollable {
  readonly #test: () => boolean;
  readonly #wait: () => void;
  constructor(test: () => boolean, wait: () => void) {
    super();
    this.#test = test;
    this.#wait = wait;
  }
  override ready(): boolean {
    return this.#test();
  }
  override block(): void {
    if (!this.#test()) this.#wait();
  }
}

type AnyPollable = { ready(): boolean; block(): void };

/**
 * `wasi:io/poll.poll`: the shim's when every pollable is the shim's; else
 * the indices ready now, else a block on the shim's subset (local ones cannot
 * wake a synchronous wait), else a block on the first local one.
 */
export function pollList(list: AnyPollable[]): Uint32Array | number[] {
  let local = false;
  for (let i = 0; i < list.length; i++) {
    if (list[i] instanceof LocalPollable) {
      local = true;
      break;
    }
  }
  if (!local) return shimPoll.poll(list) as Uint32Array | number[];
  if (list.length === 0) throw new Error('wasi-io trap: attempt to poll on empty list');
  const ready: number[] = [];
  for (let i = 0; i < list.length; i++) if (list[i]!.ready()) ready.push(i);
  if (ready.length > 0) return ready;
  const shimIdx: number[] = [];
  for (let i = 0; i < list.length; i++) if (!(list[i] instanceof LocalPollable)) shimIdx.push(i);
  if (shimIdx.length > 0) {
    const got = shimPoll.poll(shimIdx.map((i) => list[i])) as ArrayLike<number>;
    return Array.from(got, (k) => shimIdx[k]!);
  }
  list[0]!.block();
  return [0];
}
