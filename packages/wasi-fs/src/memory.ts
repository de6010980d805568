// An in-memory Backend: directories, files, symlinks, hard links, timestamps, snapshots and an
// optional byte quota. No Node APIs: it runs in browsers.

import {
  type Backend,
  checkOffset,
  checkOpen,
  type DescriptorFlags,
  type DescriptorStat,
  type DescriptorType,
  type DirectoryEntry,
  FsError,
  type Handle,
  hashMetadata,
  type MetadataHashValue,
  type NewTimestamp,
  nsToDatetime,
  type OpenFlags,
  openedFlags,
  type PathFlags,
  requireMutate,
  timestampNs,
  type Walker,
  walk,
} from './backend.ts';

interface Times {
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
}
interface FileNode extends Times {
  kind: 'file';
  ino: bigint;
  nlink: number;
  data: Uint8Array;
  size: number;
}
interface DirNode extends Times {
  kind: 'directory';
  ino: bigint;
  nlink: number;
  entries: Map<string, MemNode>;
  parent: DirNode | undefined;
  removed: boolean;
}
interface LinkNode extends Times {
  kind: 'symlink';
  ino: bigint;
  nlink: number;
  target: string;
}
type MemNode = FileNode | DirNode | LinkNode;

/** What `snapshot()` returns: an immutable copy of the whole tree, for `restore()`. */
export interface MemorySnapshot {
  readonly root: unknown;
  readonly nextIno: bigint;
}

export interface MemoryBackendOptions {
  /** Most bytes all regular files may hold together; growing past it is `insufficient-space`. */
  quota?: number;
  /** The clock for timestamps, in ns since the epoch (default: `Date.now()`). */
  now?: () => bigint;
}

class MemHandle implements Handle {
  closed = false;
  readonly owner: MemoryBackend;
  readonly generation: number;
  readonly node: MemNode;
  readonly flags: Readonly<DescriptorFlags>;
  constructor(owner: MemoryBackend, generation: number, node: MemNode, flags: Readonly<DescriptorFlags>) {
    this.owner = owner;
    this.generation = generation;
    this.node = node;
    this.flags = flags;
  }
  get type(): DescriptorType {
    return typeOf(this.node);
  }
}

function typeOf(n: MemNode): DescriptorType {
  return n.kind === 'file' ? 'regular-file' : n.kind === 'directory' ? 'directory' : 'symbolic-link';
}

const walker: Walker<MemNode> = {
  lookup: (dir, name) => (dir as DirNode).entries.get(name),
  kind: (n) => (n.kind === 'file' ? 'other' : n.kind),
  readlink: (n) => (n as LinkNode).target,
};

export class MemoryBackend implements Backend {
  #root: DirNode;
  #nextIno = 1n;
  #generation = 0;
  #used = 0;
  readonly quota: number;
  readonly #now: () => bigint;

  constructor(options: MemoryBackendOptions = {}) {
    this.quota = options.quota ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.#root = this.#newDir(undefined);
  }

  /** Bytes held by regular files (each file once, however many links it has). */
  get usedBytes(): number {
    return this.#used;
  }

