// Rebuilds echo.wasm (committed; the example's build and test use it): Debian's clang-22 and
// lld-22 through test-support/c-guest/build.mjs, against wasi-http's test guests' world.wit
// (linked here) and http.h.
//   node examples/workerd/guests/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'echo', 'handler');
