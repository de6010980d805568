// `weft serve`: argument parsing in-process; serving in a child process (the CLI from source on
// 127.0.0.1 with a free port), stopped by the test with SIGINT/SIGTERM. Guests: the
// wasi-testsuite's http-service programs and the C handler guests of packages/wasi-http.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddr, parseServeArgs } from '../src/commands/serve-args.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
// wasi-testsuite's programs, beside the repository as the conformance package finds them.
const SUITE = join(
  process.env.WEFT_CONFORMANCE_DIR ?? fileURLToPath(new URL('../../../../shared/conformance', import.meta.url)),
  'wasi-testsuite/wasm32-wasip3',
);
const HTTP_SERVICE = `${SUITE}/http-service.wasm`;
const HTTP_ECHO = `${SUITE}/http-service-echo.wasm`;
const guest = (name: string) => fileURLToPath(new URL(`../../wasi-http/test/guests/${name}.wasm`, import.meta.url));

interface Served {
  child: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
});

/** `weft serve --addr 127.0.0.1:0 ...args`, resolved once it printed its address. */
async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--conditions=weft-source', BIN, 'serve', '--addr', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (err += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const s: Served = { child, url: '', stderr: () => err, exited };
  running.push(s);
  s.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address within 20 s:\n${err}`)), 20_000);
    const look = () => {
      const m = /Serving HTTP on (http:\/\/\S+)\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', look);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before listening:\n${err}`));
    });
  });
  return s;
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function get(url: string, opts: { method?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close' };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The pids whose parent is `pid` (Linux /proc). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {}
  }
  return out;
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function weftIo(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft serve arguments', () => {
  it('parses options anywhere around the one file', () => {
    expect(parseServeArgs(['app.wasm'])).toMatchObject({ file: 'app.wasm', host: '127.0.0.1', port: 8080, workers: 1 });
    const r = parseServeArgs([
      '--addr',
      '0.0.0.0:9000',
      'app.wasm',
      '--env=A=1',
      '--env',
      'B',
      '--dir',
      '/tmp::/t',
      '--dir-ro=/srv',
      '--request-timeout',
      '2s',
      '--max-instances',
      '4',
      '--requests-per-instance=10',
      '--concurrency-per-instance',
      '2',
      '--max-concurrent',
      '50',
      '--idle-timeout',
      '250ms',
      '--max-memory',
      '64MiB',
      '--workers',
      '3',
      '--inherit-env',
    ]);
    expect(r).toMatchObject({
      file: 'app.wasm',
      host: '0.0.0.0',
      port: 9000,
      env: [
        ['A', '1'],
        ['B', undefined],
      ],
      inheritEnv: true,
      dirs: [
        { host: '/tmp', guest: '/t', readOnly: false },
        { host: '/srv', guest: '/srv', readOnly: true },
      ],
      requestTimeoutMs: 2000,
      maxInstances: 4,
      requestsPerInstance: 10,
      concurrencyPerInstance: 2,
      maxConcurrent: 50,
      idleTimeoutMs: 250,
      maxMemoryPages: 1024,
      workers: 3,
    });
    expect(parseServeArgs(['--request-timeout', '0', 'x.wasm']).requestTimeoutMs).toBe(0);
    expect(parseAddr('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseAddr(':8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(parseAddr('9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseAddr('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });

  it('refuses bad arguments with exit code 2', async () => {
    for (const argv of [
      ['serve'],
      ['serve', 'a.wasm', 'b.wasm'],
      ['serve', '--addr', 'nowhere', 'a.wasm'],
      ['serve', '--addr', '1.2.3.4:70000', 'a.wasm'],
      ['serve', '--workers', '0', 'a.wasm'],
      ['serve', '--concurrency-per-instance', 'x', 'a.wasm'],
      ['serve', '--request-timeout', 'soon', 'a.wasm'],
      ['serve', '--bogus', 'a.wasm'],
      ['serve', '--dir', '/definitely/not/here', 'a.wasm'],
    ]) {
      const r = await weftIo(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/^weft: .+\nRun 'weft --help' for usage\.$/);
    }
    const h = await weftIo(['serve', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/weft serve \[--addr HOST:PORT\]/);
  });

  it('fails with exit code 1 on a file that is not a component it can serve', async () => {
    const r = await weftIo(['serve', '--addr', '127.0.0.1:0', '/definitely/not/here.wasm']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read \/definitely\/not\/here\.wasm: ENOENT/);
    const cmd = fileURLToPath(new URL('../../wasi-cli/test/guests/command.wasm', import.meta.url));
    const c = await weftIo(['serve', '--addr', '127.0.0.1:0', cmd]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/exports no wasi:http\/handler@0\.3\.x handle/);
  });
});

describe('weft serve', { timeout: 60_000 }, () => {
  it('serves, keeps serving after a trap (500), and exits 0 on SIGINT', async () => {
    const s = await serve([HTTP_SERVICE]);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.url).not.toMatch(/:8080\//);
    const r = await get(s.url);
    expect(r).toMatchObject({ status: 200, body: 'hey\n' });
    expect(r.headers['content-type']).toBe('text/plain');
    expect((await get(`${s.url}nope`)).status).toBe(404);
    // The program panics on a GET / with a body: its guest stderr and our log go to stderr.
    expect((await get(s.url, { body: 'boom' })).status).toBe(500);
    expect(s.stderr()).toMatch(/panicked at/);
    expect(s.stderr()).toMatch(/weft serve: GET \/: Trap: wasm trap: wasm `unreachable` instruction executed/);
    const after = await Promise.all(Array.from({ length: 10 }, () => get(s.url)));
    expect(after.every((a) => a.status === 200 && a.body === 'hey\n')).toBe(true);
    s.child.kill('SIGINT');
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it('shuts down gracefully on SIGTERM: the request in flight finishes, new connections are refused', async () => {
    const s = await serve([HTTP_ECHO]);
    // An echo whose body is still coming when the signal arrives.
    let req!: ReturnType<typeof httpRequest>;
    const answer = new Promise<Reply>((resolve, reject) => {
      req = httpRequest(`${s.url}echo`, { method: 'POST', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
    });
    req.write('first half, ');
    req.flushHeaders();
    await new Promise((r) => setTimeout(r, 300));
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect(get(s.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(s.child.exitCode).toBe(null);
    req.end('second half');
    expect(await answer).toMatchObject({ status: 200, body: 'first half, second half' });
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it('--workers 2: two processes share the port, a dead worker is replaced, SIGINT stops them all', async () => {
    const s = await serve(['--workers', '2', HTTP_SERVICE]);
    // Printed once, when both listen.
    expect(s.stderr().match(/Serving HTTP on/g)).toHaveLength(1);
    const workers = children(s.child.pid!);
    expect(workers).toHaveLength(2);
    const replies = await Promise.all(Array.from({ length: 40 }, () => get(s.url)));
    expect(replies.every((r) => r.status === 200 && r.body === 'hey\n')).toBe(true);
    // A worker that dies is replaced.
    process.kill(workers[0]!, 'SIGKILL');
    for (let i = 0; i < 100 && !/starting another/.test(s.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.stderr()).toMatch(/worker \d+ exited \(SIGKILL\); starting another/);
    for (let i = 0; i < 100 && children(s.child.pid!).filter(alive).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await get(s.url)).body).toBe('hey\n');
    const now = children(s.child.pid!).filter(alive);
    expect(now).toHaveLength(2);
    s.child.kill('SIGINT');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.stderr()).not.toMatch(/Error/);
    expect(now.filter(alive)).toEqual([]);
  });

  const loopGuest = guest('loop');
  it('--request-timeout cuts a looping guest off (504); the server keeps serving', async () => {
    const s = await serve(['--request-timeout', '500ms', loopGuest]);
    expect((await get(`${s.url}x`)).body).toBe('ok');
    const t0 = Date.now();
    const loop = get(`${s.url}loop`).then((r) => ({ ...r, ms: Date.now() - t0 }));
    await new Promise((r) => setTimeout(r, 50));
    const other = get(`${s.url}y`);
    const l = await loop;
    expect(l.status).toBe(504);
    expect(l.ms).toBeGreaterThanOrEqual(450);
    expect(l.ms).toBeLessThan(3000);
    expect((await other).body).toBe('ok');
    expect(s.stderr()).toMatch(/weft serve: GET \/loop: DeadlineError/);
    expect((await get(`${s.url}z`)).status).toBe(200);
    s.child.kill('SIGINT');
    expect((await s.exited).code).toBe(0);
  });

  it('--workers 2: while one worker spins, the other answers; the spin ends at the deadline', async () => {
    const s = await serve(['--workers', '2', '--request-timeout', '1s', loopGuest]);
    const t0 = Date.now();
    const loop = get(`${s.url}loop`).then((r) => ({ ...r, ms: Date.now() - t0 }));
    await new Promise((r) => setTimeout(r, 100));
    // Every new connection goes to the free worker (each accepts for itself).
    for (const p of ['a', 'b', 'c', 'd']) expect((await get(`${s.url}${p}`)).body).toBe('ok');
    expect(Date.now() - t0).toBeLessThan(900);
    const l = await loop;
    expect(l.status).toBe(504);
    expect(l.ms).toBeGreaterThanOrEqual(950);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });
});
