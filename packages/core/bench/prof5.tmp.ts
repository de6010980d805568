import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';
const b = new Uint8Array(await readFile(new URL('../test/guests/values/values.wasm', import.meta.url)));
const c = await Component.compile(b);
let tc = 0, ti = 0;
for (let k = 0; k < 60; k++) {
  const t0 = performance.now();
  const c = await Component.compile(b);
  const t1 = performance.now();
  await c.instantiate({});
  const t2 = performance.now();
  if (k >= 10) { tc += t1 - t0; ti += t2 - t1; }
}
console.log('compile', (tc / 50).toFixed(2), 'instantiate', (ti / 50).toFixed(2));
