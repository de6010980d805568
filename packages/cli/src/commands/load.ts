import { readFile } from 'node:fs/promises';
import type { CompileOptions, Component } from '@weft/core';

/** Reads and compiles a component; @weft/core loads lazily so `--help` never depends on it. */
export async function loadComponent(path: string, options: CompileOptions = {}): Promise<Component> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { Component } = await import('@weft/core');
  return Component.compile(bytes, options);
}
