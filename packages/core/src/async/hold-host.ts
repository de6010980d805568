// Lets host code say "I will still feed a guest" so the scheduler's deadlock
// detection does not trap a guest that waits on a slow host producer (a
// network read, stdin, a timer) that core cannot see.

import { store } from './store.ts';

/** Counts one piece of pending host work; returns its (idempotent) release. */
export function holdHost(): () => void {
  store.hostPending++;
  let held = true;
  return () => {
    if (held) {
      held = false;
      store.hostPending--;
    }
  };
}
