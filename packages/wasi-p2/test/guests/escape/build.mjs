// Rebuilds escape.wasm (test-support/c-guest/build.mjs says what it needs); tests use the
// committed .wasm file.
//   node packages/wasi-p2/test/guests/escape/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'escape');
