// Rebuilds http-get.wasm from http-get.c against world.wit's `http-get` world (Debian's clang-22
// and lld-22: apt-get install -y clang-22 lld-22; jco from the workspace). The example and its
// test use the committed .wasm.
//   node examples/tls-virtual-socket/guest/build.mjs
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../test-support/c-guest/build.mjs';

await buildCGuest(dirname(fileURLToPath(import.meta.url)), 'http-get');
