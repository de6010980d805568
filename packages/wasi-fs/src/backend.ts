// The backend layer of wasi:filesystem: one small interface a `descriptor` implementation calls,
// named after wasi:filesystem@0.3's descriptor methods, with errors as its `error-code` strings.

/** wasi:filesystem `error-code` cases, as jco spells enum cases (0.2's list; 0.3 has no `would-block`). */
export const ERROR_CODES = [
  'access',
  'already',
  'bad-descriptor',
  'busy',
  'deadlock',
  'quota',
  'exist',
  'file-too-large',
  'illegal-byte-sequence',
  'in-progress',
  'interrupted',
  'invalid',
  'io',
  'is-directory',
  'loop',
  'too-many-links',
  'message-size',
  'name-too-long',
  'no-device',
  'no-entry',
  'no-lock',
  'insufficient-memory',
  'insufficient-space',
  'not-directory',
  'not-empty',
  'not-recoverable',
  'unsupported',
  'no-tty',
  'no-such-device',
  'overflow',
  'not-permitted',
  'pipe',
  'read-only',
  'invalid-seek',
  'text-file-busy',
  'cross-device',
  'would-block',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** What every backend method throws: `code` is the wasi:filesystem `error-code`. */
export class FsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ? `${code}: ${message}` : code);
    this.name = 'FsError';
    this.code = code;
  }
}

/**
 * The error code a thrown value carries when it is a backend's FsError (by name, so a second copy
 * of this package's class counts too) with a known code; undefined for anything else.
 */
export function errorCodeOf(e: unknown): ErrorCode | undefined {
  if (!(e instanceof Error) || e.name !== 'FsError') return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && KNOWN_CODES.has(code) ? (code as ErrorCode) : undefined;
}

export type DescriptorType =
  | 'unknown'
  | 'block-device'
  | 'character-device'
  | 'directory'
  | 'fifo'
  | 'symbolic-link'
  | 'regular-file'
  | 'socket';

export interface PathFlags {
  symlinkFollow?: boolean;
}

export interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}

export interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

/** wasi:clocks `instant` / 0.2 `datetime`. */
export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

export interface DescriptorStat {
  type: DescriptorType;
  linkCount: bigint;
  /** Regular files: bytes; symbolic links: length of the target; directories: backend-defined. */
  size: bigint;
  dataAccessTimestamp?: Datetime;
  dataModificationTimestamp?: Datetime;
  statusChangeTimestamp?: Datetime;
}

export interface DirectoryEntry {
  type: DescriptorType;
  name: string;
}

/** How `setTimes` changes one timestamp (wasi:filesystem `new-timestamp`). */
export type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };

export interface MetadataHashValue {
  lower: bigint;
  upper: bigint;
}

/** An open descriptor, as a backend hands it out. Opaque apart from these two fields. */
export interface Handle {
  readonly type: DescriptorType;
  readonly flags: Readonly<DescriptorFlags>;
}

/**
 * The operations a wasi:filesystem `descriptor` needs. Synchronous: the bindings wrap them in
 * the 0.3 async functions and 0.2 pollables. Paths are relative to `dir`, `/`-separated; every
 * method throws `FsError` (nothing else) on failure.
 */
