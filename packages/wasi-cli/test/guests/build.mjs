// Rebuilds command.wasm (test-support/c-guest/build.mjs says what it needs); CI uses the
// committed .wasm file.
//   node packages/wasi-cli/test/guests/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'command');
