// The host stream API of @weft/core that this package builds on (one import site).
// TODO(core): `store` is not public. Core should either export a hook like
// holdHost() or count open host-held StreamWriters as pending host work; until
// then this reaches into core's source, which works in the monorepo (one module
// instance) but not from a published build.
import { store } from '../../core/src/async/store.ts';

export { FutureReader, FutureWriter, future, StreamReader, StreamWriter, stream } from '@weft/core';

/**
 * Marks host work that may still feed a guest (a producer we are waiting on,
 * an open pipe) so core's deadlock detector does not trap a guest that is
 * waiting for it. Returns the release function (idempotent).
 */
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
