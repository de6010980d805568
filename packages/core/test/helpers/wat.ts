// Assembles component text with jco's parser (test-only; the runtime never uses jco).
import { parse } from '@bytecodealliance/jco';
import { Component, type InstantiateOptions } from '../../src/index.ts';

export async function assemble(text: string): Promise<Uint8Array> {
  return (await parse(text)) as Uint8Array;
}

export async function compile(text: string): Promise<Component> {
  return Component.compile(await assemble(text));
}

export async function instantiate(text: string, imports: Record<string, unknown> = {}, options?: InstantiateOptions) {
  return (await compile(text)).instantiate(imports, options);
}
