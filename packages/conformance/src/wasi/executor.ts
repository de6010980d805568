// Runs one wasi-testsuite program the way doc/specification.md describes: the
// operations in order, each checked as it runs; the first failed expectation
// ends the test. The engine is a subprocess (stdin, stdout, stderr piped), so a
// crash or a hang cannot take the test runner with it. A `wasi:http/service`
// program is a server: its engine prints `... http://HOST:PORT/` on stderr once
// listening (as `wasmtime serve` and `weft serve` do), and `request` operations
// go there. The test's `servers` are stood up in this process before the first
// `run` and their addresses given to the guest as `HTTP_SERVER_<NAME>`.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { connect as tcpConnect, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { Operation, Proposal, TestSpec, World } from './spec.ts';
import { mismatch, quote, send } from './request.ts';
import { startServers, type TestServers } from './servers.ts';
import { Incoming, Timeout, within } from './streams.ts';

/** What an engine is asked to run: one `run` operation, resolved. */
export interface EngineRun {
  wasm: string;
  args: string[];
  /** The guest's whole environment: exactly these variables. */
  env: Record<string, string>;
  /** Host directory to preopen as the guest's `/`. */
  root: string | null;
  proposals: Proposal[];
  world: World;
}

export interface Launch {
  command: string;
  args: string[];
  /** The engine process's own environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Builds the command line for a run, or says why the engine cannot run it. */
export type Engine = (run: EngineRun) => Launch | { unsupported: string };

export interface WasiTestOptions {
  name: string;
  wasm: string;
  spec: TestSpec;
  engine: Engine;
  /** Directory a run's `root` resolves against (default: the program's). */
  baseDir?: string;
  /** For the whole test, from the first operation to the last (default 20 000). */
  timeoutMs?: number;
  /** For one `request`, from connecting to the end of the response (default 10 000; the reference's is 5 s). */
  requestTimeoutMs?: number;
}

export interface WasiTestResult {
  name: string;
  passed: boolean;
  /** The first failed expectation (or why the test could not run). */
  failure?: string;
  /** The engine's command line (of the last run). */
  argv: string[];
  /** Everything the program wrote, whether or not a `read` consumed it. */
  stdout: string;
  stderr: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  durationMs: number;
}

/** Thrown by an operation whose expectation is not met. */
class Failed extends Error {}

interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout: Incoming;
  stderr: Incoming;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** A service's address, from its `http://` line on stderr. */
  url?: URL;
}

interface Connection {
  socket: Socket;
  incoming: Incoming;
}

/** Why this executor cannot run `spec` at all, if it cannot. */
export function unsupported(spec: TestSpec): string | undefined {
  for (const op of spec.operations) {
    if (op.type === 'connect' && op.protocol !== 'tcp') return `connect over ${op.protocol} is not implemented`;
  }
  return undefined;
}

