// The shapes every stdio source and sink is reduced to, shared with
// @weft/wasi-p2 so 0.2 and 0.3 output go through one sink per stream.

/** Bytes flowing into a guest (stdin): pulled one chunk per guest read. */
export type ByteSource = AsyncIterable<Uint8Array>;

/**
 * Optional synchronous side of a ByteSource: bytes it can give without
 * waiting (a buffer, a string, a file descriptor). A guest read then
 * completes at once (0.3) and `blocking-read` needs no suspension (0.2).
 * Returns the next bytes (at most `max`), an empty array when nothing is
 * available yet, or null at end of input.
 */
export interface SyncReadable {
  readSync(max: number): Uint8Array | null;
}

/**
 * Where a guest's bytes go. `write` may return a Promise to apply
 * backpressure (the guest's write blocks until it settles). Throwing or
 * rejecting with an error whose `code` is 'EPIPE' means the reader went away.
 */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  flush?(): Promise<void>;
  /**
   * True if the sink is done with a chunk once `write` returns (or its
   * Promise settles), so the caller may refill the same buffer for the next
   * write (no allocation per chunk). Default: the sink may keep chunks.
   */
  readonly releasesChunks?: boolean;
}

/** Anything a stdin option may be. */
export type StdinOption =
  | ByteSource
  | Iterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Uint8Array
  | string
  | 'inherit'
  | 'ignore';

/** Anything a stdout/stderr option may be. */
export type OutputOption =
  | ByteSink
  | WritableStream<Uint8Array>
  | NodeWritableLike
  | ((chunk: Uint8Array) => void | Promise<void>)
  | 'inherit'
  | 'ignore';

/** The parts of a Node `Writable` we use (process.stdout, fs.WriteStream, sockets). */
export interface NodeWritableLike {
  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  once(event: string, fn: (...a: unknown[]) => void): unknown;
  on(event: string, fn: (...a: unknown[]) => void): unknown;
  off?(event: string, fn: (...a: unknown[]) => void): unknown;
  readonly writableNeedDrain?: boolean;
  readonly isTTY?: boolean;
}

export interface CliOptions {
  /** argv as the guest sees it (get-arguments), program name first by convention. */
  args?: readonly string[];
  /** Environment variables (get-environment); an object or [key, value] pairs. */
  env?: Record<string, string | undefined> | readonly (readonly [string, string])[];
  /** get-initial-cwd; omitted means none. */
  cwd?: string;
  /** Default: the process's stdin (when running in Node), else empty. */
  stdin?: StdinOption;
  /** Default: the process's stdout (when running in Node), else discarded. */
  stdout?: OutputOption;
  /** Default: the process's stderr (when running in Node), else discarded. */
  stderr?: OutputOption;
  /** Which streams are terminals (terminal-stdin etc.); default: the process streams' isTTY when inherited. */
  terminal?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** Called by exit / exit-with-code; default throws `WasiExit(code)`, unwinding the guest. */
  exit?: (code: number) => never;
}

/** CliOptions reduced to one canonical form, shared by the 0.3 and 0.2 hosts. */
export interface ResolvedCli {
  args: string[];
  env: [string, string][];
  cwd: string | undefined;
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
  terminal: { stdin: boolean; stdout: boolean; stderr: boolean };
  exit(code: number): never;
}
