// The csp/ page's components: `weft bundle` output (build/bundles, made by build.ts), whose
// `import m from './x.wasm'` lines build.ts turns into source phase imports. The bundles
// instantiate with codegen off: closures, no `new Function`.

import * as streams from '../build/bundles/streams.js';
import * as trap from '../build/bundles/trap.js';
import * as values from '../build/bundles/values.js';
import { streamsDemo, trapDemo, valuesDemo } from './demos.ts';
import { runInto } from './view.ts';

await runInto('values', () => valuesDemo(() => values.instantiate()));
await runInto('streams', () => streamsDemo(() => streams.instantiate()));
await runInto('trap', () => trapDemo(() => trap.instantiate()));