export interface Backend {
  /** The preopened directory this backend serves (a fresh handle each call). */
  root(flags?: DescriptorFlags): Handle;
  openAt(dir: Handle, path: string, pathFlags: PathFlags, openFlags: OpenFlags, flags: DescriptorFlags): Handle;
  stat(h: Handle): DescriptorStat;
  statAt(dir: Handle, pathFlags: PathFlags, path: string): DescriptorStat;
  /** Entries other than `.` and `..`, sorted by name (UTF-16 code unit order, as `Array.prototype.sort`). */
  readDirectory(dir: Handle): DirectoryEntry[];
  createDirectoryAt(dir: Handle, path: string): void;
  removeDirectoryAt(dir: Handle, path: string): void;
  unlinkFileAt(dir: Handle, path: string): void;
  renameAt(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void;
  /** Creates `newPath` as a symbolic link to `oldPath` (the target; an absolute one is `not-permitted`). */
  symlinkAt(dir: Handle, oldPath: string, newPath: string): void;
  readlinkAt(dir: Handle, path: string): string;
  linkAt(oldDir: Handle, oldPathFlags: PathFlags, oldPath: string, newDir: Handle, newPath: string): void;
  setSize(h: Handle, size: bigint): void;
  /** Sets the access and modification times of the object `h` refers to. */
  setTimes(h: Handle, atime: NewTimestamp, mtime: NewTimestamp): void;
  setTimesAt(dir: Handle, pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void;
  /**
   * Reads at `offset` into `target` (up to its length) and returns the count; 0 at or past the
   * end. `target` may be a view of guest memory: this is the one copy a read makes.
   */
  readInto(h: Handle, offset: bigint, target: Uint8Array): number;
  /** Writes all of `bytes` at `offset` (a gap past the end reads as zeros); returns the count. */
  write(h: Handle, offset: bigint, bytes: Uint8Array): number;
  /** Writes all of `bytes` at the end of the file; returns the count. */
  append(h: Handle, bytes: Uint8Array): number;
  sync(h: Handle): void;
  getFlags(h: Handle): DescriptorFlags;
  getType(h: Handle): DescriptorType;
  isSameObject(a: Handle, b: Handle): boolean;
  metadataHash(h: Handle): MetadataHashValue;
  metadataHashAt(dir: Handle, pathFlags: PathFlags, path: string): MetadataHashValue;
  /** Releases the handle; using it afterwards is `bad-descriptor`. */
  close(h: Handle): void;
}

// ---- helpers shared by the backends ----

/** Up to `max` bytes at `offset`, as a new array (empty at or past the end). */
export function readAt(b: Backend, h: Handle, offset: bigint, max: number): Uint8Array {
  const buf = new Uint8Array(max);
  const n = b.readInto(h, offset, buf);
  return n === max ? buf : buf.slice(0, n);
}

/** A file offset must fit a signed 64-bit host offset (as `pread`'s `off_t`), else `invalid`. */
export function checkOffset(offset: bigint): void {
  if (offset < 0n || offset > 0x7fff_ffff_ffff_ffffn) throw new FsError('invalid', 'offset out of range');
}

/** A `new-timestamp` as ns since the epoch: `current` for no-change, `now` for now. */
export function timestampNs(t: NewTimestamp, current: bigint, now: bigint): bigint {
  if (t.tag === 'no-change') return current;
  if (t.tag === 'now') return now;
  return t.val.seconds * 1_000_000_000n + BigInt(t.val.nanoseconds);
}

/** Longest name of one path component, in UTF-16 code units (the bindings pass USV strings). */
export const NAME_MAX = 255;
/** How many symbolic links one resolution may expand before `loop`. */
export const SYMLINK_MAX = 40;

/** Splits a guest path: absolute is `not-permitted`, empty `no-entry`, NUL `invalid`. */
export function splitPath(path: string): string[] {
  if (path === '') throw new FsError('no-entry', 'empty path');
  if (path.startsWith('/')) throw new FsError('not-permitted', `absolute path ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new FsError('invalid', 'NUL in path');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (const p of parts) if (p.length > NAME_MAX) throw new FsError('name-too-long');
  return parts;
}

export type NodeKind = 'directory' | 'symlink' | 'other';

/** What the shared path walker needs from a backend's tree. */
export interface Walker<N> {
  /** The child `name` of directory `dir`, without following it; undefined when absent. */
  lookup(dir: N, name: string): N | undefined;
  kind(n: N): NodeKind;
  readlink(n: N): string;
}

export interface Walked<N> {
  /** The directory holding the final component (undefined when the path ends in `.`/`..`). */
  parent: N | undefined;
  /** The final component's name in `parent`. */
  name: string | undefined;
  /** The object reached, if it exists. */
  node: N | undefined;
}

/**
 * Resolves `path` from `start` one component at a time. `..` pops a stack that begins at
 * `start`, so it can never go above it (`not-permitted`); a symlink's target is spliced into the
 * remaining components and resolved the same way (an absolute target is `not-permitted`).
 * The final component is followed only when `followLast` or the path ends in `/`.
 */
export function walk<N>(w: Walker<N>, start: N, path: string, followLast: boolean): Walked<N> {
  const queue = splitPath(path);
  // A trailing slash names a directory: the last component is followed, and must be one (POSIX).
  // An operation on the entry itself (rmdir, unlink, rename, stat without symlink-follow:
  // `followLast` false) cannot act through a symlink so named: once the link is checked (an escape is still `not-permitted`),
  // that is `not-directory`, as Linux's ENOTDIR.
  const dirOnly = path.endsWith('/');
  const entryOnly = dirOnly && !followLast;
  if (dirOnly) followLast = true;
  let throughLink = false;
  const stack: N[] = [start];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '..') {
      if (stack.length === 1) throw new FsError('not-permitted', `${JSON.stringify(path)} leaves its directory`);
      stack.pop();
      continue;
    }
    const cur = stack[stack.length - 1];
    if (w.kind(cur) !== 'directory') throw new FsError('not-directory');
    const node = w.lookup(cur, c);
    const last = queue.length === 0;
    if (node !== undefined && w.kind(node) === 'symlink' && (!last || followLast)) {
      if (last && entryOnly) throughLink = true;
      if (++links > SYMLINK_MAX) throw new FsError('loop');
      const target = w.readlink(node);
      if (target.startsWith('/')) throw new FsError('not-permitted', 'symlink to an absolute path');
      queue.unshift(...splitPath(target));
      continue;
    }
    if (last) {
      if (dirOnly && node !== undefined && w.kind(node) !== 'directory') throw new FsError('not-directory');
      if (throughLink) throw new FsError('not-directory', 'a symlink named with a trailing slash');
      return { parent: cur, name: c, node };
    }
    if (node === undefined) throw new FsError('no-entry');
    stack.push(node);
  }
  if (throughLink) throw new FsError('not-directory', 'a symlink named with a trailing slash');
  return { parent: undefined, name: undefined, node: stack[stack.length - 1] };
}

export function requireMutate(dir: Handle): void {
  if (!dir.flags.mutateDirectory) throw new FsError('read-only');
}

/** The checks of `open-at` every backend makes before touching anything. */
export function checkOpen(dir: Handle, openFlags: OpenFlags, flags: DescriptorFlags): void {
  if (dir.type !== 'directory') throw new FsError('not-directory');
  if (openFlags.create || openFlags.truncate || flags.write || flags.mutateDirectory) requireMutate(dir);
}

/**
 * The rights a descriptor `open-at` made gets, as Wasmtime gives them (wasi-testsuite checks
 * them with `get-flags`): a directory is always readable; a file asked for neither read nor
 * write is opened for reading, and `create` implies write.
 */
export function openedFlags(kind: 'directory' | 'file', openFlags: OpenFlags, flags: DescriptorFlags): DescriptorFlags {
  if (kind === 'directory') return { ...flags, read: true };
  return { ...flags, read: !!flags.read || !flags.write, write: !!flags.write || !!openFlags.create };
}

export function nsToDatetime(ns: bigint): Datetime {
  let seconds = ns / 1_000_000_000n;
  let rest = ns % 1_000_000_000n;
  if (rest < 0n) {
    rest += 1_000_000_000n;
    seconds -= 1n;
  }
  return { seconds, nanoseconds: Number(rest) };
}

const MASK = (1n << 64n) - 1n;
function mix(h: bigint, v: bigint): bigint {
  let x = (h ^ (v & MASK)) * 0x100000001b3n;
  x &= MASK;
  x ^= x >> 29n;
  return (x * 0xbf58476d1ce4e5b9n) & MASK;
}

/** A 128-bit hash of an object's identity and modification state (device, inode, size, mtime). */
export function hashMetadata(dev: bigint, ino: bigint, size: bigint, mtimeNs: bigint): MetadataHashValue {
  let a = 0xcbf29ce484222325n;
  let b = 0x84222325cbf29ce4n;
  for (const v of [dev, ino, size, mtimeNs]) {
    a = mix(a, v);
    b = mix(b, v ^ 0x9e3779b97f4a7c15n);
  }
  return { lower: a, upper: b };
}
