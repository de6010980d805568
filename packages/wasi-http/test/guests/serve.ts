// `weft serve` of a test guest in a child process, for the load test and the
// bench: started on 127.0.0.1:0, ready once it prints `Serving HTTP on
// http://HOST:PORT/` on stderr, stopped with SIGTERM (SIGKILL past a grace).
// Its resident memory is read from /proc (Linux).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GUESTS = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
export const CLI_BIN = join(REPO_ROOT, 'packages/cli/src/bin.ts');
/** `weft serve` exists once this file does. */
export const SERVE_COMMAND = join(REPO_ROOT, 'packages/cli/src/commands/serve.ts');
/**
 * WEFT_SERVE_BIN: another script to run as `<bin> serve --addr ... X.wasm` (a stand-in, to
 * check these tests themselves); the default is Weft's CLI from source.
 */
const BIN = process.env.WEFT_SERVE_BIN ?? CLI_BIN;

export const serveExists = (): boolean => process.env.WEFT_SERVE_BIN !== undefined || existsSync(SERVE_COMMAND);

export function guest(name: string): string {
  return join(GUESTS, `${name}.wasm`);
}

export interface Served {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resident set of the serving process, bytes (undefined off Linux or once it exited). */
  rss(): number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --conditions=weft-source packages/cli/src/bin.ts serve --addr 127.0.0.1:0 ...args wasm`.
 * Rejects (and kills it) if it exits or prints no address within `timeoutMs`.
 */
export function serve(wasm: string, args: string[] = [], timeoutMs = 30_000): Promise<Served> {
  const argv = ['--conditions=weft-source', BIN, 'serve', '--addr', '127.0.0.1:0', ...args, wasm];
  return launch(argv, `weft serve ${wasm}`, timeoutMs);
}

/** Runs `node ...argv`, a server that prints `Serving HTTP on http://...` on stderr once listening. */
export async function launch(argv: string[], what: string, timeoutMs = 30_000): Promise<Served> {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    // Keep the start and the end of a long log.
    err = err.length > 1 << 20 ? err.slice(0, 1 << 19) + d : err + d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(`printed no address within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${what}: ${why}\n${err}`));
    };
    const look = () => {
      const m = /Serving HTTP on (http:\/\/\S+)/.exec(err);
      if (!m || done) return;
      done = true;
      clearTimeout(timer);
      child.stderr!.off('data', look);
      resolve(m[1]!);
    };
    child.stderr!.on('data', look);
    child.once('error', (e) => fail(e.message));
    exited.then(({ code, signal }) => fail(`exited (${signal ?? code}) before it was listening`));
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => err,
    rss: () => rssOf(child.pid),
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** VmRSS of a process from /proc, in bytes. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples `read()` every `everyMs` until stopped. */
export function sampler(read: () => number | undefined, everyMs = 200): { stop(): number[] } {
  const samples: number[] = [];
  const take = () => {
    const v = read();
    if (v !== undefined) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}

export const MiB = 1024 * 1024;
export const mib = (n: number | undefined): string => (n === undefined ? '?' : `${(n / MiB).toFixed(1)} MiB`);
