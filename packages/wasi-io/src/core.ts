// The host stream API of @weft/core that this package builds on (one import site).

export {
  FutureReader,
  FutureWriter,
  future,
  type StreamPair,
  StreamReader,
  StreamWriter,
  stream,
} from '@weft/core';

// holdHost: marks host work that may still feed a guest (a producer we are
// waiting on, an open pipe) so core's deadlock detection waits for it.
export { holdHost } from '@weft/core';
