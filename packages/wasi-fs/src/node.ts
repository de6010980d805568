// A Backend over a real host directory, sandboxed to it. Node has no openat, so every path is
// resolved here one component at a time with lstat, and every descriptor carries the identity
// (dev + ino) of what it refers to: a directory is re-validated before each use and, when it was
// moved, found again by identity under the preopen, never taken from its old path string.

import type { BigIntStats } from 'node:fs';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  type Backend,
  checkOffset,
  checkOpen,
  type DescriptorFlags,
  type DescriptorStat,
  type DescriptorType,
  type DirectoryEntry,
  type ErrorCode,
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

export interface NodeBackendOptions {
  /** Serve the directory read-only: the root descriptor has no `mutate-directory`. */
  readOnly?: boolean;
  /** Most directories searched to find a moved directory by identity (default 10000). */
  relocateLimit?: number;
}

interface Entry {
  path: string;
  st: BigIntStats;
}

class NodeHandle implements Handle {
  closed = false;
  readonly owner: NodeBackend;
  /** Where the object was last seen; re-validated against `dev` + `ino` before each use. */
  hostPath: string;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly type: DescriptorType;
  readonly flags: Readonly<DescriptorFlags>;
  /** Open files hold a host fd (which follows the inode); directories hold none. */
  readonly fd: number | undefined;
  constructor(
    owner: NodeBackend,
    hostPath: string,
    dev: bigint,
    ino: bigint,
    type: DescriptorType,
    flags: Readonly<DescriptorFlags>,
    fd: number | undefined,
  ) {
    this.owner = owner;
    this.hostPath = hostPath;
    this.dev = dev;
    this.ino = ino;
    this.type = type;
    this.flags = flags;
    this.fd = fd;
  }
}

/** Node's utimes arguments (seconds, as fractions) for two `new-timestamp`s. */
function times(st: BigIntStats, atime: NewTimestamp, mtime: NewTimestamp): [number, number] {
  const now = BigInt(Date.now()) * 1_000_000n;
  const sec = (ns: bigint) => Number(ns) / 1e9;
  return [sec(timestampNs(atime, st.atimeNs, now)), sec(timestampNs(mtime, st.mtimeNs, now))];
}

const ERRNO: Record<string, ErrorCode> = {
  ENOENT: 'no-entry',
  EEXIST: 'exist',
  ENOTDIR: 'not-directory',
  EISDIR: 'is-directory',
  ENOTEMPTY: 'not-empty',
  EACCES: 'access',
  EPERM: 'not-permitted',
  ELOOP: 'loop',
  ENAMETOOLONG: 'name-too-long',
  EINVAL: 'invalid',
  EROFS: 'read-only',
  EBADF: 'bad-descriptor',
  ENOSPC: 'insufficient-space',
  EDQUOT: 'quota',
  EXDEV: 'cross-device',
  EMLINK: 'too-many-links',
  EBUSY: 'busy',
  EFBIG: 'file-too-large',
  EAGAIN: 'would-block',
  ETXTBSY: 'text-file-busy',
  EOVERFLOW: 'overflow',
};

/** Runs a host call, turning a Node error into an FsError (FsErrors pass through). */
function host<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FsError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FsError((code && ERRNO[code]) || 'io', (e as Error).message);
  }
}

function lstat(p: string): BigIntStats | undefined {
  return host(() => fs.lstatSync(p, { bigint: true, throwIfNoEntry: false }));
}

function typeOf(st: fs.Stats | BigIntStats | fs.Dirent): DescriptorType {
  if (st.isFile()) return 'regular-file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic-link';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'unknown';
}

function statOf(st: BigIntStats): DescriptorStat {
  return {
    type: typeOf(st),
    linkCount: st.nlink,
    size: st.size,
    dataAccessTimestamp: nsToDatetime(st.atimeNs),
    dataModificationTimestamp: nsToDatetime(st.mtimeNs),
    statusChangeTimestamp: nsToDatetime(st.ctimeNs),
  };
}

const walker: Walker<Entry> = {
  lookup(dir, name) {
    const p = nodePath.join(dir.path, name);
    const st = lstat(p);
    return st && { path: p, st };
  },
  kind: (e) => (e.st.isDirectory() ? 'directory' : e.st.isSymbolicLink() ? 'symlink' : 'other'),
  readlink: (e) => host(() => fs.readlinkSync(e.path)),
};

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW } = fs.constants;

