import { readFile } from 'node:fs/promises';
import { decodeComponent } from '../src/binary/index.ts';
import { elaborate } from '../src/types/elaborate.ts';
const b = new Uint8Array(await readFile(new URL('../test/guests/values/values.wasm', import.meta.url)));
const t0 = performance.now();
for (let k = 0; k < 100; k++) elaborate(decodeComponent(b), undefined, { coreModulesValidatedByCaller: true });
console.log(((performance.now() - t0) / 100).toFixed(2), 'ms');
