// Rebuilds bind-handler.wasm: world.wit is wasi-http's test world file with a `serve-net` world
// (wasi:http handler + wasi:sockets/types) and the sockets interface it needs appended; the C
// build is test-support/c-guest/build.mjs's (Debian's clang-22 and lld-22). Tests use the
// committed .wasm.
//   node packages/cli/test/guests/build.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../test-support/c-guest/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const http = readFileSync(join(here, '../../../wasi-http/test/guests/world.wit'), 'utf8');
writeFileSync(join(here, 'world.wit'), http + readFileSync(join(here, 'sockets.wit.part'), 'utf8'));
await buildCGuest(here, 'bind-handler', 'serve-net');
