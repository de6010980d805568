// Rebuilds the wasi:http test guests; tests use the committed .wasm files.
//   node packages/wasi-http/test/guests/build.mjs [NAME...]
// - hello, echo: componentize-qjs (the workspace's devDependency) from NAME.js
//   against world.wit's `handler` world;
// - hello-c, count, loop, trap, fetch, middleware: C against the raw canonical ABI
//   (http.h), built by test-support/c-guest/build.mjs (Debian's clang-22 and
//   lld-22: apt-get install -y clang-22 lld-22) against world.wit's world of
//   the same purpose.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCGuest } from '../../../../test-support/c-guest/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../../..');

const QJS = ['hello', 'echo'];
const C = {
  'hello-c': 'handler',
  count: 'handler',
  loop: 'handler',
  trap: 'handler',
  fetch: 'fetch',
  middleware: 'middleware',
};

const wanted = process.argv.slice(2);
const want = (name) => wanted.length === 0 || wanted.includes(name);

for (const name of QJS.filter(want)) {
  execFileSync(
    join(root, 'node_modules/.bin/componentize-qjs'),
    ['--wit', 'world.wit', '--js', `${name}.js`, '-n', 'handler', '-o', `${name}.wasm`],
    { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  console.log(`${name}.wasm (componentize-qjs)`);
}
for (const [name, world] of Object.entries(C).filter(([n]) => want(n))) await buildCGuest(here, name, world);