export class NodeBackend implements Backend {
  /** The preopened directory, as a real path. */
  readonly hostRoot: string;
  readonly #dev: bigint;
  readonly #ino: bigint;
  readonly #readOnly: boolean;
  readonly #relocateLimit: number;

  constructor(hostDir: string, options: NodeBackendOptions = {}) {
    this.hostRoot = host(() => fs.realpathSync(hostDir));
    const st = lstat(this.hostRoot);
    if (!st?.isDirectory()) throw new FsError('not-directory', hostDir);
    this.#dev = st.dev;
    this.#ino = st.ino;
    this.#readOnly = !!options.readOnly;
    this.#relocateLimit = options.relocateLimit ?? 10000;
  }

  root(flags: DescriptorFlags = { read: true, mutateDirectory: true }): Handle {
    const f = { ...flags };
    if (this.#readOnly) f.mutateDirectory = f.write = false;
    this.#rootEntry();
    return new NodeHandle(this, this.hostRoot, this.#dev, this.#ino, 'directory', f, undefined);
  }

  openAt(dir: Handle, path: string, pathFlags: PathFlags, openFlags: OpenFlags, flags: DescriptorFlags): Handle {
    const d = this.#dir(dir);
    checkOpen(dir, openFlags, flags);
    const r = walk(walker, d, path, !!pathFlags.symlinkFollow);
    const node = r.node;
    if (node === undefined) {
      if (!openFlags.create) throw new FsError('no-entry');
      if (openFlags.directory) throw new FsError('invalid', 'create with directory');
    } else {
      if (openFlags.create && openFlags.exclusive) throw new FsError('exist');
      if (node.st.isSymbolicLink()) throw new FsError('loop', 'final component is a symlink');
      if (openFlags.directory && !node.st.isDirectory()) throw new FsError('not-directory');
      if (node.st.isDirectory()) {
        if (flags.write || openFlags.truncate) throw new FsError('is-directory');
        const dirFlags = openedFlags('directory', openFlags, flags);
        return new NodeHandle(this, node.path, node.st.dev, node.st.ino, 'directory', dirFlags, undefined);
      }
      if (flags.mutateDirectory) throw new FsError('not-directory');
    }
    const hostPath = node ? node.path : nodePath.join((r.parent as Entry).path, r.name as string);
    flags = openedFlags('file', openFlags, flags);
    let mode = flags.read && flags.write ? O_RDWR : flags.write ? O_WRONLY : O_RDONLY;
    mode |= O_NOFOLLOW;
    if (openFlags.create) mode |= O_CREAT;
    if (openFlags.create && (openFlags.exclusive || node === undefined)) mode |= O_EXCL;
    if (openFlags.truncate) mode |= flags.write ? O_TRUNC : 0;
    const fd = host(() => fs.openSync(hostPath, mode, 0o666));
    try {
      // O_TRUNC needs a writable descriptor: a read-only open with `truncate` truncates here.
      if (openFlags.truncate && !flags.write) host(() => fs.truncateSync(hostPath, 0));
      const st = host(() => fs.fstatSync(fd, { bigint: true }));
      return new NodeHandle(this, hostPath, st.dev, st.ino, typeOf(st), flags, fd);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  stat(h: Handle): DescriptorStat {
    return statOf(this.#statHandle(h));
  }

  statAt(dir: Handle, pathFlags: PathFlags, path: string): DescriptorStat {
    return statOf(this.#resolve(dir, path, !!pathFlags.symlinkFollow).st);
  }

  readDirectory(dir: Handle): DirectoryEntry[] {
    const d = this.#dir(dir);
    if (!dir.flags.read) throw new FsError('bad-descriptor');
    return host(() => fs.readdirSync(d.path, { withFileTypes: true }))
      .map((e) => ({ name: e.name, type: typeOf(e) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node !== undefined) throw new FsError('exist');
    host(() => fs.mkdirSync(nodePath.join((r.parent as Entry).path, r.name as string)));
  }

  removeDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node === undefined) throw new FsError('no-entry');
    if (r.parent === undefined) throw new FsError('invalid', 'cannot remove . or ..');
    if (!r.node.st.isDirectory()) throw new FsError('not-directory');
    host(() => fs.rmdirSync(r.node?.path as string));
  }

  unlinkFileAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(walker, d, path, false);
    if (r.node === undefined) throw new FsError('no-entry');
    if (r.node.st.isDirectory()) throw new FsError('is-directory');
    host(() => fs.unlinkSync(r.node?.path as string));
  }

  renameAt(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    const od = this.#dir(oldDir);
    const nd = this.#dir(newDir);
    requireMutate(oldDir);
    requireMutate(newDir);
    const from = walk(walker, od, oldPath, false);
    const to = walk(walker, nd, newPath, false);
    if (from.node === undefined) throw new FsError('no-entry');
    if (from.parent === undefined || to.parent === undefined) throw new FsError('busy', 'cannot rename . or ..');
    const dst = to.node;
    if (dst && from.node.st.isDirectory() && !dst.st.isDirectory()) throw new FsError('not-directory');
    if (dst && !from.node.st.isDirectory() && dst.st.isDirectory()) throw new FsError('is-directory');
    const target = nodePath.join((to.parent as Entry).path, to.name as string);
    host(() => fs.renameSync(from.node?.path as string, target));
  }

  symlinkAt(dir: Handle, oldPath: string, newPath: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    if (oldPath.startsWith('/')) throw new FsError('not-permitted', 'symlink to an absolute path');
    if (oldPath === '' || oldPath.includes('\0')) throw new FsError('invalid');
    const r = walk(walker, d, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    host(() => fs.symlinkSync(oldPath, nodePath.join((r.parent as Entry).path, r.name as string)));
  }

  readlinkAt(dir: Handle, path: string): string {
    const e = this.#resolve(dir, path, false);
    if (!e.st.isSymbolicLink()) throw new FsError('invalid', 'not a symbolic link');
    return walker.readlink(e);
  }

  linkAt(oldDir: Handle, oldPathFlags: PathFlags, oldPath: string, newDir: Handle, newPath: string): void {
    const src = this.#resolve(oldDir, oldPath, !!oldPathFlags.symlinkFollow);
    const nd = this.#dir(newDir);
    requireMutate(newDir);
    if (src.st.isDirectory()) throw new FsError('not-permitted', 'hard link to a directory');
    const r = walk(walker, nd, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    host(() => fs.linkSync(src.path, nodePath.join((r.parent as Entry).path, r.name as string)));
  }

  setSize(h: Handle, size: bigint): void {
    const fd = this.#fd(h, 'write');
    if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) throw new FsError('file-too-large');
    host(() => fs.ftruncateSync(fd, Number(size)));
  }

  setTimes(h: Handle, atime: NewTimestamp, mtime: NewTimestamp): void {
    const nh = this.#handle(h);
    if (!(nh.flags.write || (nh.type === 'directory' && nh.flags.mutateDirectory)))
      throw new FsError('not-permitted', 'not opened for writing');
    const st = this.#statHandle(h);
    const [a, m] = times(st, atime, mtime);
    if (nh.fd !== undefined) host(() => fs.futimesSync(nh.fd as number, a, m));
    else host(() => fs.utimesSync(this.#dir(h).path, a, m));
  }

  setTimesAt(dir: Handle, pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    requireMutate(dir);
    const follow = !!pathFlags.symlinkFollow;
    const e = this.#resolve(dir, path, follow);
    const [a, m] = times(e.st, atime, mtime);
    host(() => (e.st.isSymbolicLink() ? fs.lutimesSync(e.path, a, m) : fs.utimesSync(e.path, a, m)));
  }

  readInto(h: Handle, offset: bigint, target: Uint8Array): number {
    checkOffset(offset);
    const fd = this.#fd(h, 'read');
    return host(() => fs.readSync(fd, target, 0, target.length, offset));
  }

  write(h: Handle, offset: bigint, bytes: Uint8Array): number {
    checkOffset(offset);
    const fd = this.#fd(h, 'write');
    let done = 0;
    while (done < bytes.length)
      done += host(() => fs.writeSync(fd, bytes, done, bytes.length - done, Number(offset) + done));
    return done;
  }

  append(h: Handle, bytes: Uint8Array): number {
    const fd = this.#fd(h, 'write');
    const end = host(() => fs.fstatSync(fd, { bigint: true })).size;
    return this.write(h, end, bytes);
  }

  sync(h: Handle): void {
    const nh = this.#handle(h);
    if (nh.fd !== undefined) host(() => fs.fsyncSync(nh.fd as number));
    else this.#dir(h);
  }

  getFlags(h: Handle): DescriptorFlags {
    return { ...this.#handle(h).flags };
  }

  getType(h: Handle): DescriptorType {
    return typeOf(this.#statHandle(h));
  }

  isSameObject(a: Handle, b: Handle): boolean {
    const x = this.#handle(a);
    const y = this.#handle(b);
    return x.dev === y.dev && x.ino === y.ino;
  }

  metadataHash(h: Handle): MetadataHashValue {
    const st = this.#statHandle(h);
    return hashMetadata(st.dev, st.ino, st.size, st.mtimeNs);
  }

  metadataHashAt(dir: Handle, pathFlags: PathFlags, path: string): MetadataHashValue {
    const { st } = this.#resolve(dir, path, !!pathFlags.symlinkFollow);
    return hashMetadata(st.dev, st.ino, st.size, st.mtimeNs);
  }

  close(h: Handle): void {
    const nh = this.#handle(h);
    nh.closed = true;
    if (nh.fd !== undefined) fs.closeSync(nh.fd);
  }

  // ---- internals ----

  #handle(h: Handle): NodeHandle {
    if (!(h instanceof NodeHandle) || h.owner !== this || h.closed) throw new FsError('bad-descriptor');
    return h;
  }

  #rootEntry(): Entry {
    const st = lstat(this.hostRoot);
    if (!st?.isDirectory() || st.dev !== this.#dev || st.ino !== this.#ino)
      throw new FsError('bad-descriptor', 'the preopened directory was moved or replaced');
    return { path: this.hostRoot, st };
  }

  /**
   * The directory a handle refers to, as it is now: its path is re-checked against its identity;
   * if something else sits there (it was renamed, or replaced by a symlink), the directory is
   * looked up by identity under the preopen, and is `bad-descriptor` when it is gone.
   */
  #dir(h: Handle): Entry {
    const nh = this.#handle(h);
    if (nh.fd !== undefined || nh.type !== 'directory') throw new FsError('not-directory');
    const root = this.#rootEntry();
    const st = lstat(nh.hostPath);
    if (st?.isDirectory() && st.dev === nh.dev && st.ino === nh.ino && this.#inside(nh.hostPath))
      return { path: nh.hostPath, st };
    const found = this.#find(root, nh.dev, nh.ino);
    if (!found) throw new FsError('bad-descriptor', 'the directory is gone');
    nh.hostPath = found.path;
    return found;
  }

  #inside(p: string): boolean {
    return p === this.hostRoot || p.startsWith(this.hostRoot + nodePath.sep);
  }

  #find(root: Entry, dev: bigint, ino: bigint): Entry | undefined {
    if (root.st.dev === dev && root.st.ino === ino) return root;
    const queue = [root.path];
    let visited = 0;
    while (queue.length > 0 && visited++ < this.#relocateLimit) {
      const dir = queue.shift() as string;
      let names: fs.Dirent[];
      try {
        names = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const d of names) {
        if (!d.isDirectory()) continue; // a Dirent of a symlink is not a directory: never followed
        const p = nodePath.join(dir, d.name);
        const st = lstat(p);
        if (!st?.isDirectory()) continue;
        if (st.dev === dev && st.ino === ino) return { path: p, st };
        queue.push(p);
      }
    }
    return undefined;
  }

  #statHandle(h: Handle): BigIntStats {
    const nh = this.#handle(h);
    if (nh.fd !== undefined) return host(() => fs.fstatSync(nh.fd as number, { bigint: true }));
    return this.#dir(h).st;
  }

  #fd(h: Handle, need: 'read' | 'write'): number {
    const nh = this.#handle(h);
    if (nh.type === 'directory') throw new FsError('is-directory');
    if (nh.fd === undefined) throw new FsError('bad-descriptor');
    if (!nh.flags[need]) throw new FsError('bad-descriptor', `not opened for ${need}`);
    return nh.fd;
  }

  #resolve(dir: Handle, path: string, follow: boolean): Entry {
    const r = walk(walker, this.#dir(dir), path, follow);
    if (r.node === undefined) throw new FsError('no-entry');
    return r.node;
  }
}
