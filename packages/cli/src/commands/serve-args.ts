// `weft serve` argument parsing: options anywhere, exactly one component file.

import { UsageError } from '../errors.ts';
import {
  type DirArg,
  parseDirArg,
  parseDuration,
  parseEnvArg,
  parseSize,
  type RunArgs,
  readOption,
} from './run-args.ts';
import { type NetArgs, takeNetFlag } from './net-args.ts';

export interface ServeArgs extends NetArgs {
  file: string;
  /** `--addr HOST:PORT` (default 127.0.0.1:8080; port 0 picks a free one). */
  host: string;
  port: number;
  /** `--env K=V` pairs, and bare `--env K` names to copy from the host. */
  env: [string, string | undefined][];
  inheritEnv: boolean;
  /** `--dir HOST[::GUEST]` (read-write) and `--dir-ro HOST[::GUEST]`, in order. */
  dirs: DirArg[];
  /** `--request-timeout DURATION` in ms (0: none). */
  requestTimeoutMs?: number;
  maxInstances?: number;
  requestsPerInstance?: number;
  concurrencyPerInstance?: number;
  maxConcurrent?: number;
  /** `--idle-timeout DURATION` in ms. */
  idleTimeoutMs?: number;
  /** `--max-memory SIZE` in 64 KiB pages. */
  maxMemoryPages?: number;
  /** `--workers N`: processes sharing the port (node:cluster). */
  workers: number;
  help: boolean;
}

const VALUE_OPTS = new Set([
  '--addr',
  '--env',
  '--dir',
  '--dir-ro',
  '--request-timeout',
  '--max-instances',
  '--requests-per-instance',
  '--concurrency-per-instance',
  '--max-concurrent',
  '--idle-timeout',
  '--max-memory',
  '--workers',
  '--allow-net',
]);

/** `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (host 127.0.0.1) or `PORT`. */
export function parseAddr(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port >= 0 && port <= 65535))
    throw new UsageError(`--addr ${JSON.stringify(value)}: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:0`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

function count(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > 2 ** 31 - 1)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number of at least ${min}`);
  return Number(value);
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const r: ServeArgs = {
    file: '',
    host: '127.0.0.1',
    port: 8080,
    env: [],
    inheritEnv: false,
    dirs: [],
    workers: 1,
    help: false,
  };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    const opt = readOption(argv, i, VALUE_OPTS);
    a = opt.name;
    i = opt.last;
    const v = opt.value!;
    switch (a) {
      case '-h':
      case '--help':
        r.help = true;
        break;
      case '--inherit-env':
        r.inheritEnv = true;
        break;
      case '--addr':
        Object.assign(r, parseAddr(v));
        break;
      case '--request-timeout':
        r.requestTimeoutMs = parseDuration(a, v);
        break;
      case '--idle-timeout':
        r.idleTimeoutMs = parseDuration(a, v);
        break;
      case '--max-instances':
        r.maxInstances = count(a, v, 1);
        break;
      case '--requests-per-instance':
        r.requestsPerInstance = count(a, v, 1);
        break;
      case '--concurrency-per-instance':
        r.concurrencyPerInstance = count(a, v, 1);
        break;
      case '--max-concurrent':
        r.maxConcurrent = count(a, v, 1);
        break;
      case '--workers':
        r.workers = count(a, v, 1);
        break;
      case '--max-memory':
        r.maxMemoryPages = parseSize(a, v);
        break;
      case '--env':
        r.env.push(parseEnvArg(v));
        break;
      case '--dir':
      case '--dir-ro':
        r.dirs.push(parseDirArg(a, v, r.dirs));
        break;
      default:
        if (!takeNetFlag(r, a, v)) throw new UsageError(`unknown option ${a}`);
    }
  }
  if (r.help) return r;
  if (files.length === 0) throw new UsageError('weft serve needs a component file');
  if (files.length > 1) throw new UsageError(`weft serve takes one component file, not ${files.length}`);
  r.file = files[0]!;
  return r;
}

/** The serve options as `weft run`'s, for guestEnv. */
export function asRunArgs(r: ServeArgs): RunArgs {
  return { file: r.file, args: [], env: r.env, inheritEnv: r.inheritEnv, dirs: r.dirs, help: false };
}
