// Preopens: the directories a guest starts with, shared by the 0.3 bindings and @weft/wasi-p2's
// 0.2 ones, so a component importing both versions sees one set of directories.

import type { Backend } from './backend.ts';
import { NodeBackend } from './node.ts';
import { type FilesystemImports, filesystemP3 } from './p3/index.ts';

/** One preopened directory: the guest's name for it and the backend that serves it. */
export interface Preopen {
  guestPath: string;
  backend: Backend;
}

/**
 * What an embedder passes: guest path → a Backend, or a host directory path (served by a
 * read-write NodeBackend), or a list of preopens (in the order the guest lists them).
 */
export type PreopensOption = Record<string, Backend | string> | readonly Preopen[];

/** The preopen list for an option; host directory strings become NodeBackends. */
export function resolvePreopens(option: PreopensOption | undefined): Preopen[] {
  if (option === undefined) return [];
  if (Array.isArray(option)) return option.map((p) => ({ guestPath: p.guestPath, backend: p.backend }));
  return Object.entries(option as Record<string, Backend | string>).map(([guestPath, b]) => ({
    guestPath,
    backend: typeof b === 'string' ? new NodeBackend(b) : b,
  }));
}

export interface FilesystemOptions {
  /** The directories the guest starts with. Default: none. */
  preopens?: PreopensOption;
}

/** The wasi:filesystem@0.3.0 import entries (`types`, `preopens`). */
export function createFilesystem(options: FilesystemOptions = {}): FilesystemImports {
  return filesystemP3(resolvePreopens(options.preopens));
}
