// Rebuilds echo.wasm from echo.c against world.wit's `echo` world (Debian's clang-22 and lld-22:
// apt-get install -y clang-22 lld-22; jco from the workspace). The bench uses the committed .wasm.
//   node packages/wasi-sockets/bench/guests/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'echo');
