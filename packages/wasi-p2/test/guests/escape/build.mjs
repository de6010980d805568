// Rebuilds escape.wasm from escape.c and world.wit. Needs Debian's clang-22
// and lld-22 (apt-get install -y clang-22 lld-22); tests use the committed
// .wasm file.
//   node packages/wasi-p2/test/guests/escape/build.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';

const here = dirname(fileURLToPath(import.meta.url));
const core = join(here, 'escape.core.wasm');
execFileSync(
  'clang-22',
  [
    '--target=wasm32',
    '-nostdlib',
    '-O2',
    '-fno-builtin',
    '-Wall',
    '-Wl,--no-entry',
    '-Wl,--export-dynamic',
    '-Wl,--export=__heap_base',
    '-o',
    core,
    join(here, 'escape.c'),
  ],
  { stdio: 'inherit' },
);
try {
  const wit = readFileSync(join(here, 'world.wit'), 'utf8');
  const embedded = await componentEmbed({ binary: readFileSync(core), witSource: wit, world: 'escape' });
  const component = await componentNew(embedded, []);
  writeFileSync(join(here, 'escape.wasm'), component);
  console.log(`escape.wasm: ${component.length} bytes`);
} finally {
  rmSync(core, { force: true });
}
