// A P2Cli with captured output, as @weft/wasi-cli's resolveCliOptions would hand over.

import type { ByteSink, ByteSource } from '@weft/wasi-io';
import type { P2Cli } from '../src/index.ts';

export class ExitCalled extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** Records every write as [stream, text], in order, across stdout and stderr. */
export interface Capture {
  log: [string, string][];
  text(stream: 'stdout' | 'stderr'): string;
  sink(stream: 'stdout' | 'stderr'): ByteSink;
}

export function capture(): Capture {
  const log: [string, string][] = [];
  const dec = new TextDecoder();
  return {
    log,
    text: (s) =>
      log
        .filter(([k]) => k === s)
        .map(([, t]) => t)
        .join(''),
    sink: (s) => ({
      write(chunk: Uint8Array) {
        log.push([s, dec.decode(chunk)]);
      },
    }),
  };
}

export async function* noInput(): AsyncGenerator<Uint8Array> {}

/** A source that answers synchronously (readSync) and also as an AsyncIterable. */
export function syncSource(text: string): ByteSource & { readSync(max: number): Uint8Array | null } {
  let rest = new TextEncoder().encode(text);
  return {
    readSync(max: number) {
      if (rest.length === 0) return null;
      const n = Math.min(max, rest.length);
      const out = rest.slice(0, n);
      rest = rest.subarray(n);
      return out;
    },
    async *[Symbol.asyncIterator]() {
      if (rest.length > 0) yield rest;
      rest = new Uint8Array(0);
    },
  };
}

export function makeCli(c: Capture, over: Partial<P2Cli> = {}): P2Cli {
  return {
    args: ['hello'],
    env: [],
    cwd: undefined,
    stdin: noInput(),
    stdout: c.sink('stdout'),
    stderr: c.sink('stderr'),
    exit(code: number): never {
      throw new ExitCalled(code);
    },
    ...over,
  };
}
