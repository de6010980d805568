// A file descriptor's 0.2 `input-stream` and `output-stream` (read-via-stream,
// write-via-stream, append-via-stream), over a @weft/wasi-fs Backend.
//
// They subclass preview2-shim's InputStream/OutputStream, as the stdio
// streams do, because the linker checks `instanceof` against the classes the
// `wasi:io/streams` import offers. 0.2 calls are synchronous and so is the
// Backend: a read is one `readInto` at a moving offset, a write one `write`
// (or `append`). Files are always ready, so every pollable is ready at once.
//
// A stream keeps the descriptor's backend handle open (OpenFile counts who
// holds it), so dropping the descriptor first leaves the stream working.

import { error as shimError, streams } from '@bytecodealliance/preview2-shim/io';
import { type ErrorCode, errorCodeOf, type OpenFile } from '@weft/wasi-fs';
import { CLOSED } from './output.ts';
import { ReadyPollable } from './pollables.ts';

const ShimInputStream = streams.InputStream as unknown as new () => object;
const ShimOutputStream = streams.OutputStream as unknown as new () => object;
const IoError = shimError.Error as unknown as new (message: string) => object;

/** Most bytes one read returns (and allocates), and what check-write allows. */
export const FILE_CHUNK = 1 << 20;
const EMPTY = new Uint8Array(0);

/** The filesystem error-code behind each `wasi:io/error` a file stream made, for `filesystem-error-code`. */
const errorCodes = new WeakMap<object, ErrorCode>();

export function fsErrorCodeOf(err: unknown): ErrorCode | undefined {
  return typeof err === 'object' && err !== null ? errorCodes.get(err) : undefined;
}

/**
 * A backend failure as a `stream-error`: `last-operation-failed` with an error that knows its
 * code (anything but an FsError is `io`). Its debug string is the code alone: a backend's message
 * may name host paths, which the guest must not learn.
 */
function streamError(e: unknown): { tag: 'last-operation-failed'; val: object } {
  const code = errorCodeOf(e) ?? 'io';
  const err = new IoError(code);
  errorCodes.set(err, code);
  return { tag: 'last-operation-failed', val: err };
}

function clamp(len: bigint): number {
  return len < BigInt(FILE_CHUNK) ? Number(len) : FILE_CHUNK;
}

export class FileInputStream extends ShimInputStream {
  readonly #file: OpenFile;
  #offset: bigint;
  #closed = false;
  #released = false;

  constructor(file: OpenFile, offset: bigint) {
    super();
    this.#file = file.retain();
    this.#offset = offset;
  }

  read(len: bigint): Uint8Array {
    if (this.#closed) throw CLOSED;
    const max = clamp(len);
    if (max === 0) return EMPTY;
    const buf = new Uint8Array(max);
    let n: number;
    try {
      n = this.#file.backend.readInto(this.#file.handle, this.#offset, buf);
    } catch (e) {
      this.#closed = true;
      throw streamError(e);
    }
    if (n === 0) {
      this.#closed = true;
      throw CLOSED;
    }
    this.#offset += BigInt(n);
    return n === max ? buf : buf.subarray(0, n);
  }

  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }

  skip(len: bigint): bigint {
    if (this.#closed) throw CLOSED;
    let size: bigint;
    try {
      size = this.#file.backend.stat(this.#file.handle).size;
    } catch (e) {
      this.#closed = true;
      throw streamError(e);
    }
    if (len > 0n && this.#offset >= size) {
      this.#closed = true;
      throw CLOSED;
    }
    const rest = size - this.#offset;
    const n = len < rest ? len : rest > 0n ? rest : 0n;
    this.#offset += n;
    return n;
  }

  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }

  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }

  [Symbol.dispose](): void {
    if (this.#released) return;
    this.#released = true;
    this.#file.release();
  }
}

export class FileOutputStream extends ShimOutputStream {
  readonly #file: OpenFile;
  /** Where the next write goes; undefined for an append stream (always the end of the file). */
  #offset: bigint | undefined;
  #closed = false;
  #released = false;

  constructor(file: OpenFile, offset: bigint | undefined) {
    super();
    this.#file = file.retain();
    this.#offset = offset;
  }

  #write(buf: Uint8Array): void {
    if (this.#closed) throw CLOSED;
    if (buf.length === 0) return;
    const { backend, handle } = this.#file;
    try {
      if (this.#offset === undefined) backend.append(handle, buf);
      else this.#offset += BigInt(backend.write(handle, this.#offset, buf));
    } catch (e) {
      this.#closed = true;
      throw streamError(e);
    }
  }

  checkWrite(): bigint {
    if (this.#closed) throw CLOSED;
    return BigInt(FILE_CHUNK);
  }
  write(buf: Uint8Array): void {
    this.#write(buf);
  }
  blockingWriteAndFlush(buf: Uint8Array): void {
    this.#write(buf);
  }
  // Every write reached the backend when it returned: nothing is buffered here.
  flush(): void {
    if (this.#closed) throw CLOSED;
  }
  blockingFlush(): void {
    this.flush();
  }
  writeZeroes(len: bigint): void {
    // Like a write longer than check-write allowed, this is the guest's bug; bounded so it cannot make us allocate.
    if (len > BigInt(FILE_CHUNK)) throw new Error(`write-zeroes of ${len} bytes exceeds check-write's ${FILE_CHUNK}`);
    this.#write(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(src: { read(n: bigint): Uint8Array }, len: bigint): bigint {
    if (this.#closed) throw CLOSED;
    const chunk = src.read(BigInt(clamp(len)));
    this.#write(chunk);
    return BigInt(chunk.length);
  }
  blockingSplice(src: { blockingRead(n: bigint): Uint8Array }, len: bigint): bigint {
    if (this.#closed) throw CLOSED;
    const chunk = src.blockingRead(BigInt(clamp(len)));
    this.#write(chunk);
    return BigInt(chunk.length);
  }
  subscribe(): ReadyPollable {
    return new ReadyPollable();
  }

  [Symbol.dispose](): void {
    if (this.#released) return;
    this.#released = true;
    this.#file.release();
  }
}
