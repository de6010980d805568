// createCli: the wasi:cli@0.3.0 import entries over a ResolvedCli.

import type { StreamReader } from '@weft/core';
import type { ByteSource, SyncReadable } from '@weft/wasi-io';
import { resolveCliOptions } from './resolve.ts';
import { asFuture, stdinStream, Transfers, writeToSink } from './stdio.ts';
import { TerminalInput, TerminalOutput } from './terminal.ts';
import type { CliOptions, ResolvedCli } from './types.ts';

/** The version the keys carry; the linker's semver matching serves any 0.3.x import from them. */
const V = '0.3.0';

/** wasi:cli/stdout and stderr: the guest hands over its stream; the future reports how the transfer ended. */
export type CliOutputHost = {
  writeViaStream(data: StreamReader<number>): Promise<void>;
};

/** The wasi:cli@0.3.0 import entries, keyed by interface; functions camelCase, resources PascalCase. */
export type CliImports = {
  'wasi:cli/environment@0.3.0': {
    getEnvironment(): [string, string][];
    getArguments(): string[];
    getInitialCwd(): string | undefined;
  };
  'wasi:cli/exit@0.3.0': {
    exit(status: { tag: 'ok' | 'err' }): never;
    exitWithCode(code: number): never;
  };
  'wasi:cli/stdin@0.3.0': {
    /** The stream (pulled as the guest reads) and the future of how it ended. */
    readViaStream(): [ByteSource & Partial<SyncReadable>, PromiseLike<void>];
  };
  'wasi:cli/stdout@0.3.0': CliOutputHost;
  'wasi:cli/stderr@0.3.0': CliOutputHost;
  'wasi:cli/types@0.3.0': Record<string, never>;
  'wasi:cli/terminal-input@0.3.0': { TerminalInput: typeof TerminalInput };
  'wasi:cli/terminal-output@0.3.0': { TerminalOutput: typeof TerminalOutput };
  'wasi:cli/terminal-stdin@0.3.0': { getTerminalStdin(): TerminalInput | undefined };
  'wasi:cli/terminal-stdout@0.3.0': { getTerminalStdout(): TerminalOutput | undefined };
  'wasi:cli/terminal-stderr@0.3.0': { getTerminalStderr(): TerminalOutput | undefined };
};

export interface CliHost {
  /** Import-object entries, keyed `wasi:cli/<iface>@0.3.0`. */
  imports: CliImports;
  /** The resolved options (shared with a 0.2 host). */
  resolved: ResolvedCli;
  /** Resolves once every chunk the guest wrote so far reached its sink and the sinks flushed. */
  drain(): Promise<void>;
}

function isResolved(o: CliOptions | ResolvedCli): o is ResolvedCli {
  return (
    Array.isArray((o as ResolvedCli).env) &&
    typeof (o as ResolvedCli).stdout?.write === 'function' &&
    typeof (o as ResolvedCli).exit === 'function' &&
    'terminal' in o &&
    typeof (o as ResolvedCli).stdin?.[Symbol.asyncIterator] === 'function'
  );
}

/** Builds wasi:cli@0.3.0 from options (or an already resolved set shared with other hosts). */
export function createCliHost(options: CliOptions | ResolvedCli = {}): CliHost {
  const cli = isResolved(options) ? options : resolveCliOptions(options);
  const transfers = new Transfers();
  // Sink writes in flight are tracked, so drain() waits for the bytes, not for the guest to drop its stream.
  const stdout = transfers.tracking(cli.stdout);
  const stderr = transfers.tracking(cli.stderr);
  const imports: CliImports = {
    [`wasi:cli/environment@${V}`]: {
      getEnvironment: () => cli.env.map(([k, v]): [string, string] => [k, v]),
      getArguments: () => cli.args.slice(),
      getInitialCwd: () => cli.cwd,
    },
    [`wasi:cli/exit@${V}`]: {
      exit: (status: { tag: 'ok' | 'err' }) => cli.exit(status.tag === 'ok' ? 0 : 1),
      exitWithCode: (code: number) => cli.exit(code),
    },
    [`wasi:cli/stdin@${V}`]: {
      readViaStream: () => stdinStream(cli.stdin),
    },
    [`wasi:cli/stdout@${V}`]: {
      writeViaStream: (data: StreamReader<number>) => asFuture(writeToSink(data, stdout)),
    },
    [`wasi:cli/stderr@${V}`]: {
      writeViaStream: (data: StreamReader<number>) => asFuture(writeToSink(data, stderr)),
    },
    [`wasi:cli/types@${V}`]: {},
    [`wasi:cli/terminal-input@${V}`]: { TerminalInput },
    [`wasi:cli/terminal-output@${V}`]: { TerminalOutput },
    [`wasi:cli/terminal-stdin@${V}`]: {
      getTerminalStdin: () => (cli.terminal.stdin ? new TerminalInput() : undefined),
    },
    [`wasi:cli/terminal-stdout@${V}`]: {
      getTerminalStdout: () => (cli.terminal.stdout ? new TerminalOutput() : undefined),
    },
    [`wasi:cli/terminal-stderr@${V}`]: {
      getTerminalStderr: () => (cli.terminal.stderr ? new TerminalOutput() : undefined),
    },
  };
  return {
    imports,
    resolved: cli,
    async drain() {
      await transfers.settled();
      await Promise.all([cli.stdout.flush?.(), cli.stderr.flush?.()]);
    },
  };
}

/** The wasi:cli@0.3.0 import-object entries, ready to spread into `instantiate`'s imports. */
export function createCli(options: CliOptions | ResolvedCli = {}): CliImports {
  return createCliHost(options).imports;
}
