import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { CompileOptions, Component } from '@weft/core';

/**
 * Reads and compiles a component (`.wasm`), or loads a `weft bundle` module (`.js`, `.mjs`:
 * its core modules compiled by the module loader, its component built by `getComponent()`);
 * @weft/core loads lazily so `--help` never depends on it.
 */
export async function loadComponent(path: string, options: CompileOptions = {}): Promise<Component> {
  if (/\.m?js$/.test(path)) return loadBundle(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { Component } = await import('@weft/core');
  return Component.compile(bytes, options);
}

async function loadBundle(path: string): Promise<Component> {
  const { registerBundleHooks } = await import('../bundle-hooks.ts');
  registerBundleHooks();
  let mod: { getComponent?: () => Component };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (e) {
    throw new Error(`cannot load bundle ${path}: ${(e as Error).message}`);
  }
  if (typeof mod.getComponent !== 'function')
    throw new Error(`${path} is not a weft bundle (it exports no getComponent)`);
  return mod.getComponent();
}
