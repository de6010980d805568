// The csp/ page's components: `weft bundle` output (build/bundles, made by build.ts), whose
// `import m from './x.wasm'` lines build.ts turns into source phase imports. The bundles
// instantiate with codegen off: closures, no `new Function`.

import * as command from '../build/bundles/command.js';
import * as fs from '../build/bundles/fs.js';
import * as streams from '../build/bundles/streams.js';
import * as trap from '../build/bundles/trap.js';
import * as values from '../build/bundles/values.js';
import { commandDemo } from './command.ts';
import { streamsDemo, trapDemo, valuesDemo } from './demos.ts';
import { runInto } from './view.ts';

await runInto('values', () => valuesDemo(() => values.instantiate()));
await runInto('streams', () => streamsDemo(() => streams.instantiate()));
await runInto('trap', () => trapDemo(() => trap.instantiate()));

// wasi:cli commands: files from an in-memory tree, and a guest that traps mid-run.
const files = 'notes/hello.txt: Hello from an in-memory file.\nnotes/todo.txt: run components';
await runInto('command', () =>
  commandDemo((imports) => fs.instantiate(imports), { args: ['cat', 'notes/hello.txt'], files }),
);
await runInto('command-trap', () =>
  commandDemo((imports) => command.instantiate(imports), { args: ['trap'], files: '' }),
);
