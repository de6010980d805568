// `weft run` argument parsing: options come before the component; everything
// after it (or after `--`) belongs to the guest, even if it looks like an option.

import { statSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { type NetArgs, takeNetFlag } from './net-args.ts';

/** One preopened directory: the host directory, the guest's path for it, and its rights. */
export interface DirArg {
  host: string;
  guest: string;
  readOnly: boolean;
}

export interface RunArgs extends NetArgs {
  file: string;
  /** argv after the component file. */
  args: string[];
  invoke?: string;
  /** `--env K=V` pairs, and bare `--env K` names to copy from the host. */
  env: [string, string | undefined][];
  inheritEnv: boolean;
  /** `--dir HOST[::GUEST]` (read-write) and `--dir-ro HOST[::GUEST]`, in order. */
  dirs: DirArg[];
  /** `--argv0 NAME`: the guest's argv[0] (default: the component file's basename, as `wasmtime run`). */
  argv0?: string;
  /** `--fuel N`: instrument the component and give it N units of fuel (a loop iteration or tail-calling entry each). */
  fuel?: bigint;
  /** `--timeout DURATION` in ms: the guest traps "deadline exceeded" after it, even in a tight loop. */
  timeoutMs?: number;
  /** `--max-memory SIZE` in 64 KiB pages: no memory of the component grows past it. */
  maxMemoryPages?: number;
  help: boolean;
}

/** `500ms`, `5s`, `2m`, or a bare number of milliseconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(v)}: expected a duration such as 500ms, 5s or 2m`);
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  if (!Number.isFinite(n) || n > 2 ** 31 - 1) throw new UsageError(`${flag} ${JSON.stringify(v)}: too long`);
  return n;
}

const VALUE_OPTS = new Set([
  '--invoke',
  '--env',
  '--dir',
  '--dir-ro',
  '--argv0',
  '--fuel',
  '--timeout',
  '--max-memory',
  '--allow-net',
]);

export function parseRunArgs(argv: string[]): RunArgs {
  const r: RunArgs = { file: '', args: [], env: [], inheritEnv: false, dirs: [], help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const opt = readOption(argv, i, VALUE_OPTS);
    a = opt.name;
    const value = opt.value;
    i = opt.last;
    switch (a) {
      case '-h':
      case '--help':
        r.help = true;
        break;
      case '--inherit-env':
        r.inheritEnv = true;
        break;
      case '--invoke':
        r.invoke = value;
        break;
      case '--argv0':
        r.argv0 = value;
        break;
      case '--fuel':
        if (!/^\d+$/.test(value!) || BigInt(value!) >= 2n ** 63n)
          throw new UsageError(`--fuel ${JSON.stringify(value)}: expected a whole number below 2^63`);
        r.fuel = BigInt(value!);
        break;
      case '--timeout':
        r.timeoutMs = parseDuration('--timeout', value!);
        break;
      case '--max-memory':
        r.maxMemoryPages = parseSize('--max-memory', value!);
        break;
      case '--env':
        r.env.push(parseEnvArg(value!));
        break;
      case '--dir':
      case '--dir-ro':
        r.dirs.push(parseDirArg(a, value!, r.dirs));
        break;
      default:
        if (!takeNetFlag(r, a, value)) throw new UsageError(`unknown option ${a}`);
    }
  }
  if (r.help) return r;
  const file = argv[i];
  if (file === undefined) throw new UsageError('weft run needs a component file');
  r.file = file;
  r.args = argv.slice(i + 1);
  return r;
}

/**
 * The option at `argv[i]`: `--name=value`, or `--name value` for one of `withValue`
 * (`last` is then the value's index), or a flag.
 */
export function readOption(
  argv: readonly string[],
  i: number,
  withValue: ReadonlySet<string>,
): { name: string; value: string | undefined; last: number } {
  const a = argv[i]!;
  const eq = a.indexOf('=');
  if (a.startsWith('--') && eq > 0 && withValue.has(a.slice(0, eq)))
    return { name: a.slice(0, eq), value: a.slice(eq + 1), last: i };
  if (!withValue.has(a)) return { name: a, value: undefined, last: i };
  const value = argv[i + 1];
  if (value === undefined) throw new UsageError(`${a} needs a value`);
  return { name: a, value, last: i + 1 };
}

/** `--env K=V`, or a bare `--env K` (copied from the host). */
export function parseEnvArg(value: string): [string, string | undefined] {
  const k = value.indexOf('=');
  if (k === 0 || value === '') throw new UsageError(`--env ${JSON.stringify(value)}: the variable needs a name`);
  return k < 0 ? [value, undefined] : [value.slice(0, k), value.slice(k + 1)];
}

/** `--dir`/`--dir-ro HOST[::GUEST]`: `::` separates (a single `:` is part of a path, as in `C:\data`); the last one wins. */
export function parseDirArg(flag: string, value: string, seen: readonly DirArg[]): DirArg {
  const sep = value.lastIndexOf('::');
  const host = sep < 0 ? value : value.slice(0, sep);
  const guest = sep < 0 ? value : value.slice(sep + 2);
  if (guest === '' && host !== '') throw new UsageError(`${flag} ${JSON.stringify(value)}: the guest path is empty`);
  if (seen.some((d) => d.guest === guest))
    throw new UsageError(`${flag} ${JSON.stringify(value)}: guest path ${JSON.stringify(guest)} is given twice`);
  return { host, guest, readOnly: flag === '--dir-ro' };
}

/** Each `--dir` HOST must be an existing directory: a usage error (exit 2) names the flag and path. */
export function checkDirs(dirs: readonly DirArg[]): void {
  for (const { host, readOnly } of dirs) {
    const flag = `${readOnly ? '--dir-ro' : '--dir'} ${JSON.stringify(host)}`;
    if (host === '') throw new UsageError(`${flag}: the host path is empty`);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(host, { throwIfNoEntry: false });
    } catch (e) {
      throw new UsageError(`${flag}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (st === undefined) throw new UsageError(`${flag}: no such directory`);
    if (!st.isDirectory()) throw new UsageError(`${flag}: not a directory`);
  }
}

/** The guest's argv: argv[0] names the component without leaking a host path. */
export function guestArgs(r: Pick<RunArgs, 'file'> & Partial<Pick<RunArgs, 'args' | 'argv0'>>): string[] {
  const base = r.file.slice(Math.max(r.file.lastIndexOf('/'), r.file.lastIndexOf('\\')) + 1);
  return [r.argv0 ?? base, ...(r.args ?? [])];
}

/** The guest's environment: the host's if inherited, then each --env in order. */
export function guestEnv(r: RunArgs, hostEnv: Record<string, string | undefined>): [string, string][] {
  const env = new Map<string, string>();
  if (r.inheritEnv) for (const [k, v] of Object.entries(hostEnv)) if (v !== undefined) env.set(k, v);
  for (const [k, v] of r.env) {
    const val = v ?? hostEnv[k];
    if (val !== undefined) env.set(k, val);
  }
  return [...env];
}

const UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** `64MiB`, `1GiB`, `65536` (bytes) → whole 64 KiB pages, at least one. */
export function parseSize(flag: string, value: string): number {
  const m = /^(\d+)(B|KiB|MiB|GiB)?$/.exec(value);
  const bytes = m ? Number(m[1]) * UNITS[m[2] ?? '']! : Number.NaN;
  if (!(bytes >= 65536) || bytes > 2 ** 32)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a size from 64KiB to 4GiB, e.g. 64MiB`);
  return Math.floor(bytes / 65536);
}
