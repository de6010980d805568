// The browser entry of @weft/wasi-fs (the `browser` export condition): the API of index.ts but
// NodeBackend, and preopens that take Backends only (a host path needs Node). No node: import.

export * from './backend.ts';
export { MemoryBackend, type MemoryBackendOptions, type MemorySnapshot } from './memory.ts';
export { type MemoryTree, memoryTree } from './memory-tree.ts';
export {
  type LoadOpfsOptions,
  loadOpfs,
  type OpfsDirectory,
  type OpfsFile,
  type SaveOpfsResult,
  saveOpfs,
} from './opfs.ts';
export { OpenFile } from './open-file.ts';
export { OverlayBackend } from './overlay.ts';
export type { FilesystemOptions, Preopen, PreopensOption } from './preopens.ts';
export { createFilesystem, resolvePreopens } from './browser-preopens.ts';
export * from './p3/index.ts';
