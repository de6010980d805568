import { readFile } from 'node:fs/promises';
import { parse } from '@bytecodealliance/jco';
import { Component } from '@weft/core';
const b = new Uint8Array(await parse(await readFile(new URL('../test/guests/bench/minimal.wat', import.meta.url), 'utf8')));
const i: any = (await (await Component.compile(b)).instantiate({})).exports;
const which = process.argv[2];
const str100 = 'Weft bench: the quick brown fox jumps over the lazy dog — ünïcödé 🌍 text '.padEnd(100, '.').slice(0, 100);
const ascii = 'x'.repeat(100);
const b64 = new Uint8Array(65536);
let s = 0;
const N = which === 'bytes' ? 20000 : 500000;
for (let k = 0; k < 3; k++) {
const t0 = performance.now();
for (let j = 0; j < N; j++) {
  if (which === 'bytes') s += i['echo-bytes'](b64).length;
  else if (which === 'ascii') s += i.echo(ascii).length;
  else if (which === 'add') s += i.add(1, 2);
  else s += i.echo(str100).length;
}
console.log(which, ((performance.now() - t0) * 1e6 / N).toFixed(0), 'ns');
}
