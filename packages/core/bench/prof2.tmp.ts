import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';
import { decodeComponent } from '../src/binary/index.ts';
import { elaborate } from '../src/types/elaborate.ts';
const b = new Uint8Array(await readFile(new URL('../test/guests/values/values.wasm', import.meta.url)));
for (let k = 0; k < 15; k++) {
  const t0 = performance.now();
  const ir = decodeComponent(b);
  const t1 = performance.now();
  const el = elaborate(ir);
  const t2 = performance.now();
  const c = await Component.compile(b);
  const t3 = performance.now();
  await c.instantiate({});
  const t4 = performance.now();
  console.log(`decode ${(t1-t0).toFixed(1)} elab ${(t2-t1).toFixed(1)} compile(all) ${(t3-t2).toFixed(1)} inst ${(t4-t3).toFixed(1)}`);
}
const mods: Uint8Array[] = [];
const ir = decodeComponent(b);
for (const d of ir.definitions) if (d.kind === 'core-module') mods.push(d.module);
console.log(mods.map(m => m.length));
for (let k = 0; k < 5; k++) { const t0 = performance.now(); await Promise.all(mods.map(m => WebAssembly.compile(m as any))); console.log('wasm compile', (performance.now()-t0).toFixed(1)); }
