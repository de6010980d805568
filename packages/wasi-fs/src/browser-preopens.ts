// Preopens for the browser entry: as preopens.ts, but a host directory path (a NodeBackend there)
// is refused, so nothing here loads node:fs.

import type { Backend } from './backend.ts';
import { type FilesystemImports, filesystemP3 } from './p3/index.ts';
import type { FilesystemOptions, Preopen, PreopensOption } from './preopens.ts';

/** The preopen list for an option; every value must be a Backend (a string path needs Node). */
export function resolvePreopens(option: PreopensOption | undefined): Preopen[] {
  if (option === undefined) return [];
  const list = Array.isArray(option)
    ? (option as readonly Preopen[]).map((p) => ({ guestPath: p.guestPath, backend: p.backend }))
    : Object.entries(option as Record<string, Backend | string>).map(([guestPath, backend]) => ({
        guestPath,
        backend,
      }));
  for (const { guestPath, backend } of list)
    if (typeof backend !== 'object' || backend === null || typeof (backend as Backend).root !== 'function')
      throw new TypeError(
        `preopen ${JSON.stringify(guestPath)}: a host directory needs Node (NodeBackend); here give a Backend, e.g. memoryTree({ 'hello.txt': 'hi' })`,
      );
  return list as Preopen[];
}

/** The wasi:filesystem@0.3.0 import entries (`types`, `preopens`). */
export function createFilesystem(options: FilesystemOptions = {}): FilesystemImports {
  return filesystemP3(resolvePreopens(options.preopens));
}
