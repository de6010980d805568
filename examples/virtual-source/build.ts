// Rebuilds stream-digest.wasm from stream-digest.wat with jco's component-text parser.
// Run from the repository root: node examples/virtual-source/build.ts
import { readFile, writeFile } from 'node:fs/promises';
import { parse } from '@bytecodealliance/jco';

const here = new URL('.', import.meta.url);
const text = await readFile(new URL('stream-digest.wat', here), 'utf8');
const bytes = (await parse(text)) as Uint8Array;
await writeFile(new URL('stream-digest.wasm', here), bytes);
console.log(`wrote stream-digest.wasm (${bytes.length} bytes)`);
