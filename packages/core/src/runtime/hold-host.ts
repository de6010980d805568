// Lets host code say "I will still feed a guest" so the scheduler's deadlock
// detection does not trap a guest that waits on a slow host producer (a
// network read, stdin, a timer) that core cannot see.

import { HostWork } from './copy.ts';
import { realmHolds, STORE, type Store } from './store.ts';

/**
 * Counts one piece of pending host work; returns its (idempotent) release.
 *
 * - `holdHost(instance)` (an `Instance` from `instantiate`): host work of that
 *   instance's store only.
 * - `holdHost(end)` (a `StreamWriter`, `StreamReader`, `FutureWriter` or
 *   `FutureReader`): host work of the store of the guest that holds the other
 *   end, once one does (a host pair made with stream()/future() belongs to no
 *   store until an end is lowered into a guest; the hold follows the stream).
 * - `holdHost()`: host work that may feed any guest: while it is held, no
 *   store of the realm reports a deadlock.
 */
export function holdHost(target?: object): () => void {
  if (target === undefined) {
    realmHolds.count++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        realmHolds.count--;
      }
    };
  }
  const store = (target as { [STORE]?: Store })[STORE];
  if (store !== undefined) {
    store.hostPending++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        store.hostPending--;
      }
    };
  }
  if ('shared' in target) {
    const shared = (target as { shared?: unknown }).shared;
    if (!(shared instanceof HostWork))
      throw new TypeError('holdHost: this stream or future end was already passed to a component or closed');
    shared.addHostPending(1);
    let held = true;
    return () => {
      if (held) {
        held = false;
        shared.addHostPending(-1);
      }
    };
  }
  throw new TypeError('holdHost expects an Instance, a stream or future end, or nothing');
}
