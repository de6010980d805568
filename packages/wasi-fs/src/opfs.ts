// The origin-private file system (OPFS) as storage for a MemoryBackend: `loadOpfs` copies a
// directory into one, `saveOpfs` mirrors a backend's tree back. OPFS is not a Backend itself:
// its directory operations are asynchronous (only a dedicated worker's file access handles are
// synchronous), and a Backend answers every guest call synchronously. So a page loads a
// snapshot, runs the guest on memory, and saves when it chooses. No Node APIs.

import type { Backend, Handle } from './backend.ts';
import type { MemoryBackend, MemoryBackendOptions } from './memory.ts';
import { type MemoryTree, memoryTree } from './memory-tree.ts';

/** The part of a FileSystemDirectoryHandle used here (`await navigator.storage.getDirectory()`). */
export interface OpfsDirectory {
  readonly kind: 'directory';
  entries(): AsyncIterable<[string, OpfsDirectory | OpfsFile]>;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectory>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFile>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
}

/** The part of a FileSystemFileHandle used here. */
export interface OpfsFile {
  readonly kind: 'file';
  getFile(): Promise<{ size: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  createWritable(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void> }>;
}

export interface LoadOpfsOptions extends MemoryBackendOptions {
  /** Most bytes read from OPFS in all (default: `quota`, else 256 MiB); more throws a RangeError. */
  maxBytes?: number;
}

/** A MemoryBackend holding a copy of `dir` (files and directories, recursively). */
export async function loadOpfs(dir: OpfsDirectory, options: LoadOpfsOptions = {}): Promise<MemoryBackend> {
  const max = options.maxBytes ?? options.quota ?? 256 * 1024 * 1024;
  let total = 0;
  const read = async (d: OpfsDirectory): Promise<MemoryTree> => {
    const tree: MemoryTree = {};
    for await (const [name, entry] of d.entries()) {
      if (entry.kind === 'directory') {
        tree[name] = await read(entry);
        continue;
      }
      const file = await entry.getFile();
      total += file.size;
      if (total > max) throw new RangeError(`loadOpfs: more than ${max} bytes`);
      tree[name] = new Uint8Array(await file.arrayBuffer());
    }
    return tree;
  };
  const { maxBytes: _, ...memory } = options;
  return memoryTree(await read(dir), memory);
}

/** What `saveOpfs` did not copy: symbolic links and other kinds OPFS cannot hold, by path. */
export interface SaveOpfsResult {
  skipped: string[];
}

const CHUNK = 1 << 20;

/**
 * Makes `dir` hold what `backend`'s root holds: directories and regular files are written,
 * OPFS entries the backend lacks (or holds as another kind) are removed, symbolic links are
 * skipped (listed in the result). Each file is written whole (OPFS swaps it in on close).
 * It reads the backend across awaits: save while no guest is writing to it (e.g. after `run`).
 */
export async function saveOpfs(backend: Backend, dir: OpfsDirectory): Promise<SaveOpfsResult> {
  const skipped: string[] = [];
  const save = async (h: Handle, d: OpfsDirectory, at: string): Promise<void> => {
    const keep = new Map<string, 'directory' | 'file'>();
    for (const e of backend.readDirectory(h)) {
      const path = `${at}/${e.name}`;
      if (e.type === 'directory') {
        keep.set(e.name, 'directory');
        const sub = backend.openAt(h, e.name, {}, { directory: true }, { read: true });
        try {
          await save(sub, await dirFor(d, e.name), path);
        } finally {
          backend.close(sub);
        }
      } else if (e.type === 'regular-file') {
        keep.set(e.name, 'file');
        const f = backend.openAt(h, e.name, {}, {}, { read: true });
        try {
          await writeFile(backend, f, await fileFor(d, e.name));
        } finally {
          backend.close(f);
        }
      } else skipped.push(path);
    }
    const stale: string[] = [];
    for await (const [name, entry] of d.entries()) if (keep.get(name) !== entry.kind) stale.push(name);
    for (const name of stale) await d.removeEntry(name, { recursive: true });
  };
  const root = backend.root({ read: true });
  try {
    await save(root, dir, '');
  } finally {
    backend.close(root);
  }
  return { skipped };
}

/** The subdirectory `name` of `d`, replacing a file of that name. */
async function dirFor(d: OpfsDirectory, name: string): Promise<OpfsDirectory> {
  try {
    return await d.getDirectoryHandle(name, { create: true });
  } catch {
    await d.removeEntry(name, { recursive: true });
    return d.getDirectoryHandle(name, { create: true });
  }
}

/** The file `name` of `d`, replacing a directory of that name. */
async function fileFor(d: OpfsDirectory, name: string): Promise<OpfsFile> {
  try {
    return await d.getFileHandle(name, { create: true });
  } catch {
    await d.removeEntry(name, { recursive: true });
    return d.getFileHandle(name, { create: true });
  }
}

async function writeFile(backend: Backend, f: Handle, to: OpfsFile): Promise<void> {
  const w = await to.createWritable();
  const buf = new Uint8Array(CHUNK);
  let offset = 0n;
  for (;;) {
    const n = backend.readInto(f, offset, buf);
    if (n === 0) break;
    await w.write(buf.slice(0, n));
    offset += BigInt(n);
  }
  await w.close();
}
