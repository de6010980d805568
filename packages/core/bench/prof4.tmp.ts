import { readFile } from 'node:fs/promises';
import { decodeComponent } from '../src/binary/index.ts';
import { elaborate } from '../src/types/elaborate.ts';
const b = new Uint8Array(await readFile(new URL('../test/guests/values/values.wasm', import.meta.url)));
const ir = decodeComponent(b);
const count = (ir: any, depth = 0) => { const m = new Map(); for (const d of ir.definitions) m.set(d.kind, (m.get(d.kind) ?? 0) + 1); console.log(depth, [...m]); for (const d of ir.definitions) { if (d.kind === 'component') count(d.component, depth+1); if (d.kind==='core-module') console.log(' module', d.module.length); } };
count(ir);
for (let k = 0; k < 30; k++) { const t0 = performance.now(); decodeComponent(b); const t1 = performance.now(); elaborate(decodeComponent(b), undefined, { coreModulesValidatedByCaller: true }); const t2 = performance.now(); if (k > 25) console.log('decode', (t1-t0).toFixed(2), 'decode+elab', (t2-t1).toFixed(2)); }
