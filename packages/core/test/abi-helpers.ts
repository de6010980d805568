// Test helpers for abi/resources: assemble a core module from WAT (via jco's
// component text parser, then slicing out the core module section) and a
// JS-side bump allocator standing in for a guest's realloc.

import { parse } from '@bytecodealliance/jco';
import { ComponentInstance } from '../src/runtime/component-instance.ts';
import type { CanonOptions, StringEncoding } from '../src/abi/options.ts';

function readLeb(b: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = b[pos++]!;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [result, pos];
  }
}

/** Compile the core module written in `wat` (the inside of `(module ...)`). */
export async function coreModule(wat: string): Promise<WebAssembly.Module> {
  const bin = await parse(`(component (core module ${wat}))`);
  let pos = 8;
  while (pos < bin.length) {
    const id = bin[pos++]!;
    const [size, start] = readLeb(bin, pos);
    if (id === 1) return new WebAssembly.Module(bin.slice(start, start + size));
    pos = start + size;
  }
  throw new Error('no core module section');
}

export async function coreInstance(wat: string, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  return new WebAssembly.Instance(await coreModule(wat), imports);
}

export interface BumpOptions extends CanonOptions {
  memory: WebAssembly.Memory;
  calls: [number, number, number, number][];
}

/** Options with a fresh memory and a JS bump allocator that records its calls. */
export function bumpOptions(encoding: StringEncoding = 'utf8', pages = 1, label = 'test'): BumpOptions {
  const memory = new WebAssembly.Memory({ initial: pages });
  let next = 16;
  const calls: [number, number, number, number][] = [];
  const opts: BumpOptions = {
    instance: new ComponentInstance(label),
    stringEncoding: encoding,
    memory,
    calls,
    realloc(old, oldSize, align, newSize) {
      calls.push([old, oldSize, align, newSize]);
      if (old !== 0 && newSize <= oldSize) return old;
      next = Math.ceil(next / align) * align;
      const p = next;
      next += newSize;
      while (next > memory.buffer.byteLength) memory.grow(1);
      if (old !== 0) new Uint8Array(memory.buffer).copyWithin(p, old, old + oldSize);
      return p;
    },
  };
  return opts;
}
