// A read-only overlay: a tree bundled with the app (the lower layer, only ever read) served over a
// writable layer (the upper layer, which receives every change), with overlayfs's semantics. Both
// layers are any Backend; no Node APIs are used here, so it runs in browsers.
//
// How it is built:
//
// - Paths are resolved here, by the shared `walk()`, over the merged view. The layers are only
//   ever asked about one component at a time (a name without `/`, never `.` or `..`), with
//   `symlinkFollow` off, through directory descriptors the overlay holds. So `..`, absolute paths
//   and symlinks (in either layer, made by the guest or bundled) follow exactly the rules of the
//   other backends, and each layer's own sandbox still applies underneath: the overlay adds no way
//   out of its root.
// - Every directory of the merged view that has been reached is one `ODir`, kept in a tree that
//   mirrors the merged directories: it holds a descriptor of the directory in the upper layer (once
//   it exists there) and one of the lower directory it merges with (if any). Directory descriptors
//   of the overlay point at the ODir, so they follow their directory through renames and see it
//   gain an upper copy. Its `ino` (assigned here) is the directory's identity.
// - Whiteouts live in the overlay's own state, in the ODir (`whiteouts`: names whose lower entry is
//   hidden), not as marker entries in the upper layer. That keeps the upper layer an ordinary tree
//   with no reserved names a guest could see, create or trip over; the price is that they last as
//   long as this OverlayBackend: an upper layer reused by a new overlay later (a NodeBackend
//   directory, a MemoryBackend snapshot) shows the lower entries again that were removed. A
//   whiteout stays when the upper layer later gets an entry of the same name, so removing that
//   entry does not bring the lower one back, and a directory created there does not merge with the
//   lower directory of that name (overlayfs's opaque directory).
// - Neither layer may be changed behind the overlay's back while it is in use (as overlayfs says of
//   its layers): the ODir tree caches which directories exist. Doing so cannot break the sandbox
//   (each layer enforces its own), only the merged view.

import {
  type Backend,
  checkOffset,
  checkOpen,
  type Datetime,
  type DescriptorFlags,
  type DescriptorStat,
  type DescriptorType,
  type DirectoryEntry,
  FsError,
  type Handle,
  hashMetadata,
  type MetadataHashValue,
  type NewTimestamp,
  type OpenFlags,
  openedFlags,
  type PathFlags,
  requireMutate,
  type Walker,
  walk,
} from './backend.ts';

const NOFOLLOW: PathFlags = {};
const COPY_CHUNK = 64 * 1024;
/** Mixed into metadata hashes so that directories, upper files and lower files never collide. */
const TAG_DIR = 1n;
const TAG_UPPER = 2n;
const TAG_LOWER = 3n;

/** A directory of the merged view. */
class ODir {
  readonly ino: bigint;
  parent: ODir | undefined;
  name: string;
  /** The directory in the upper layer, once it exists there. */
  upper: Handle | undefined;
  /** The lower directory merged into this one (none for upper-only and opaque directories). */
  lower: Handle | undefined;
  /** Names whose lower entry is hidden. */
  readonly whiteouts = new Set<string>();
  /** Subdirectories reached so far. */
  readonly children = new Map<string, ODir>();
  /** Lower files open through the overlay, by name: a copy-up redirects them. */
  readonly lowerFiles = new Map<string, OFile>();
  removed = false;
  constructor(
    ino: bigint,
    parent: ODir | undefined,
    name: string,
    upper: Handle | undefined,
    lower: Handle | undefined,
  ) {
    this.ino = ino;
    this.parent = parent;
    this.name = name;
    this.upper = upper;
    this.lower = lower;
  }
}

/** A non-directory entry found in one layer. */
interface OEntry {
  readonly parent: ODir;
  readonly name: string;
  readonly layer: 'upper' | 'lower';
  readonly st: DescriptorStat;
}

type ONode = ODir | OEntry;

/**
 * An open file, shared by every overlay descriptor opened on the same lower file (so a copy-up
 * redirects all of them at once); a file opened in the upper layer has one per descriptor.
 */
