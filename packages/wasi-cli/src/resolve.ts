// CliOptions → ResolvedCli: the one place defaults (process stdio) are chosen.

import {
  type ByteSink,
  type ByteSource,
  discardSink,
  type FdWriter,
  fdSink,
  type NodeWritableLike,
  nodeSink,
  toSink,
} from '@weft/wasi-io';
import { throwExit } from './exit.ts';
import { sharedSource } from './sources.ts';
import type { CliOptions, OutputOption, ResolvedCli } from './types.ts';

interface ProcessLike {
  stdin?: AsyncIterable<Uint8Array> & { isTTY?: boolean };
  stdout?: NodeWritableLike;
  stderr?: NodeWritableLike;
}

function nodeProcess(): ProcessLike | undefined {
  const p = (globalThis as { process?: ProcessLike & { versions?: { node?: string } } }).process;
  return p?.versions?.node !== undefined ? p : undefined;
}

/** What an output option becomes; `inherit` is the given process stream. */
function outputSink(opt: OutputOption | undefined, inherit: NodeWritableLike | undefined): ByteSink {
  if (opt === undefined || opt === 'inherit')
    return inherit !== undefined ? nodeSink(inherit, { end: false }) : discardSink;
  if (opt === 'ignore') return discardSink;
  try {
    return toSink(opt);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    throw new TypeError(
      'stdout/stderr must be a ByteSink, a WritableStream, a Node Writable, a function, "inherit" or "ignore"',
    );
  }
}

function envPairs(env: CliOptions['env']): [string, string][] {
  if (env === undefined) return [];
  if (Array.isArray(env)) return env.map(([k, v]) => [String(k), String(v)]);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out.push([k, String(v)]);
  return out;
}

type NodeFs = FdWriter & { fstatSync(fd: number): { isCharacterDevice(): boolean } };
const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process
  ?.getBuiltinModule;
// node:fs when running under Node (process.getBuiltinModule avoids a static node: import).
const nodeFs = getBuiltin?.('node:fs') as NodeFs | undefined;

/** Whether fd is a terminal, without creating process.stdout (a pipe or file never loads node:tty). */
function isTerminalFd(fd: number): boolean {
  try {
    if (!nodeFs!.fstatSync(fd).isCharacterDevice()) return false;
    return (getBuiltin!('node:tty') as { isatty(fd: number): boolean }).isatty(fd);
  } catch {
    return false;
  }
}

/** The terminal flags, each worked out on first read (then fixed). */
function lazyTerminal(
  given: { stdin?: boolean; stdout?: boolean; stderr?: boolean },
  ...probe: (() => boolean)[]
): ResolvedCli['terminal'] {
  const t = {} as ResolvedCli['terminal'];
  (['stdin', 'stdout', 'stderr'] as const).forEach((k, i) => {
    let v = given[k];
    Object.defineProperty(t, k, { enumerable: true, get: () => (v ??= probe[i]!()) });
  });
  return t;
}

/** Reduces options to the canonical form both the 0.3 and 0.2 hosts use (one sink per stream). */
export function resolveCliOptions(opts: CliOptions = {}): ResolvedCli {
  const proc = nodeProcess();
  const inheritIn = (o: unknown) => o === undefined || o === 'inherit';
  // Under Node, inherited stdout/stderr are written through their fds: `process.stdout`
  // is only created if a write would block (creating it makes a pipe non-blocking).
  const fdOut = proc !== undefined && nodeFs !== undefined;
  // process.stdin too is created only when the guest first reads.
  const stdinInherited = inheritIn(opts.stdin) && (fdOut || proc?.stdin !== undefined);
  const stdoutInherited = inheritIn(opts.stdout) && (fdOut || proc?.stdout !== undefined);
  const stderrInherited = inheritIn(opts.stderr) && (fdOut || proc?.stderr !== undefined);
  const procStdin = fdOut || proc?.stdin !== undefined ? (): ByteSource => proc!.stdin! : undefined;
  const ttyOf = (o: unknown): boolean => (o as { isTTY?: boolean } | undefined)?.isTTY === true;
  // `tty` is asked only when the guest asks (get-terminal-*): checking a character device loads node:tty.
  const inherited = (fd: 1 | 2): { sink: ByteSink; tty: () => boolean } =>
    fdOut
      ? { sink: fdSink(fd, nodeFs!, () => (fd === 1 ? proc!.stdout! : proc!.stderr!)), tty: () => isTerminalFd(fd) }
      : {
          sink: outputSink(undefined, fd === 1 ? proc?.stdout : proc?.stderr),
          tty: () => ttyOf(fd === 1 ? proc?.stdout : proc?.stderr),
        };
  const out = stdoutInherited
    ? inherited(1)
    : { sink: outputSink(opts.stdout, undefined), tty: () => ttyOf(opts.stdout) };
  const err = stderrInherited
    ? inherited(2)
    : { sink: outputSink(opts.stderr, undefined), tty: () => ttyOf(opts.stderr) };
  const inTty = () => (stdinInherited ? (fdOut ? isTerminalFd(0) : ttyOf(proc?.stdin)) : false);
  return {
    args: [...(opts.args ?? [])].map(String),
    env: envPairs(opts.env),
    cwd: opts.cwd,
    stdin: sharedSource(opts.stdin, procStdin),
    stdout: out.sink,
    stderr: err.sink,
    terminal: lazyTerminal(opts.terminal ?? {}, inTty, out.tty, err.tty),
    exit: opts.exit ?? throwExit,
  };
}
