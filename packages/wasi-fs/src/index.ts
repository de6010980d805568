export * from './backend.ts';
export { MemoryBackend, type MemoryBackendOptions, type MemorySnapshot } from './memory.ts';
export { NodeBackend, type NodeBackendOptions } from './node.ts';
