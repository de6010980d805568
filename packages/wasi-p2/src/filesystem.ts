// wasi:filesystem/types@0.2 and wasi:filesystem/preopens@0.2, Weft's own,
// over @weft/wasi-fs Backends (the same Preopen list the 0.3 host serves).
//
// A `descriptor` is a backend Handle; every method is one synchronous
// Backend call. The Backend throws FsError, whose code is the 0.2
// `error-code` case as jco spells it; a method returning `result` throws it
// as a ComponentError with that code as payload. The sandbox is the
// Backend's: nothing here resolves a path.

import { ComponentError } from '@weft/core';
import type {
  Backend,
  DescriptorFlags,
  DescriptorStat,
  DescriptorType,
  DirectoryEntry,
  ErrorCode,
  Handle,
  MetadataHashValue,
  NewTimestamp,
  OpenFlags,
  PathFlags,
  Preopen,
} from '@weft/wasi-fs';
import { errorCodeOf, OpenFile } from '@weft/wasi-fs';
import { FILE_CHUNK, FileInputStream, FileOutputStream, fsErrorCodeOf } from './file-streams.ts';
import type { WasiP2Imports } from './types.ts';

/** 0.2's `advice` enum (advise is a hint; every backend ignores it). */
export type Advice = 'normal' | 'sequential' | 'random' | 'will-need' | 'dont-need' | 'no-reuse';

/**
 * Runs a backend call; its FsError becomes the ComponentError a `result` return throws. Anything
 * else a (custom) backend throws is `io`, without its message (which may name host paths), as
 * the 0.3 bindings do. ComponentErrors raised here pass through.
 */
function fs<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ComponentError) throw e;
    throw new ComponentError(errorCodeOf(e) ?? 'io');
  }
}

function fail(code: ErrorCode): never {
  throw new ComponentError(code);
}

export class Descriptor {
  readonly #file: OpenFile;
  #dropped = false;

  /** Made by get-directories and open-at. */
  constructor(file: OpenFile) {
    this.#file = file;
  }

