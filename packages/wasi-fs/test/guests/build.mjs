// Rebuilds fs.wasm, the C filesystem guest. Needs Debian's clang-22 and lld-22
// (apt-get install -y clang-22 lld-22); CI uses the committed .wasm file.
//   node packages/wasi-fs/test/guests/build.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';

const here = dirname(fileURLToPath(import.meta.url));
const wit = readFileSync(join(here, 'world.wit'), 'utf8');

for (const name of ['fs']) {
  const core = join(here, `${name}.core.wasm`);
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
      join(here, `${name}.c`),
    ],
    { stdio: 'inherit' },
  );
  try {
    const embedded = await componentEmbed({ binary: readFileSync(core), witSource: wit, world: name });
    const component = await componentNew(embedded, []);
    writeFileSync(join(here, `${name}.wasm`), component);
    console.log(`${name}.wasm: ${component.length} bytes`);
  } finally {
    rmSync(core, { force: true });
  }
}