class OFile {
  /** The file in the upper layer: always set for descriptors opened for writing. */
  upper: Handle | undefined;
  /** The lower file, until the file is copied up. */
  lower: Handle | undefined;
  /** Where it is registered in `ODir.lowerFiles`, while it is a lower file. */
  at: { dir: ODir; name: string } | undefined;
  refs = 1;
  constructor(upper: Handle | undefined, lower: Handle | undefined) {
    this.upper = upper;
    this.lower = lower;
  }
}

class OHandle implements Handle {
  closed = false;
  readonly owner: OverlayBackend;
  readonly type: DescriptorType;
  readonly flags: Readonly<DescriptorFlags>;
  readonly dir: ODir | undefined;
  readonly file: OFile | undefined;
  constructor(
    owner: OverlayBackend,
    type: DescriptorType,
    flags: Readonly<DescriptorFlags>,
    dir: ODir | undefined,
    file: OFile | undefined,
  ) {
    this.owner = owner;
    this.type = type;
    this.flags = flags;
    this.dir = dir;
    this.file = file;
  }
}

function keep(t: Datetime | undefined): NewTimestamp {
  return t ? { tag: 'timestamp', val: t } : { tag: 'no-change' };
}

function ns(t: Datetime | undefined): bigint {
  return t ? t.seconds * 1_000_000_000n + BigInt(t.nanoseconds) : 0n;
}

/** `b.statAt(dir, nofollow, name)`, or undefined when there is no such entry. */
function peek(b: Backend, dir: Handle | undefined, name: string): DescriptorStat | undefined {
  if (dir === undefined) return undefined;
  try {
    return b.statAt(dir, NOFOLLOW, name);
  } catch (e) {
    if (e instanceof FsError && e.code === 'no-entry') return undefined;
    throw e;
  }
}

/**
 * A read-only tree (`lower`) under a writable one (`upper`), merged as overlayfs merges them:
 *
 * - A name is the upper layer's entry if it has one, else the lower layer's (unless whited out).
 *   Directories present in both merge: reading one lists the union, sorted by name.
 * - Opening a lower file for writing or with `truncate`, and `set-times`, `link-at` or `rename-at`
 *   on a lower entry, first copy it up: the whole file (or symlink) with its access and
 *   modification times, after the chain of its directories (each with its times). Creating
 *   anything inside a lower directory copies up that chain too. Copy-ups leave the times of the
 *   directories they create entries in as they were.
 * - Removing (unlink, rmdir, or renaming away) an entry the lower layer has records a whiteout.
 * - Renaming a directory that has a lower part (a lower or merged directory) is `cross-device`, as
 *   in overlayfs without `redirect_dir`: callers fall back to copy and delete, as `mv` does.
 *   Directories that exist only in the upper layer rename normally.
 * - A descriptor opened on a lower file that is then copied up (through another descriptor or a
 *   path) follows it: it reads the copy, so it sees later writes, as with overlayfs since Linux
 *   4.19. A lower file that is removed stays readable through descriptors already open on it.
 * - Identity: a directory is the same object through copy-up and renames (`metadata-hash` mixes
 *   an inode number the overlay assigns). A file is its current layer's object: descriptors opened
 *   before and after a copy-up are `is-same-object`, and give the same `metadata-hash`; the hash
 *   does change at the copy-up itself, as it would for a file replaced. Hard links within the lower
 *   layer are broken up by copy-up (each name copies up on its own, as overlayfs without `index`).
 *
 * The lower layer is only read: its root is opened without `mutate-directory`, so it may be a
 * read-only NodeBackend. `new OverlayBackend(lower, upper)`; see the module comment for where
 * whiteouts are kept and what must not happen to the layers meanwhile.
 */
export class OverlayBackend implements Backend {
  readonly lower: Backend;
  readonly upper: Backend;
  readonly #root: ODir;
  #nextIno = 1n;
  readonly #walker: Walker<ONode>;

