export * from './backend.ts';
export { MemoryBackend, type MemoryBackendOptions, type MemorySnapshot } from './memory.ts';
export { NodeBackend, type NodeBackendOptions } from './node.ts';
export { type Preopen, type PreopensOption, resolvePreopens } from './preopens.ts';
