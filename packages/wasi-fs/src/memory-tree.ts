// memoryTree(): a MemoryBackend filled from a plain object, the usual way to hand a guest files
// where there is no host directory (a browser). No Node APIs.

import type { Backend, Handle } from './backend.ts';
import { MemoryBackend, type MemoryBackendOptions } from './memory.ts';

/** Directory contents: name → file contents (a string is UTF-8) or a nested directory. */
export interface MemoryTree {
  [name: string]: string | Uint8Array | MemoryTree;
}

/**
 * A MemoryBackend holding `tree`, e.g. `memoryTree({ 'hello.txt': 'hi', docs: { 'a.md': bytes } })`.
 * A name must be one path component (no `/`, not empty, `.` or `..`); anything else throws a
 * TypeError, as does a value that is not a string, a Uint8Array or an object. The files count
 * against `options.quota`.
 */
export function memoryTree(tree: MemoryTree, options: MemoryBackendOptions = {}): MemoryBackend {
  const fs = new MemoryBackend(options);
  const root = fs.root();
  try {
    fill(fs, root, tree, '');
  } finally {
    fs.close(root);
  }
  return fs;
}

const encoder = new TextEncoder();

function fill(fs: Backend, dir: Handle, tree: MemoryTree, at: string): void {
  if (typeof tree !== 'object' || tree === null) throw new TypeError(`memoryTree: ${at || '/'} is not an object`);
  for (const [name, value] of Object.entries(tree)) {
    const path = `${at}/${name}`;
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
      throw new TypeError(`memoryTree: ${JSON.stringify(name)} is not a file name`);
    if (typeof value === 'string' || value instanceof Uint8Array) {
      const bytes = typeof value === 'string' ? encoder.encode(value) : value;
      const f = fs.openAt(dir, name, {}, { create: true, exclusive: true }, { read: true, write: true });
      try {
        fs.write(f, 0n, bytes);
      } finally {
        fs.close(f);
      }
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      fs.createDirectoryAt(dir, name);
      const sub = fs.openAt(dir, name, {}, { directory: true }, { read: true, mutateDirectory: true });
      try {
        fill(fs, sub, value, path);
      } finally {
        fs.close(sub);
      }
    } else {
      throw new TypeError(`memoryTree: ${path} must be a string, a Uint8Array or an object`);
    }
  }
}