export async function runWasiTest(opts: WasiTestOptions): Promise<WasiTestResult> {
  const start = performance.now();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const connections = new Map<string, Connection>();
  let servers: TestServers | undefined;
  /** The running program; `last` outlives its `wait`, for the report. */
  let proc: Proc | undefined;
  let last: Proc | undefined;
  let argv: string[] = [];
  let failure: string | undefined = unsupported(opts.spec);
  let current: Operation | undefined;

  const program = (): Proc => {
    if (!proc) throw new Failed('no program is running');
    return proc;
  };

  const step = async (op: Operation): Promise<void> => {
    const signal = deadline.signal;
    switch (op.type) {
      case 'run': {
        // Started once, for every run of the test; the guest finds them in its environment.
        if (!servers && opts.spec.servers.length > 0) {
          servers = await startServers(opts.spec.servers).catch((e) => {
            throw new Failed(`cannot start the test's servers: ${(e as Error).message}`);
          });
        }
        const launch = opts.engine({
          wasm: opts.wasm,
          args: op.args,
          env: { ...op.env, ...servers?.env },
          root: op.root === null ? null : resolve(opts.baseDir ?? dirname(opts.wasm), op.root),
          proposals: opts.spec.proposals,
          world: opts.spec.world,
        });
        if ('unsupported' in launch) throw new Failed(`unsupported by the engine: ${launch.unsupported}`);
        argv = [launch.command, ...launch.args];
        proc = last = await launchProcess(launch, dirname(opts.wasm), deadline.signal);
        return;
      }
      case 'write': {
        const { child } = program();
        await within(
          new Promise<void>((res, rej) => child.stdin.write(op.payload, (e) => (e ? rej(e) : res()))),
          signal,
        ).catch((e) => {
          if (e instanceof Timeout) throw e;
          throw new Failed(`cannot write to stdin: ${(e as Error).message}`);
        });
        return;
      }
      case 'read': {
        const p = program();
        const want = Buffer.from(op.payload);
        const got = await p[op.id].take(want.length, signal);
        if (!got.equals(want)) {
          const short = got.length < want.length ? `; ${op.id} ended${await exited(p)}` : '';
          throw new Failed(`expected ${quote(want)}, got ${quote(got)}${short}`);
        }
        return;
      }
      case 'wait': {
        const p = program();
        p.child.stdin.end();
        const exit = await within(p.closed, signal);
        proc = undefined;
        for (const c of connections.values()) c.socket.destroy();
        connections.clear();
        if (exit.code !== op.exitCode) {
          const got = exit.signal ? `it was killed by ${exit.signal}` : `got ${exit.code}`;
          throw new Failed(`expected exit code ${op.exitCode}, ${got}`);
        }
        return;
      }
      case 'connect': {
        const p = program();
        const line = await p.stdout.line(signal);
        const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(line.trim());
        if (!m) throw new Failed(`expected <host>:<port> on stdout, got ${JSON.stringify(line)}${await exited(p)}`);
        const socket = tcpConnect({ host: m[1]!, port: Number(m[2]) });
        const incoming = new Incoming(socket);
        connections.set(op.id, { socket, incoming });
        await within(
          new Promise<void>((res, rej) => {
            socket.once('connect', res);
            socket.once('error', rej);
          }),
          signal,
        ).catch((e) => {
          if (e instanceof Timeout) throw e;
          throw new Failed(`cannot connect to ${m[1]}:${m[2]}: ${(e as Error).message}`);
        });
        return;
      }
      case 'send': {
        const { socket } = connections.get(op.id)!;
        await within(
          new Promise<void>((res, rej) => socket.write(op.payload, (e) => (e ? rej(e) : res()))),
          signal,
        ).catch((e) => {
          if (e instanceof Timeout) throw e;
          throw new Failed(`cannot send on ${op.id}: ${(e as Error).message}`);
        });
        return;
      }
      case 'recv': {
        const want = Buffer.from(op.payload);
        const got = await connections.get(op.id)!.incoming.take(want.length, signal);
        if (!got.equals(want)) throw new Failed(`expected ${quote(want)}, got ${quote(got)}`);
        return;
      }
      case 'kill': {
        if (!program().child.kill(op.signal)) throw new Failed(`could not send ${op.signal}`);
        return;
      }
      case 'request': {
        const p = program();
        p.url ??= await serviceUrl(p, signal);
        const own = AbortSignal.timeout(requestTimeoutMs);
        const got = await send(p.url, op, AbortSignal.any([signal, own])).catch(async (e) => {
          if (signal.aborted) throw new Timeout('timed out');
          if (own.aborted) throw new Failed(`no response within ${requestTimeoutMs} ms`);
          throw new Failed(`${errorText(e)}${await exited(p)}`);
        });
        const wrong = mismatch(op, got);
        if (wrong) throw new Failed(wrong);
        return;
      }
    }
  };

  try {
    if (failure === undefined) {
      for (const op of opts.spec.operations) {
        current = op;
        await step(op);
      }
    }
  } catch (e) {
    const what = current ? describe(current) : 'test';
    if (e instanceof Failed) failure = `${what}: ${e.message}`;
    else if (e instanceof Timeout) failure = `${what}: timed out after ${timeoutMs} ms (the test's limit)`;
    else failure = `${what}: ${(e as Error)?.stack ?? String(e)}`;
  } finally {
    clearTimeout(timer);
    for (const c of connections.values()) c.socket.destroy();
  }
  await servers?.close();
  if (last && !last.exit) {
    // A failure left the program running (or it outlived its test): stop it.
    last.child.kill('SIGKILL');
    await within(last.closed, AbortSignal.timeout(5000)).catch(() => {});
  }
  return {
    name: opts.name,
    passed: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
    argv,
    stdout: last?.stdout.text() ?? '',
    stderr: last?.stderr.text() ?? '',
    ...(last?.exit ? { exit: last.exit } : {}),
    durationMs: Math.round(performance.now() - start),
  };
}

async function launchProcess(launch: Launch, cwd: string, signal: AbortSignal): Promise<Proc> {
  const child = spawn(launch.command, launch.args, {
    cwd,
    env: launch.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A program that exits without reading its stdin makes our writes fail
  // with EPIPE; the write callbacks report it.
  child.stdin.on('error', () => {});
  const p: Proc = {
    child,
    stdout: new Incoming(child.stdout),
    stderr: new Incoming(child.stderr),
    closed: new Promise((res, rej) => {
      child.once('error', rej);
      child.once('close', (code, sig) => {
        p.exit = { code, signal: sig };
        res(p.exit);
      });
    }),
  };
  p.closed.catch(() => {});
  await within(
    new Promise<void>((res, rej) => {
      child.once('spawn', res);
      child.once('error', rej);
    }),
    signal,
  ).catch((e) => {
    if (e instanceof Timeout) throw e;
    throw new Failed(`cannot start ${launch.command}: ${(e as Error).message}`);
  });
  return p;
}

/** ` (the program exited with N)` once it has (waiting a moment for it), else ''. */
async function exited(p: Proc): Promise<string> {
  await within(p.closed, AbortSignal.timeout(1000)).catch(() => {});
  if (!p.exit) return '';
  return p.exit.signal ? ` (the program was killed by ${p.exit.signal})` : ` (the program exited with ${p.exit.code})`;
}

/**
 * A service's address: the first stderr line with `http://` in it gives the
 * URL, up to the next whitespace (the reference takes the first line only; a
 * line before it, say a warning, is skipped here).
 */
async function serviceUrl(p: Proc, signal: AbortSignal): Promise<URL> {
  const seen: string[] = [];
  for (;;) {
    const line = await p.stderr.line(signal);
    const at = line.indexOf('http://');
    if (at >= 0) {
      const text = line.slice(at).split(/\s/)[0]!;
      try {
        return new URL(text);
      } catch {
        throw new Failed(`the service announced ${JSON.stringify(text)}, not a URL`);
      }
    }
    if (p.stderr.done()) {
      const got = seen.concat(line).join('\n').trim();
      throw new Failed(
        `expected the service to print its http:// address on stderr, got ${got ? JSON.stringify(got.slice(0, 300)) : 'nothing'}${await exited(p)}`,
      );
    }
    seen.push(line);
  }
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}

function describe(op: Operation): string {
  switch (op.type) {
    case 'read':
    case 'write':
    case 'send':
    case 'recv':
    case 'connect':
      return `${op.type} ${op.id}`;
    case 'kill':
      return `kill ${op.signal}`;
    case 'request':
      return `request ${op.method} ${op.path}`;
    default:
      return op.type;
  }
}
