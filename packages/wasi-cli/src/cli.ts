// createCli: the wasi:cli@0.3.0 import entries over a ResolvedCli.

import { resolveCliOptions } from './resolve.ts';
import { asFuture, type ByteStreamReader, pumpToSink, stdinStream, Transfers } from './stdio.ts';
import { TerminalInput, TerminalOutput } from './terminal.ts';
import type { CliOptions, ResolvedCli } from './types.ts';

export const CLI_VERSION = '0.3.0';

export interface CliHost {
  /** Import-object entries, keyed `wasi:cli/<iface>@0.3.0`. */
  imports: Record<string, Record<string, unknown>>;
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
export function createCliHost(options: CliOptions | ResolvedCli = {}, version = CLI_VERSION): CliHost {
  const cli = isResolved(options) ? options : resolveCliOptions(options);
  const transfers = new Transfers();
  const at = (iface: string) => `wasi:cli/${iface}@${version}`;
  const imports: Record<string, Record<string, unknown>> = {
    [at('environment')]: {
      getEnvironment: () => cli.env.map(([k, v]) => [k, v]),
      getArguments: () => cli.args.slice(),
      getInitialCwd: () => cli.cwd,
    },
    [at('exit')]: {
      exit: (status: { tag: 'ok' | 'err' }) => cli.exit(status.tag === 'ok' ? 0 : 1),
      exitWithCode: (code: number) => cli.exit(code),
    },
    [at('stdin')]: {
      readViaStream: () => stdinStream(cli.stdin),
    },
    [at('stdout')]: {
      writeViaStream: (data: ByteStreamReader) => asFuture(pumpToSink(data, cli.stdout, transfers)),
    },
    [at('stderr')]: {
      writeViaStream: (data: ByteStreamReader) => asFuture(pumpToSink(data, cli.stderr, transfers)),
    },
    [at('types')]: {},
    [at('terminal-input')]: { TerminalInput },
    [at('terminal-output')]: { TerminalOutput },
    [at('terminal-stdin')]: {
      getTerminalStdin: () => (cli.terminal.stdin ? new TerminalInput() : undefined),
    },
    [at('terminal-stdout')]: {
      getTerminalStdout: () => (cli.terminal.stdout ? new TerminalOutput() : undefined),
    },
    [at('terminal-stderr')]: {
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
export function createCli(options: CliOptions | ResolvedCli = {}): Record<string, Record<string, unknown>> {
  return createCliHost(options).imports;
}
