// Rebuilds the test guests. Needs Debian's clang-22 and lld-22
// (apt-get install -y clang-22 lld-22); CI uses the committed .wasm files.
//   node packages/wasi-cli/test/guests/build.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';

const here = dirname(fileURLToPath(import.meta.url));
const wit = readFileSync(join(here, 'world.wit'), 'utf8');

for (const name of ['command']) {
  const core = join(here, `${name}.core.wasm`);
  execFileSync(
    'clang-22',
    [
      '--target=wasm32',
      '-nostdlib',
      '-O2',
      '-fno-builtin',
      '-Wl,--no-entry',
      '-Wl,--export-dynamic',
      '-Wl,--export=__heap_base',
      '-o',
      core,
      join(here, `${name}.c`),
    ],
    { stdio: 'inherit' },
  );
  const embedded = await componentEmbed({ binary: readFileSync(core), witSource: wit, world: 'command' });
  const component = await componentNew(embedded, []);
  writeFileSync(join(here, `${name}.wasm`), component);
  execFileSync('rm', [core]);
  console.log(`${name}.wasm: ${component.length} bytes`);
}
