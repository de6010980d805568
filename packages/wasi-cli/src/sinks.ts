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

export const discardSink: ByteSink = { write() {} };

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

/**
 * The process's own stdout/stderr: written with fs.writeSync on the fd (no
 * stream machinery per chunk, which is most of the cost at high rates). Falls
 * back to the Node stream while the fd would block (EAGAIN) or on platforms
 * where that fails, keeping the order of bytes.
 */
export function processFdSink(w: NodeWritableLike & { fd?: number }, writeSync: (fd: number, b: Uint8Array) => number): ByteSink {
  const fd = w.fd;
  const viaStream = nodeWritableSink(w);
  if (typeof fd !== 'number') return viaStream;
  let pending: Promise<void> | undefined;
  return {
    write(chunk) {
      if (pending !== undefined) return pending.then(() => this.write(chunk) as Promise<void> | void);
      let off = 0;
      try {
        while (off < chunk.length) off += writeSync(fd, off === 0 ? chunk : chunk.subarray(off));
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EPIPE') throw new BrokenPipe();
        if (code !== 'EAGAIN') throw e;
        // non-blocking fd (e.g. a TTY or a pipe Node opened non-blocking): let the stream wait for us
        const rest = chunk.subarray(off);
        const p = Promise.resolve(viaStream.write(rest)).finally(() => {
          if (pending === p) pending = undefined;
        });
        pending = p;
        return p;
      }
    },
    flush: () => (pending ?? Promise.resolve()).then(() => viaStream.flush?.()),
  };
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
  if (typeof (opt as WritableStream).getWriter === 'function') return webWritableSink(opt as WritableStream<Uint8Array>);
  if (typeof (opt as ByteSink).write === 'function') return opt as ByteSink;
  throw new TypeError('stdout/stderr must be a ByteSink, a WritableStream, a Node Writable, a function, "inherit" or "ignore"');
}
