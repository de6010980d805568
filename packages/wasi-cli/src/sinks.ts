// Output sinks: every stdout/stderr option becomes a ByteSink.

import type { ByteSink, NodeWritableLike, OutputOption } from './types.ts';

/** The error a sink reports once its reader went away (e.g. `| head -1`). */
export class BrokenPipe extends Error {
  override name = 'BrokenPipe';
  readonly code = 'EPIPE';
  constructor() {
    super('the output was closed by its reader');
  }
}

export function isBrokenPipe(e: unknown): boolean {
  return e instanceof BrokenPipe || (e as { code?: unknown } | null)?.code === 'EPIPE';
}

export const discardSink: ByteSink = { releasesChunks: true, write() {} };

/**
 * A Node Writable as a sink: waits for 'drain' when the writable's buffer is
 * full (backpressure), and turns EPIPE into BrokenPipe instead of a crash.
 */
export function nodeWritableSink(w: NodeWritableLike): ByteSink {
  let error: Error | undefined;
  // Without a listener an EPIPE would be an uncaught exception.
  w.on('error', (e) => {
    error ??= e as Error;
  });
  const fail = (): never => {
    throw isBrokenPipe(error) ? new BrokenPipe() : error;
  };
  return {
    write(chunk) {
      if (error !== undefined) fail();
      if (w.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          w.off?.('drain', done);
          w.off?.('error', done);
          w.off?.('close', done);
          if (error !== undefined) reject(isBrokenPipe(error) ? new BrokenPipe() : error);
          else resolve();
        };
        w.once('drain', done);
        w.once('error', done);
        w.once('close', done);
      });
    },
    flush() {
      if (error !== undefined) return Promise.resolve();
      // An empty write's callback runs once everything before it was handed to the OS.
      return new Promise<void>((resolve) => {
        w.write(new Uint8Array(0), () => resolve());
      });
    },
  };
}

/** The part of node:fs an fd sink uses. */
export interface FdWriter {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
}

/**
 * A file descriptor as a sink (the process's stdout/stderr): `fs.writeSync`
 * straight from the chunk, no stream machinery and no copy. On a blocking fd
 * (a shell pipe, a file, most terminals) the kernel applies backpressure.
 * On a non-blocking one (EAGAIN: Node made it so once `process.stdout` was
 * created, or the parent did), the rest of the chunk goes through `stream()`,
 * a Node Writable on the same fd created only then: libuv waits for the fd to
 * become writable (epoll) and the returned Promise settles once the kernel
 * took every byte, so the guest's next write waits, nothing spins and bytes
 * stay in order. EPIPE (the reader went away) becomes BrokenPipe.
 *
 * `releasesChunks`: the sink is done with a chunk once `write` returns or its
 * Promise settles, so a caller may reuse its buffer (see pumpToSink).
 */
export function fdSink(
  fd: number,
  fs: FdWriter,
  stream?: () => NodeWritableLike,
): ByteSink & { readonly releasesChunks: true } {
  let pending: Promise<void> | undefined;
  let out: NodeWritableLike | undefined;
  let streamError: Error | undefined;
  const failure = (e: unknown): Error => (isBrokenPipe(e) ? new BrokenPipe() : (e as Error));
  const viaStream = (rest: Uint8Array): Promise<void> => {
    if (out === undefined) {
      out = stream!();
      // Without a listener an async EPIPE would be an uncaught exception.
      out.on('error', (e) => {
        streamError ??= e as Error;
      });
    }
    const w = out;
    return new Promise<void>((resolve, reject) => {
      w.write(rest, (err) => {
        const e = err ?? streamError;
        if (e) reject(failure(e));
        else resolve();
      });
    });
  };
  const track = (p: Promise<void>): Promise<void> => {
    pending = p;
    const clear = () => {
      if (pending === p) pending = undefined;
    };
    p.then(clear, clear);
    return p;
  };
  const writeNow = (chunk: Uint8Array): void | Promise<void> => {
    if (streamError !== undefined) throw failure(streamError);
    const len = chunk.length;
    let off = 0;
    try {
      while (off < len) off += fs.writeSync(fd, chunk, off, len - off);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'EAGAIN' || stream === undefined) throw failure(e);
      return viaStream(off === 0 ? chunk : chunk.subarray(off));
    }
  };
  const write = (chunk: Uint8Array): void | Promise<void> => {
    if (pending === undefined) {
      const r = writeNow(chunk);
      return r === undefined ? r : track(r);
    }
    // Only a caller that does not wait (the 0.2 output-stream) gets here: queue in order.
    return track(pending.then(() => writeNow(chunk)));
  };
  return {
    releasesChunks: true,
    write,
    flush: () =>
      (pending ?? Promise.resolve()).then(
        () => {},
        () => {},
      ),
  };
}

/** fdSink on a Node stream's `fd`, through `w` itself while the fd would block (plain `w` without an fd). */
export function processFdSink(
  w: NodeWritableLike & { fd?: number },
  writeSync: (fd: number, b: Uint8Array, off: number, len: number) => number,
): ByteSink {
  const fd = w.fd;
  if (typeof fd !== 'number') return nodeWritableSink(w);
  return fdSink(fd, { writeSync }, () => w);
}

/** A Web WritableStream as a sink (its writer's `ready` is the backpressure). */
export function webWritableSink(ws: WritableStream<Uint8Array>): ByteSink {
  const writer = ws.getWriter();
  return {
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    async flush() {
      await writer.ready;
    },
  };
}

/** Collects everything written, for embedders and tests. */
export class CaptureSink implements ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  write(chunk: Uint8Array): void {
    // chunks handed to a sink are not reused by the caller, so keep them as they are
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  bytes(): Uint8Array {
    if (this.chunks.length !== 1) {
      const all = new Uint8Array(this.length);
      let o = 0;
      for (const c of this.chunks) {
        all.set(c, o);
        o += c.length;
      }
      this.chunks = [all];
    }
    return this.chunks[0] ?? new Uint8Array(0);
  }
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
  clear(): void {
    this.chunks = [];
    this.length = 0;
  }
}

function isNodeWritable(o: object): o is NodeWritableLike {
  const w = o as Partial<NodeWritableLike>;
  return typeof w.write === 'function' && typeof w.once === 'function' && typeof w.on === 'function';
}

/** What an output option becomes; `inherit` is the given process stream. */
export function toSink(opt: OutputOption | undefined, inherit: NodeWritableLike | undefined): ByteSink {
  if (opt === undefined || opt === 'inherit') return inherit !== undefined ? nodeWritableSink(inherit) : discardSink;
  if (opt === 'ignore') return discardSink;
  if (typeof opt === 'function') return { write: opt };
  if (isNodeWritable(opt)) return nodeWritableSink(opt);
  if (typeof (opt as WritableStream).getWriter === 'function')
    return webWritableSink(opt as WritableStream<Uint8Array>);
  if (typeof (opt as ByteSink).write === 'function') return opt as ByteSink;
  throw new TypeError(
    'stdout/stderr must be a ByteSink, a WritableStream, a Node Writable, a function, "inherit" or "ignore"',
  );
}