  root(flags: DescriptorFlags = { read: true, mutateDirectory: true }): Handle {
    return new MemHandle(this, this.#generation, this.#root, { ...flags });
  }

  /** A copy of the whole tree; later changes do not touch it. */
  snapshot(): MemorySnapshot {
    return { root: cloneTree(this.#root), nextIno: this.#nextIno };
  }

  /** Replaces the tree with a snapshot's copy. Every handle opened before is `bad-descriptor` after. */
  restore(snap: MemorySnapshot): void {
    this.#root = cloneTree(snap.root as DirNode);
    this.#nextIno = snap.nextIno;
    this.#generation++;
    let used = 0;
    const seen = new Set<MemNode>();
    const visit = (d: DirNode) => {
      for (const n of d.entries.values()) {
        if (seen.has(n)) continue;
        seen.add(n);
        if (n.kind === 'file') used += n.size;
        else if (n.kind === 'directory') visit(n);
      }
    };
    visit(this.#root);
    this.#used = used;
  }

  // ---- descriptor operations ----

  openAt(dir: Handle, path: string, pathFlags: PathFlags, openFlags: OpenFlags, flags: DescriptorFlags): Handle {
    const d = this.#dir(dir);
    checkOpen(dir, openFlags, flags);
    const r = walk(walker, d, path, !!pathFlags.symlinkFollow);
    let node = r.node;
    if (node === undefined) {
      if (!openFlags.create) throw new FsError('no-entry');
      if (openFlags.directory) throw new FsError('invalid', 'create with directory');
      const parent = this.#live(r.parent as DirNode);
      node = this.#newFile();
      this.#link(parent, r.name as string, node);
    } else {
      if (openFlags.create && openFlags.exclusive) throw new FsError('exist');
      if (node.kind === 'symlink') throw new FsError('loop', 'final component is a symlink');
      if (openFlags.directory && node.kind !== 'directory') throw new FsError('not-directory');
      if (node.kind === 'directory' && (flags.write || openFlags.truncate)) throw new FsError('is-directory');
      if (node.kind === 'file' && flags.mutateDirectory) throw new FsError('not-directory');
      if (openFlags.truncate && node.kind === 'file') {
        this.#resize(node, 0);
        node.mtime = node.ctime = this.#now(); // as O_TRUNC marks both for update
      }
    }
    const kind = node.kind === 'directory' ? 'directory' : 'file';
    return new MemHandle(this, this.#generation, node, openedFlags(kind, openFlags, flags));
  }

  stat(h: Handle): DescriptorStat {
    return statOf(this.#handle(h).node);
  }

  statAt(dir: Handle, pathFlags: PathFlags, path: string): DescriptorStat {
    return statOf(this.#resolve(dir, path, !!pathFlags.symlinkFollow));
  }

  readDirectory(dir: Handle): DirectoryEntry[] {
    const d = this.#dir(dir);
    if (!dir.flags.read) throw new FsError('bad-descriptor');
    if (d.removed) return [];
    d.atime = this.#now();
    return [...d.entries]
      .map(([name, n]) => ({ name, type: typeOf(n) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node !== undefined) throw new FsError('exist');
    this.#link(this.#live(r.parent as DirNode), r.name as string, this.#newDir(r.parent as DirNode));
  }

  removeDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node === undefined) throw new FsError('no-entry');
    if (r.parent === undefined) throw new FsError('invalid', 'cannot remove . or ..');
    if (r.node.kind !== 'directory') throw new FsError('not-directory');
    if (r.node.entries.size > 0) throw new FsError('not-empty');
    this.#unlink(r.parent as DirNode, r.name as string);
    r.node.removed = true;
  }

  unlinkFileAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node === undefined) throw new FsError('no-entry');
    if (r.node.kind === 'directory') throw new FsError('is-directory');
    this.#unlink(r.parent as DirNode, r.name as string);
  }

  renameAt(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    const od = this.#dir(oldDir);
    const nd = this.#dir(newDir);
    requireMutate(oldDir);
    requireMutate(newDir);
    const from = walk(walker, od, oldPath, false);
    const to = walk(walker, nd, newPath, false);
    const src = from.node;
    if (src === undefined) throw new FsError('no-entry');
    if (from.parent === undefined || to.parent === undefined) throw new FsError('busy', 'cannot rename . or ..');
    const dst = to.node;
    if (dst === src) return;
    const toParent = this.#live(to.parent as DirNode);
    if (src.kind === 'directory') {
      for (let p: DirNode | undefined = toParent; p; p = p.parent)
        if (p === src) throw new FsError('invalid', 'cannot move a directory into itself');
      if (dst !== undefined && dst.kind !== 'directory') throw new FsError('not-directory');
      if (dst !== undefined && (dst as DirNode).entries.size > 0) throw new FsError('not-empty');
    } else if (dst?.kind === 'directory') throw new FsError('is-directory');
    if (dst !== undefined) {
      this.#unlink(toParent, to.name as string);
      if (dst.kind === 'directory') dst.removed = true;
    }
    (from.parent as DirNode).entries.delete(from.name as string);
    this.#touch(from.parent as DirNode);
    toParent.entries.set(to.name as string, src);
    this.#touch(toParent);
    if (src.kind === 'directory') {
      src.parent = toParent;
      src.ctime = this.#now();
    }
  }

  symlinkAt(dir: Handle, oldPath: string, newPath: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    if (oldPath.startsWith('/')) throw new FsError('not-permitted', 'symlink to an absolute path');
    if (oldPath === '' || oldPath.includes('\0')) throw new FsError('invalid');
    const r = walk(walker, d, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    const t = this.#now();
    const link: LinkNode = {
      kind: 'symlink',
      ino: this.#nextIno++,
      nlink: 0,
      target: oldPath,
      atime: t,
      mtime: t,
      ctime: t,
    };
    this.#link(this.#live(r.parent as DirNode), r.name as string, link);
  }

  readlinkAt(dir: Handle, path: string): string {
    const n = this.#resolve(dir, path, false);
    if (n.kind !== 'symlink') throw new FsError('invalid', 'not a symbolic link');
    return n.target;
  }

  linkAt(oldDir: Handle, oldPathFlags: PathFlags, oldPath: string, newDir: Handle, newPath: string): void {
    const src = this.#resolve(oldDir, oldPath, !!oldPathFlags.symlinkFollow);
    const nd = this.#dir(newDir);
    requireMutate(newDir);
    if (src.kind === 'directory') throw new FsError('not-permitted', 'hard link to a directory');
    const r = walk(walker, nd, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    this.#link(this.#live(r.parent as DirNode), r.name as string, src);
    src.ctime = this.#now();
  }

  setSize(h: Handle, size: bigint): void {
    const f = this.#file(h, 'write');
    if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) throw new FsError('file-too-large');
    this.#resize(f, Number(size));
    f.mtime = f.ctime = this.#now();
  }

  setTimes(h: Handle, atime: NewTimestamp, mtime: NewTimestamp): void {
    const mh = this.#handle(h);
    if (!(mh.flags.write || (mh.node.kind === 'directory' && mh.flags.mutateDirectory)))
      throw new FsError('not-permitted', 'not opened for writing');
    this.#setTimes(mh.node, atime, mtime);
  }

  setTimesAt(dir: Handle, pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    requireMutate(dir);
    this.#setTimes(this.#resolve(dir, path, !!pathFlags.symlinkFollow), atime, mtime);
  }

  readInto(h: Handle, offset: bigint, target: Uint8Array): number {
    checkOffset(offset);
    const f = this.#file(h, 'read');
    f.atime = this.#now();
    if (offset >= BigInt(f.size)) return 0;
    const start = Number(offset);
    const n = Math.min(f.size - start, target.length);
    target.set(f.data.subarray(start, start + n));
    return n;
  }

  write(h: Handle, offset: bigint, bytes: Uint8Array): number {
    checkOffset(offset);
    const f = this.#file(h, 'write');
    if (offset < 0n || offset + BigInt(bytes.length) > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FsError('file-too-large');
    return this.#writeAt(f, Number(offset), bytes);
  }

  append(h: Handle, bytes: Uint8Array): number {
    const f = this.#file(h, 'write');
    return this.#writeAt(f, f.size, bytes);
  }

  sync(h: Handle): void {
    this.#handle(h);
  }

  getFlags(h: Handle): DescriptorFlags {
    return { ...this.#handle(h).flags };
  }

  getType(h: Handle): DescriptorType {
    return typeOf(this.#handle(h).node);
  }

  isSameObject(a: Handle, b: Handle): boolean {
    return this.#handle(a).node === this.#handle(b).node;
  }

  metadataHash(h: Handle): MetadataHashValue {
    return hashOf(this.#handle(h).node);
  }

  metadataHashAt(dir: Handle, pathFlags: PathFlags, path: string): MetadataHashValue {
    return hashOf(this.#resolve(dir, path, !!pathFlags.symlinkFollow));
  }

  close(h: Handle): void {
    this.#handle(h).closed = true;
  }

  // ---- internals ----

  #handle(h: Handle): MemHandle {
    if (!(h instanceof MemHandle) || h.owner !== this || h.closed || h.generation !== this.#generation)
      throw new FsError('bad-descriptor');
    return h;
  }

  #dir(h: Handle): DirNode {
    const n = this.#handle(h).node;
    if (n.kind !== 'directory') throw new FsError('not-directory');
    return n;
  }

  #file(h: Handle, need: 'read' | 'write'): FileNode {
    const mh = this.#handle(h);
    if (mh.node.kind === 'directory') throw new FsError('is-directory');
    if (mh.node.kind !== 'file') throw new FsError('bad-descriptor');
    if (!mh.flags[need]) throw new FsError('bad-descriptor', `not opened for ${need}`);
    return mh.node;
  }

  #resolve(dir: Handle, path: string, follow: boolean): MemNode {
    const r = walk(walker, this.#dir(dir), path, follow);
    if (r.node === undefined) throw new FsError('no-entry');
    return r.node;
  }

  /** A directory a new entry goes into: one removed while a descriptor held it takes none. */
  #live(d: DirNode): DirNode {
    if (d.removed) throw new FsError('no-entry', 'directory was removed');
    return d;
  }

  #newDir(parent: DirNode | undefined): DirNode {
    const t = this.#now();
    return {
      kind: 'directory',
      ino: this.#nextIno++,
      nlink: 0,
      entries: new Map(),
      parent,
      removed: false,
      atime: t,
      mtime: t,
      ctime: t,
    };
  }

  #newFile(): FileNode {
    const t = this.#now();
    return {
      kind: 'file',
      ino: this.#nextIno++,
      nlink: 0,
      data: new Uint8Array(0),
      size: 0,
      atime: t,
      mtime: t,
      ctime: t,
    };
  }

  #setTimes(n: MemNode, atime: NewTimestamp, mtime: NewTimestamp): void {
    const now = this.#now();
    n.atime = timestampNs(atime, n.atime, now);
    n.mtime = timestampNs(mtime, n.mtime, now);
    n.ctime = now;
  }

  #touch(d: DirNode): void {
    d.mtime = d.ctime = this.#now();
  }

  #link(parent: DirNode, name: string, n: MemNode): void {
    parent.entries.set(name, n);
    n.nlink++;
    this.#touch(parent);
  }

  #unlink(parent: DirNode, name: string): void {
    const n = parent.entries.get(name) as MemNode;
    parent.entries.delete(name);
    n.nlink--;
    n.ctime = this.#now();
    this.#touch(parent);
    // An unlinked file keeps its bytes while a descriptor holds it, but they leave the quota.
    if (n.kind === 'file' && n.nlink === 0) this.#used -= n.size;
  }

  #resize(f: FileNode, size: number): void {
    const counted = f.nlink > 0;
    if (counted && size > f.size && this.#used + (size - f.size) > this.quota)
      throw new FsError('insufficient-space', `quota of ${this.quota} bytes`);
    if (size > f.data.length) {
      const grown = new Uint8Array(Math.max(size, f.data.length * 2, 64));
      grown.set(f.data.subarray(0, f.size));
      f.data = grown;
    } else if (size < f.size) f.data.fill(0, size, f.size);
    if (counted) this.#used += size - f.size;
    f.size = size;
  }

  #writeAt(f: FileNode, offset: number, bytes: Uint8Array): number {
    if (offset + bytes.length > f.size) this.#resize(f, offset + bytes.length);
    f.data.set(bytes, offset);
    f.mtime = f.ctime = this.#now();
    return bytes.length;
  }
}

function statOf(n: MemNode): DescriptorStat {
  const size = n.kind === 'file' ? n.size : n.kind === 'symlink' ? new TextEncoder().encode(n.target).length : 0;
  return {
    type: typeOf(n),
    linkCount: BigInt(
      n.kind === 'directory' ? 2 + [...n.entries.values()].filter((c) => c.kind === 'directory').length : n.nlink,
    ),
    size: BigInt(size),
    dataAccessTimestamp: nsToDatetime(n.atime),
    dataModificationTimestamp: nsToDatetime(n.mtime),
    statusChangeTimestamp: nsToDatetime(n.ctime),
  };
}

function hashOf(n: MemNode): MetadataHashValue {
  return hashMetadata(0n, n.ino, n.kind === 'file' ? BigInt(n.size) : 0n, n.mtime);
}

function cloneTree(root: DirNode): DirNode {
  const map = new Map<MemNode, MemNode>();
  const clone = (n: MemNode, parent: DirNode | undefined): MemNode => {
    const seen = map.get(n);
    if (seen) return seen;
    let c: MemNode;
    if (n.kind === 'file') c = { ...n, data: n.data.slice(0, n.size) };
    else if (n.kind === 'symlink') c = { ...n };
    else {
      const d: DirNode = { ...n, entries: new Map(), parent };
      map.set(n, d);
      for (const [name, child] of n.entries) d.entries.set(name, clone(child, d));
      return d;
    }
    map.set(n, c);
    return c;
  };
  return clone(root, undefined) as DirNode;
}
