// CliOptions → ResolvedCli: the one place defaults (process stdio) are chosen.

import { throwExit } from './exit.ts';
import { processFdSink, toSink } from './sinks.ts';
import { sharedSource } from './sources.ts';
import type { ByteSource, CliOptions, NodeWritableLike, ResolvedCli } from './types.ts';

interface ProcessLike {
  stdin?: AsyncIterable<Uint8Array> & { isTTY?: boolean };
  stdout?: NodeWritableLike;
  stderr?: NodeWritableLike;
}

function nodeProcess(): ProcessLike | undefined {
  const p = (globalThis as { process?: ProcessLike & { versions?: { node?: string } } }).process;
  return p?.versions?.node !== undefined ? p : undefined;
}

function envPairs(env: CliOptions['env']): [string, string][] {
  if (env === undefined) return [];
  if (Array.isArray(env)) return env.map(([k, v]) => [String(k), String(v)]);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out.push([k, String(v)]);
  return out;
}

// fs.writeSync when running under Node (process.getBuiltinModule avoids a static node: import).
const writeSync = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
  | { writeSync: (fd: number, b: Uint8Array) => number }
  | undefined;

/** Reduces options to the canonical form both the 0.3 and 0.2 hosts use (one sink per stream). */
export function resolveCliOptions(opts: CliOptions = {}): ResolvedCli {
  const proc = nodeProcess();
  const inheritIn = (o: unknown) => o === undefined || o === 'inherit';
  const stdinInherited = inheritIn(opts.stdin) && proc?.stdin !== undefined;
  const stdoutInherited = inheritIn(opts.stdout) && proc?.stdout !== undefined;
  const stderrInherited = inheritIn(opts.stderr) && proc?.stderr !== undefined;
  const procStdin = proc?.stdin !== undefined ? (): ByteSource => proc.stdin! : undefined;
  const ttyOf = (o: unknown): boolean => (o as { isTTY?: boolean } | undefined)?.isTTY === true;
  return {
    args: [...(opts.args ?? [])].map(String),
    env: envPairs(opts.env),
    cwd: opts.cwd,
    stdin: sharedSource(opts.stdin, procStdin),
    stdout: stdoutInherited && writeSync !== undefined ? processFdSink(proc!.stdout!, writeSync.writeSync) : toSink(opts.stdout, proc?.stdout),
    stderr: stderrInherited && writeSync !== undefined ? processFdSink(proc!.stderr!, writeSync.writeSync) : toSink(opts.stderr, proc?.stderr),
    terminal: {
      stdin: opts.terminal?.stdin ?? (stdinInherited ? ttyOf(proc?.stdin) : false),
      stdout: opts.terminal?.stdout ?? (stdoutInherited ? ttyOf(proc?.stdout) : ttyOf(opts.stdout)),
      stderr: opts.terminal?.stderr ?? (stderrInherited ? ttyOf(proc?.stderr) : ttyOf(opts.stderr)),
    },
    exit: opts.exit ?? throwExit,
  };
}
