// wasi:filesystem/types@0.3.0 `descriptor`: each method is one Backend call, its FsError
// becoming the guest's error-code. Spec: proposals/filesystem/wit/types.wit (WASI v0.3.0).

import type { StreamReader } from '@weft/core';
import {
  type Datetime,
  type DescriptorFlags,
  FsError,
  type MetadataHashValue,
  type NewTimestamp,
  type OpenFlags,
  type PathFlags,
} from '../backend.ts';
import { type DescriptorStatP3, type DescriptorTypeP3, fsCall, statP3, typeP3 } from './convert.ts';
import { OpenFile } from '../open-file.ts';
import { type FileSource, readDirectory, readViaStream, writeViaStream } from './streams.ts';

export type Advice = 'normal' | 'sequential' | 'random' | 'will-need' | 'dont-need' | 'no-reuse';

/** The `descriptor` resource. The guest gets these from `get-directories` and `open-at` only. */
export class Descriptor {
  readonly #file: OpenFile;

  /** @internal */
  constructor(file: OpenFile) {
    this.#file = file;
  }

  get #b() {
    return this.#file.backend;
  }
  get #h() {
    return this.#file.handle;
  }

  /** The other descriptor's open file, which must be of the same backend (else `cross-device`). */
  #peer(other: Descriptor): OpenFile {
    if (!(other instanceof Descriptor)) throw new FsError('bad-descriptor');
    if (other.#file.backend !== this.#b) throw new FsError('cross-device');
    return other.#file;
  }

  readViaStream(offset: bigint): [FileSource, Promise<void>] {
    return readViaStream(this.#file.retain(), offset);
  }
  writeViaStream(data: StreamReader<number>, offset: bigint): Promise<void> {
    return writeViaStream(this.#file.retain(), data, offset);
  }
  appendViaStream(data: StreamReader<number>): Promise<void> {
    return writeViaStream(this.#file.retain(), data, 'append');
  }
  readDirectory(): [Iterable<{ type: DescriptorTypeP3; name: string }>, Promise<void>] {
    return readDirectory(this.#file) as [Iterable<{ type: DescriptorTypeP3; name: string }>, Promise<void>];
  }

  /** Advice is only a hint: checked (a file, offsets that fit) and otherwise ignored, as Node has no fadvise. */
  advise(offset: bigint, length: bigint, _advice: Advice): void {
    fsCall(() => {
      if (this.#b.getType(this.#h) === 'directory') throw new FsError('bad-descriptor');
      if (offset < 0n || length < 0n || offset + length > 0xffff_ffff_ffff_ffffn) throw new FsError('invalid');
    });
  }
  syncData(): void {
    fsCall(() => this.#b.sync(this.#h));
  }
  sync(): void {
    fsCall(() => this.#b.sync(this.#h));
  }
  getFlags(): DescriptorFlags {
    return fsCall(() => this.#b.getFlags(this.#h));
  }
  getType(): DescriptorTypeP3 {
    return fsCall(() => typeP3(this.#b.getType(this.#h)));
  }
  setSize(size: bigint): void {
    fsCall(() => this.#b.setSize(this.#h, size));
  }
  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    fsCall(() => this.#b.setTimes(this.#h, atime, mtime));
  }
  setTimesAt(pathFlags: PathFlags, path: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    fsCall(() => this.#b.setTimesAt(this.#h, pathFlags, path, atime, mtime));
  }
  stat(): DescriptorStatP3 {
    return fsCall(() => statP3(this.#b.stat(this.#h)));
  }
  statAt(pathFlags: PathFlags, path: string): DescriptorStatP3 {
    return fsCall(() => statP3(this.#b.statAt(this.#h, pathFlags, path)));
  }
  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const h = fsCall(() => this.#b.openAt(this.#h, path, pathFlags, openFlags, flags));
    return new Descriptor(new OpenFile(this.#b, h));
  }
  createDirectoryAt(path: string): void {
    fsCall(() => this.#b.createDirectoryAt(this.#h, path));
  }
  removeDirectoryAt(path: string): void {
    fsCall(() => this.#b.removeDirectoryAt(this.#h, path));
  }
  unlinkFileAt(path: string): void {
    fsCall(() => this.#b.unlinkFileAt(this.#h, path));
  }
  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    fsCall(() => this.#b.renameAt(this.#h, oldPath, this.#peer(newDescriptor).handle, newPath));
  }
  linkAt(oldPathFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    fsCall(() => this.#b.linkAt(this.#h, oldPathFlags, oldPath, this.#peer(newDescriptor).handle, newPath));
  }
  symlinkAt(oldPath: string, newPath: string): void {
    fsCall(() => this.#b.symlinkAt(this.#h, oldPath, newPath));
  }
  readlinkAt(path: string): string {
    return fsCall(() => this.#b.readlinkAt(this.#h, path));
  }
  /** Not a `result` in the WIT: a failure (a closed or foreign descriptor) is `false`. */
  isSameObject(other: Descriptor): boolean {
    try {
      return this.#b.isSameObject(this.#h, this.#peer(other).handle);
    } catch {
      return false;
    }
  }
  metadataHash(): MetadataHashValue {
    return fsCall(() => this.#b.metadataHash(this.#h));
  }
  metadataHashAt(pathFlags: PathFlags, path: string): MetadataHashValue {
    return fsCall(() => this.#b.metadataHashAt(this.#h, pathFlags, path));
  }

  /** The guest dropped the descriptor: transfers it started keep the file open until they end. */
  [Symbol.dispose](): void {
    this.#file.release();
  }
}

export type { Datetime };
