export * from './backend.ts';
export { MemoryBackend, type MemoryBackendOptions, type MemorySnapshot } from './memory.ts';
export { type MemoryTree, memoryTree } from './memory-tree.ts';
export { NodeBackend, type NodeBackendOptions } from './node.ts';
export { OpenFile } from './open-file.ts';
export { OverlayBackend } from './overlay.ts';
export {
  createFilesystem,
  type FilesystemOptions,
  type Preopen,
  type PreopensOption,
  resolvePreopens,
} from './preopens.ts';
export * from './p3/index.ts';