  constructor(lower: Backend, upper: Backend) {
    this.lower = lower;
    this.upper = upper;
    this.#root = new ODir(
      this.#nextIno++,
      undefined,
      '',
      upper.root({ read: true, mutateDirectory: true }),
      lower.root({ read: true }),
    );
    this.#walker = {
      lookup: (dir, name) => this.#lookup(dir as ODir, name),
      kind: (n) => (n instanceof ODir ? 'directory' : n.st.type === 'symbolic-link' ? 'symlink' : 'other'),
      readlink: (n) => this.#layer(n as OEntry).readlinkAt(this.#layerDir(n as OEntry), (n as OEntry).name),
    };
  }

  root(flags: DescriptorFlags = { read: true, mutateDirectory: true }): Handle {
    return new OHandle(this, 'directory', { ...flags }, this.#root, undefined);
  }

  openAt(dir: Handle, path: string, pathFlags: PathFlags, openFlags: OpenFlags, flags: DescriptorFlags): Handle {
    const d = this.#dir(dir);
    checkOpen(dir, openFlags, flags);
    const r = walk(this.#walker, d, path, !!pathFlags.symlinkFollow);
    const node = r.node;
    if (node === undefined) {
      if (!openFlags.create) throw new FsError('no-entry');
      if (openFlags.directory) throw new FsError('invalid', 'create with directory');
      const pu = this.#ensureUpper(this.#live(r.parent as ODir));
      const rights = openedFlags('file', openFlags, flags);
      const inner = this.upper.openAt(pu, r.name as string, NOFOLLOW, { create: true, exclusive: true }, rights);
      return new OHandle(this, 'regular-file', rights, undefined, new OFile(inner, undefined));
    }
    if (openFlags.create && openFlags.exclusive) throw new FsError('exist');
    if (node instanceof ODir) {
      if (flags.write || openFlags.truncate) throw new FsError('is-directory');
      return new OHandle(this, 'directory', openedFlags('directory', openFlags, flags), node, undefined);
    }
    if (node.st.type === 'symbolic-link') throw new FsError('loop', 'final component is a symlink');
    if (openFlags.directory) throw new FsError('not-directory');
    if (flags.mutateDirectory) throw new FsError('not-directory');
    const rights = openedFlags('file', openFlags, flags);
    let layer = node.layer;
    if (layer === 'lower' && (rights.write || openFlags.truncate)) {
      this.#copyUp(node.parent, node.name, !openFlags.truncate);
      layer = 'upper';
    }
    if (layer === 'upper') {
      const inner = this.upper.openAt(
        node.parent.upper as Handle,
        node.name,
        NOFOLLOW,
        { truncate: openFlags.truncate },
        rights,
      );
      return new OHandle(this, node.st.type, rights, undefined, new OFile(inner, undefined));
    }
    let f = node.parent.lowerFiles.get(node.name);
    if (f) f.refs++;
    else {
      f = new OFile(undefined, this.lower.openAt(node.parent.lower as Handle, node.name, NOFOLLOW, {}, { read: true }));
      f.at = { dir: node.parent, name: node.name };
      node.parent.lowerFiles.set(node.name, f);
    }
    return new OHandle(this, node.st.type, rights, undefined, f);
  }

  stat(h: Handle): DescriptorStat {
    const oh = this.#handle(h);
    if (oh.dir) return this.#statDir(oh.dir);
    const f = oh.file as OFile;
    return f.upper ? this.upper.stat(f.upper) : this.lower.stat(f.lower as Handle);
  }

  statAt(dir: Handle, pathFlags: PathFlags, path: string): DescriptorStat {
    const n = this.#resolve(dir, path, !!pathFlags.symlinkFollow);
    return n instanceof ODir ? this.#statDir(n) : n.st;
  }

  readDirectory(dir: Handle): DirectoryEntry[] {
    const d = this.#dir(dir);
    if (!dir.flags.read) throw new FsError('bad-descriptor');
    return [...this.#entries(d)]
      .map(([name, type]) => ({ name, type }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(this.#walker, d, path, false);
    if (r.node !== undefined) throw new FsError('exist');
    // A whiteout at this name stays: the new directory does not merge with a lower one (opaque).
    this.upper.createDirectoryAt(this.#ensureUpper(this.#live(r.parent as ODir)), r.name as string);
  }

  removeDirectoryAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(this.#walker, d, path, false);
    const node = r.node;
    if (node === undefined) throw new FsError('no-entry');
    if (r.parent === undefined) throw new FsError('invalid', 'cannot remove . or ..');
    if (!(node instanceof ODir)) throw new FsError('not-directory');
    if (this.#entries(node).size > 0) throw new FsError('not-empty');
    const parent = r.parent as ODir;
    const name = r.name as string;
    // The merged view is empty, so the upper part is too.
    if (node.upper) this.upper.removeDirectoryAt(parent.upper as Handle, name);
    this.#whiteout(parent, name, !node.upper);
    this.#drop(node);
  }

  unlinkFileAt(dir: Handle, path: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    const r = walk(this.#walker, d, path, false);
    const node = r.node;
    if (node === undefined) throw new FsError('no-entry');
    if (node instanceof ODir) throw new FsError('is-directory');
    if (node.layer === 'upper') this.upper.unlinkFileAt(node.parent.upper as Handle, node.name);
    this.#whiteout(node.parent, node.name, node.layer === 'lower');
  }

  renameAt(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    const od = this.#dir(oldDir);
    const nd = this.#dir(newDir);
    requireMutate(oldDir);
    requireMutate(newDir);
    const from = walk(this.#walker, od, oldPath, false);
    const to = walk(this.#walker, nd, newPath, false);
    const src = from.node;
    if (src === undefined) throw new FsError('no-entry');
    if (from.parent === undefined || to.parent === undefined) throw new FsError('busy', 'cannot rename . or ..');
    const fromDir = from.parent as ODir;
    const fromName = from.name as string;
    const toDir = this.#live(to.parent as ODir);
    const toName = to.name as string;
    if (fromDir === toDir && fromName === toName) return;
    const dst = to.node;
    if (src instanceof ODir) {
      for (let p: ODir | undefined = toDir; p; p = p.parent)
        if (p === src) throw new FsError('invalid', 'cannot move a directory into itself');
      if (dst !== undefined && !(dst instanceof ODir)) throw new FsError('not-directory');
      if (dst instanceof ODir && this.#entries(dst).size > 0) throw new FsError('not-empty');
      if (src.lower) throw new FsError('cross-device', 'a directory with a lower part cannot be renamed');
    } else if (dst instanceof ODir) throw new FsError('is-directory');
    if (!(src instanceof ODir) && src.layer === 'lower') this.#copyUp(fromDir, fromName, true);
    const tu = this.#ensureUpper(toDir);
    // A lower-only `dst` has nothing in the upper layer to replace; the whiteout below hides it.
    this.upper.renameAt(fromDir.upper as Handle, fromName, tu, toName);
    this.#whiteout(fromDir, fromName, false);
    this.#whiteout(toDir, toName, false);
    if (dst instanceof ODir) this.#drop(dst);
    if (src instanceof ODir) {
      fromDir.children.delete(fromName);
      toDir.children.set(toName, src);
      src.parent = toDir;
      src.name = toName;
    }
  }

  symlinkAt(dir: Handle, oldPath: string, newPath: string): void {
    const d = this.#dir(dir);
    requireMutate(dir);
    if (oldPath.startsWith('/')) throw new FsError('not-permitted', 'symlink to an absolute path');
    if (oldPath === '' || oldPath.includes('\0')) throw new FsError('invalid');
    const r = walk(this.#walker, d, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    this.upper.symlinkAt(this.#ensureUpper(this.#live(r.parent as ODir)), oldPath, r.name as string);
  }

  readlinkAt(dir: Handle, path: string): string {
    const n = this.#resolve(dir, path, false);
    if (n instanceof ODir || n.st.type !== 'symbolic-link') throw new FsError('invalid', 'not a symbolic link');
    return this.#walker.readlink(n);
  }

  linkAt(oldDir: Handle, oldPathFlags: PathFlags, oldPath: string, newDir: Handle, newPath: string): void {
    const src = this.#resolve(oldDir, oldPath, !!oldPathFlags.symlinkFollow);
    const nd = this.#dir(newDir);
    requireMutate(newDir);
    if (src instanceof ODir) throw new FsError('not-permitted', 'hard link to a directory');
    const r = walk(this.#walker, nd, newPath, false);
    if (r.node !== undefined) throw new FsError('exist');
    const toDir = this.#live(r.parent as ODir);
    if (src.layer === 'lower') this.#copyUp(src.parent, src.name, true);
    const tu = this.#ensureUpper(toDir);
    this.upper.linkAt(src.parent.upper as Handle, NOFOLLOW, src.name, tu, r.name as string);
  }

  setSize(h: Handle, size: bigint): void {
    this.upper.setSize(this.#upperFile(h), size);
  }

  setTimes(h: Handle, atime: NewTimestamp, mtime: NewTimestamp): void {
    const oh = this.#handle(h);
    if (!(oh.flags.write || (oh.dir && oh.flags.mutateDirectory)))
      throw new FsError('not-permitted', 'not opened for writing');
    if (oh.dir) this.upper.setTimes(this.#ensureUpper(oh.dir), atime, mtime);
    else this.upper.setTimes(this.#upperFile(h), atime, mtime);
  }

  setTimesAt(dir: Handle, pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    requireMutate(dir);
    const n = this.#resolve(dir, path, !!pathFlags.symlinkFollow);
    if (n instanceof ODir) return this.upper.setTimes(this.#ensureUpper(n), atime, mtime);
    if (n.layer === 'lower') this.#copyUp(n.parent, n.name, true);
    this.upper.setTimesAt(n.parent.upper as Handle, NOFOLLOW, n.name, atime, mtime);
  }

  readInto(h: Handle, offset: bigint, target: Uint8Array): number {
    checkOffset(offset);
    const f = this.#file(h, 'read');
    return f.upper
      ? this.upper.readInto(f.upper, offset, target)
      : this.lower.readInto(f.lower as Handle, offset, target);
  }

  write(h: Handle, offset: bigint, bytes: Uint8Array): number {
    checkOffset(offset);
    return this.upper.write(this.#upperFile(h), offset, bytes);
  }

  append(h: Handle, bytes: Uint8Array): number {
    return this.upper.append(this.#upperFile(h), bytes);
  }

  sync(h: Handle): void {
    const oh = this.#handle(h);
    const u = oh.dir ? oh.dir.upper : oh.file?.upper;
    if (u) this.upper.sync(u);
  }

  getFlags(h: Handle): DescriptorFlags {
    return { ...this.#handle(h).flags };
  }

  getType(h: Handle): DescriptorType {
    return this.#handle(h).type;
  }

  isSameObject(a: Handle, b: Handle): boolean {
    const x = this.#handle(a);
    const y = this.#handle(b);
    if (x.dir || y.dir) return x.dir === y.dir;
    const f = x.file as OFile;
    const g = y.file as OFile;
    if (f === g) return true;
    if (f.upper && g.upper) return this.upper.isSameObject(f.upper, g.upper);
    if (f.lower && g.lower) return this.lower.isSameObject(f.lower, g.lower);
    return false;
  }

  metadataHash(h: Handle): MetadataHashValue {
    const oh = this.#handle(h);
    if (oh.dir) return this.#dirHash(oh.dir);
    const f = oh.file as OFile;
    return f.upper
      ? tagged(TAG_UPPER, this.upper.metadataHash(f.upper))
      : tagged(TAG_LOWER, this.lower.metadataHash(f.lower as Handle));
  }

  metadataHashAt(dir: Handle, pathFlags: PathFlags, path: string): MetadataHashValue {
    const n = this.#resolve(dir, path, !!pathFlags.symlinkFollow);
    if (n instanceof ODir) return this.#dirHash(n);
    const inner = this.#layer(n).metadataHashAt(this.#layerDir(n), NOFOLLOW, n.name);
    return tagged(n.layer === 'upper' ? TAG_UPPER : TAG_LOWER, inner);
  }

  close(h: Handle): void {
    const oh = this.#handle(h);
    oh.closed = true;
    const f = oh.file;
    if (f && --f.refs === 0) {
      this.#unregister(f);
      if (f.upper) this.upper.close(f.upper);
      if (f.lower) this.lower.close(f.lower);
    }
  }

  // ---- internals ----

  #handle(h: Handle): OHandle {
    if (!(h instanceof OHandle) || h.owner !== this || h.closed) throw new FsError('bad-descriptor');
    return h;
  }

  #dir(h: Handle): ODir {
    const oh = this.#handle(h);
    if (!oh.dir) throw new FsError('not-directory');
    return oh.dir;
  }

  #file(h: Handle, need: 'read' | 'write'): OFile {
    const oh = this.#handle(h);
    if (oh.dir) throw new FsError('is-directory');
    if (!oh.flags[need]) throw new FsError('bad-descriptor', `not opened for ${need}`);
    return oh.file as OFile;
  }

  /** The upper file of a descriptor opened for writing (those were copied up when opened). */
  #upperFile(h: Handle): Handle {
    return this.#file(h, 'write').upper as Handle;
  }

  #resolve(dir: Handle, path: string, follow: boolean): ONode {
    const r = walk(this.#walker, this.#dir(dir), path, follow);
    if (r.node === undefined) throw new FsError('no-entry');
    return r.node;
  }

  #layer(e: OEntry): Backend {
    return e.layer === 'upper' ? this.upper : this.lower;
  }

  #layerDir(e: OEntry): Handle {
    return (e.layer === 'upper' ? e.parent.upper : e.parent.lower) as Handle;
  }

  /** A directory a new entry goes into: one removed while a descriptor held it takes none. */
  #live(d: ODir): ODir {
    if (d.removed) throw new FsError('no-entry', 'directory was removed');
    return d;
  }

  /** The merged entry `name` of `dir`, not followed. */
  #lookup(dir: ODir, name: string): ONode | undefined {
    if (dir.removed) return undefined;
    const cached = dir.children.get(name);
    if (cached) return cached;
    const up = peek(this.upper, dir.upper, name);
    const hidden = dir.whiteouts.has(name);
    if (up !== undefined && up.type !== 'directory') return { parent: dir, name, layer: 'upper', st: up };
    const low = hidden ? undefined : peek(this.lower, dir.lower, name);
    if (up === undefined && low === undefined) return undefined;
    if (up === undefined && low?.type !== 'directory')
      return { parent: dir, name, layer: 'lower', st: low as DescriptorStat };
    // A directory: the upper one (merged with a lower directory of the same name), or a lower one.
    const upper =
      up &&
      this.upper.openAt(
        dir.upper as Handle,
        name,
        NOFOLLOW,
        { directory: true },
        { read: true, mutateDirectory: !!dir.upper?.flags.mutateDirectory },
      );
    const lower =
      low?.type === 'directory'
        ? this.lower.openAt(dir.lower as Handle, name, NOFOLLOW, { directory: true }, { read: true })
        : undefined;
    const child = new ODir(this.#nextIno++, dir, name, upper, lower);
    dir.children.set(name, child);
    return child;
  }

  /** The merged entries of a directory (name → type). */
  #entries(d: ODir): Map<string, DescriptorType> {
    const out = new Map<string, DescriptorType>();
    if (d.removed) return out;
    if (d.upper) for (const e of this.upper.readDirectory(d.upper)) out.set(e.name, e.type);
    if (d.lower)
      for (const e of this.lower.readDirectory(d.lower))
        if (!d.whiteouts.has(e.name) && !out.has(e.name)) out.set(e.name, e.type);
    return out;
  }

  #statDir(d: ODir): DescriptorStat {
    return d.upper ? this.upper.stat(d.upper) : this.lower.stat(d.lower as Handle);
  }

  #dirHash(d: ODir): MetadataHashValue {
    return hashMetadata(TAG_DIR, d.ino, 0n, ns(this.#statDir(d).dataModificationTimestamp));
  }

  /**
   * Runs `f`, which adds an entry to `d`'s upper directory that the merged view already had (a
   * copy-up), and puts `d`'s times back: to the guest, nothing in `d` changed.
   */
  #quietly(d: ODir, f: () => void): void {
    const u = d.upper as Handle;
    const st = this.upper.stat(u);
    try {
      f();
    } finally {
      this.upper.setTimes(u, keep(st.dataAccessTimestamp), keep(st.dataModificationTimestamp));
    }
  }

  /** `d`'s upper directory, creating it and the chain above it (each with its lower times). */
  #ensureUpper(d: ODir): Handle {
    if (d.upper) return d.upper;
    if (d.removed) throw new FsError('no-entry', 'directory was removed');
    const parent = d.parent as ODir; // the root always has an upper directory
    const pu = this.#ensureUpper(parent);
    const st = this.lower.stat(d.lower as Handle);
    this.#quietly(parent, () => this.upper.createDirectoryAt(pu, d.name));
    const u = this.upper.openAt(
      pu,
      d.name,
      NOFOLLOW,
      { directory: true },
      { read: true, mutateDirectory: !!pu.flags.mutateDirectory },
    );
    this.upper.setTimes(u, keep(st.dataAccessTimestamp), keep(st.dataModificationTimestamp));
    d.upper = u;
    return u;
  }

  /**
   * Copies the lower entry `name` of `dir` (a file or symlink) to the upper layer, with its times;
   * `data: false` leaves the copy empty (it is about to be truncated). Descriptors open on the
   * lower file are redirected to the copy. On failure (e.g. the upper layer is full) no partial
   * copy is left.
   */
  #copyUp(dir: ODir, name: string, data: boolean): void {
    const low = dir.lower as Handle;
    const st = this.lower.statAt(low, NOFOLLOW, name);
    const pu = this.#ensureUpper(dir);
    this.#quietly(dir, () => {
      if (st.type === 'symbolic-link') {
        this.upper.symlinkAt(pu, this.lower.readlinkAt(low, name), name);
        return;
      }
      if (st.type !== 'regular-file') throw new FsError('unsupported', `cannot copy up a ${st.type}`);
      const src = this.lower.openAt(low, name, NOFOLLOW, {}, { read: true });
      try {
        const dst = this.upper.openAt(pu, name, NOFOLLOW, { create: true, exclusive: true }, { write: true });
        try {
          const buf = new Uint8Array(data ? COPY_CHUNK : 0);
          for (let off = 0n; data; ) {
            const n = this.lower.readInto(src, off, buf);
            if (n === 0) break;
            this.upper.write(dst, off, buf.subarray(0, n));
            off += BigInt(n);
          }
        } catch (e) {
          this.upper.close(dst);
          this.upper.unlinkFileAt(pu, name);
          throw e;
        }
        this.upper.close(dst);
      } finally {
        this.lower.close(src);
      }
    });
    this.upper.setTimesAt(pu, NOFOLLOW, name, keep(st.dataAccessTimestamp), keep(st.dataModificationTimestamp));
    const open = dir.lowerFiles.get(name);
    if (open) {
      this.#unregister(open);
      open.upper = this.upper.openAt(pu, name, NOFOLLOW, {}, { read: true });
      this.lower.close(open.lower as Handle);
      open.lower = undefined;
    }
  }

  /**
   * After `name` left `dir`: hides the lower entry of that name, if there is one. `touch` (when
   * the upper layer did not change, so its directory's times did not either) marks `dir` modified.
   */
  #whiteout(dir: ODir, name: string, touch: boolean): void {
    if (peek(this.lower, dir.lower, name) !== undefined) dir.whiteouts.add(name);
    const open = dir.lowerFiles.get(name);
    if (open && dir.whiteouts.has(name)) this.#unregister(open); // it stays readable, as the lower file
    if (touch) this.upper.setTimes(this.#ensureUpper(dir), { tag: 'no-change' }, { tag: 'now' });
  }

  #unregister(f: OFile): void {
    if (f.at && f.at.dir.lowerFiles.get(f.at.name) === f) f.at.dir.lowerFiles.delete(f.at.name);
    f.at = undefined;
  }

  /** Forgets a removed directory; descriptors still open on it see it empty. */
  #drop(d: ODir): void {
    d.removed = true;
    if (d.parent?.children.get(d.name) === d) d.parent.children.delete(d.name);
  }
}

function tagged(tag: bigint, h: MetadataHashValue): MetadataHashValue {
  return hashMetadata(tag, h.lower, h.upper, 0n);
}
