// Rebuilds fs.wasm, the C filesystem guest (test-support/c-guest/build.mjs says what it needs);
// CI uses the committed .wasm file.
//   node packages/wasi-fs/test/guests/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'fs');
