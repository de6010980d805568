// The options of the wasi:cli host and the one resolved form they reduce to,
// shared with @weft/wasi-p2 so 0.2 and 0.3 output go through one sink per stream.

import type { ByteSink, ByteSource, SinkLike } from '@weft/wasi-io';

/** Anything a stdin option may be. */
export type StdinOption =
  | ByteSource
  | Iterable<Uint8Array>
  | ReadableStream<Uint8Array>
  | Uint8Array
  | string
  | 'inherit'
  | 'ignore';

/** Anything a stdout/stderr option may be: a ByteSink, a WritableStream, a Node Writable, a function, 'inherit' or 'ignore'. */
export type OutputOption = SinkLike | 'inherit' | 'ignore';

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
  /** One shared source: a second read-via-stream (or the 0.2 stdin) continues where the last stopped. */
  stdin: ByteSource;
  stdout: ByteSink;
  stderr: ByteSink;
  terminal: { stdin: boolean; stdout: boolean; stderr: boolean };
  exit(code: number): never;
}