  get #b(): Backend {
    return this.#file.backend;
  }
  /** The backend handle; none once this descriptor was dropped (a stream made from it may still hold it). */
  get #h(): Handle {
    if (this.#dropped) fail('bad-descriptor');
    return this.#file.handle;
  }

  /** The handle of another descriptor of the same backend; `cross-device` for one of another backend. */
  #peer(other: Descriptor): Handle {
    if (!(other instanceof Descriptor)) fail('bad-descriptor');
    if (other.#file.backend !== this.#b) fail('cross-device');
    return other.#h;
  }

  /** The handle's flags, checked live (a closed or stale handle is bad-descriptor). */
  #flags(): DescriptorFlags {
    return fs(() => this.#b.getFlags(this.#h));
  }

  readViaStream(offset: bigint): FileInputStream {
    const fl = this.#flags();
    if (this.#h.type === 'directory') fail('is-directory');
    if (!fl.read) fail('bad-descriptor');
    return new FileInputStream(this.#file, offset);
  }

  writeViaStream(offset: bigint): FileOutputStream {
    const fl = this.#flags();
    if (this.#h.type === 'directory') fail('is-directory');
    if (!fl.write) fail('bad-descriptor');
    return new FileOutputStream(this.#file, offset);
  }

  appendViaStream(): FileOutputStream {
    const fl = this.#flags();
    if (this.#h.type === 'directory') fail('is-directory');
    if (!fl.write) fail('bad-descriptor');
    return new FileOutputStream(this.#file, undefined);
  }

  /** A hint: checked (a file, a range that fits in 64 bits) and otherwise ignored, as Node has no fadvise. */
  advise(offset: bigint, length: bigint, _advice: Advice): void {
    if (fs(() => this.#b.getType(this.#h)) === 'directory') fail('bad-descriptor');
    if (offset + length > 0xffff_ffff_ffff_ffffn) fail('invalid');
  }

  syncData(): void {
    fs(() => this.#b.sync(this.#h));
  }

  sync(): void {
    fs(() => this.#b.sync(this.#h));
  }

  getFlags(): DescriptorFlags {
    return this.#flags();
  }

  getType(): DescriptorType {
    return fs(() => this.#b.getType(this.#h));
  }

  setSize(size: bigint): void {
    fs(() => this.#b.setSize(this.#h, size));
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    fs(() => this.#b.setTimes(this.#h, atime, mtime));
  }

  /** Up to `length` bytes at `offset` (at most FILE_CHUNK at once), and whether the end of the file was reached. */
  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const max = length < BigInt(FILE_CHUNK) ? Number(length) : FILE_CHUNK;
    const buf = new Uint8Array(max);
    const n = fs(() => this.#b.readInto(this.#h, offset, buf));
    return [n === max ? buf : buf.subarray(0, n), n < max];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    return BigInt(fs(() => this.#b.write(this.#h, offset, buffer)));
  }

  readDirectory(): DirectoryEntryStream {
    return new DirectoryEntryStream(fs(() => this.#b.readDirectory(this.#h)));
  }

  createDirectoryAt(path: string): void {
    fs(() => this.#b.createDirectoryAt(this.#h, path));
  }

  stat(): DescriptorStat {
    return fs(() => this.#b.stat(this.#h));
  }

  statAt(pathFlags: PathFlags, path: string): DescriptorStat {
    return fs(() => this.#b.statAt(this.#h, pathFlags, path));
  }

  setTimesAt(pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    fs(() => this.#b.setTimesAt(this.#h, pathFlags, path, atime, mtime));
  }

  linkAt(oldPathFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const to = this.#peer(newDescriptor);
    fs(() => this.#b.linkAt(this.#h, oldPathFlags, oldPath, to, newPath));
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const h = fs(() => this.#b.openAt(this.#h, path, pathFlags, openFlags, flags));
    return new Descriptor(new OpenFile(this.#b, h));
  }

  readlinkAt(path: string): string {
    return fs(() => this.#b.readlinkAt(this.#h, path));
  }

  removeDirectoryAt(path: string): void {
    fs(() => this.#b.removeDirectoryAt(this.#h, path));
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const to = this.#peer(newDescriptor);
    fs(() => this.#b.renameAt(this.#h, oldPath, to, newPath));
  }

  symlinkAt(oldPath: string, newPath: string): void {
    fs(() => this.#b.symlinkAt(this.#h, oldPath, newPath));
  }

  unlinkFileAt(path: string): void {
    fs(() => this.#b.unlinkFileAt(this.#h, path));
  }

  /** Not a `result`: a descriptor it cannot compare (another backend's, a stale one) is not the same object. */
  isSameObject(other: Descriptor): boolean {
    if (!(other instanceof Descriptor) || other.#file.backend !== this.#b) return false;
    if (this.#dropped || other.#dropped) return false;
    try {
      return this.#b.isSameObject(this.#h, other.#h);
    } catch {
      return false;
    }
  }

  metadataHash(): MetadataHashValue {
    return fs(() => this.#b.metadataHash(this.#h));
  }

  metadataHashAt(pathFlags: PathFlags, path: string): MetadataHashValue {
    return fs(() => this.#b.metadataHashAt(this.#h, pathFlags, path));
  }

  /** The guest dropped it: the backend handle closes once no stream made from it is left either. */
  [Symbol.dispose](): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#file.release();
  }
}

/** read-directory's entries, listed when it was called (the Backend lists a directory whole). */
export class DirectoryEntryStream {
  readonly #entries: DirectoryEntry[];
  #next = 0;
  constructor(entries: DirectoryEntry[]) {
    this.#entries = entries;
  }
  readDirectoryEntry(): DirectoryEntry | undefined {
    const e = this.#entries[this.#next];
    if (e === undefined) return undefined;
    this.#next++;
    return { type: e.type, name: e.name };
  }
  [Symbol.dispose](): void {}
}

/** `filesystem-error-code`: the code behind an error a file stream reported; none for other errors. */
export function filesystemErrorCode(err: object): ErrorCode | undefined {
  return fsErrorCodeOf(err);
}

/**
 * The two interface objects for a preopen list. Each get-directories call
 * hands out fresh root descriptors (the guest owns and drops them); a preopen
 * whose root cannot be opened (its directory moved or replaced) is left out.
 */
export function filesystemImports(preopens: readonly Preopen[], v: string): WasiP2Imports {
  const list = preopens.map((p) => ({ guestPath: p.guestPath, backend: p.backend }));
  const getDirectories = (): [Descriptor, string][] => {
    const out: [Descriptor, string][] = [];
    for (const { guestPath, backend } of list) {
      let h: Handle;
      try {
        h = backend.root();
      } catch {
        continue;
      }
      out.push([new Descriptor(new OpenFile(backend, h)), guestPath]);
    }
    return out;
  };
  return {
    [`wasi:filesystem/types@${v}`]: { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    [`wasi:filesystem/preopens@${v}`]: { getDirectories },
  };
}
