// Builds a raw-canonical-ABI C test guest into a component: Debian's clang-22 and lld-22
// (apt-get install -y clang-22 lld-22) compile NAME.c (with cabi.h on the include path), and jco
// embeds world.wit's world and wraps the core module. Tests use the committed NAME.wasm; the
// guests' own build.mjs files call this to rebuild them.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';

const include = dirname(fileURLToPath(import.meta.url));

/** Builds `dir/NAME.c` against `dir/world.wit`'s `world` (default NAME) into `dir/NAME.wasm`. */
export async function buildCGuest(dir, name, world = name) {
  const core = join(dir, `${name}.core.wasm`);
  execFileSync(
    'clang-22',
    [
      '--target=wasm32',
      '-nostdlib',
      '-O2',
      '-fno-builtin',
      '-Wall',
      `-I${include}`,
      '-Wl,--no-entry',
      '-Wl,--export-dynamic',
      '-Wl,--export=__heap_base',
      '-o',
      core,
      join(dir, `${name}.c`),
    ],
    { stdio: 'inherit' },
  );
  try {
    const witSource = readFileSync(join(dir, 'world.wit'), 'utf8');
    const embedded = await componentEmbed({ binary: readFileSync(core), witSource, world });
    const component = await componentNew(embedded, []);
    writeFileSync(join(dir, `${name}.wasm`), component);
    console.log(`${name}.wasm: ${component.length} bytes`);
  } finally {
    rmSync(core, { force: true });
  }
}
