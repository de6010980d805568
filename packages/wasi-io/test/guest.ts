// The example's hand-written guest (`length` / `fnv1a` over a stream<u8>), for the tests.
import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';

const WASM = new URL('../../../examples/virtual-source/stream-digest.wasm', import.meta.url);

export interface Digest {
  length(s: unknown): Promise<number>;
  fnv1a(s: unknown): Promise<number>;
}

export async function instantiateDigest(): Promise<Digest> {
  const component = await Component.compile(await readFile(WASM));
  const inst = await component.instantiate({});
  return inst.exports as unknown as Digest;
}

export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}
