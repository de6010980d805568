// The worker under workerd itself (issue 12): built from `weft bundle` output, served on
// 127.0.0.1, checked over HTTP. workerd refuses WebAssembly.compile of bytes and `new Function`,
// so this passing means the components load and run with neither.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorker, writeConfig } from '../build.ts';

let child: ChildProcess | undefined;
let base = '';
let log = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts workerd on a free port and waits (at most 30 s) until it answers. */
async function start(modules: string[]): Promise<void> {
  const { default: workerd } = await import('workerd');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = writeConfig(modules, port);
    log = '';
    const proc = spawn(workerd, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout!.on('data', (d) => (log += d));
    proc.stderr!.on('data', (d) => (log += d));
    let exited = false;
    proc.once('exit', () => (exited = true));
    // Should vitest's worker die before afterAll, workerd goes with it.
    process.once('exit', () => proc.kill('SIGKILL'));
    const until = Date.now() + 30_000;
    while (!exited && Date.now() < until) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        base = `http://127.0.0.1:${port}`;
        return;
      } catch {
        await sleep(100);
      }
    }
    await stop();
    // Another process took the port between freePort and workerd's listen: try another.
    if (!/Address already in use/i.test(log)) break;
  }
  throw new Error(`workerd did not answer within 30 s:\n${log}`);
}

async function stop(): Promise<void> {
  const proc = child;
  child = undefined;
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!killed) {
    proc.kill('SIGKILL');
    await exited;
  }
}

describe('wasi:http components in workerd, from weft bundle output', () => {
  beforeAll(async () => {
    const modules = await buildWorker();
    expect(modules[0]).toBe('worker.js');
    expect(modules.filter((m) => m.endsWith('.wasm')).length).toBeGreaterThanOrEqual(3);
    await start(modules);
  });
  afterAll(stop);

  it('serves the hello-c guest: status, headers, body', async () => {
    const r = await fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe('hello');
  });

  it('streams a 384 KiB body through the echo guest memory and back intact, unbuffered', async () => {
    const data = new Uint8Array(randomBytes(384 * 1024));
    const CHUNK = 16 * 1024;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= data.length) return c.close();
        c.enqueue(data.slice(at, at + CHUNK));
        at += CHUNK;
      },
    });
    const r = await fetch(`${base}/echo`, {
      method: 'PUT',
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(20_000),
    } as RequestInit);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    // The guest's view of the method: the case number of wasi:http's method variant (put: 3).
    expect(r.headers.get('x-echo-method')).toBe('3');
    // Streamed, not gathered: no Content-Length on a body the guest did not have at once.
    expect(r.headers.get('content-length')).toBeNull();
    const back = new Uint8Array(await r.arrayBuffer());
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(back, data)).toBe(0);
  });

  it('carries request headers to a component and its response headers back (middleware guest, host echo downstream)', async () => {
    const data = new Uint8Array(randomBytes(200 * 1024));
    const r = await fetch(`${base}/mw/some/path?q=1`, {
      method: 'POST',
      body: data,
      headers: { 'x-custom': 'weft', 'content-type': 'application/x-test' },
      signal: AbortSignal.timeout(20_000),
    });
    expect(r.status).toBe(200);
    // The guest's own header, and the request's as the guest passed them to the host echo.
    expect(r.headers.get('x-middleware')).toBe('weft-test');
    expect(r.headers.get('x-echo-x-custom')).toBe('weft');
    expect(r.headers.get('x-echo-content-type')).toBe('application/x-test');
    expect(r.headers.get('x-echo-method')).toBe('POST');
    expect(r.headers.get('x-echo-path')).toBe('/mw/some/path?q=1');
    expect(Buffer.compare(new Uint8Array(await r.arrayBuffer()), data)).toBe(0);
  });

  it('serves 8 concurrent echoes on shared instances, each body back to its own request', async () => {
    const bodies = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(96 * 1024)));
    const backs = await Promise.all(
      bodies.map(async (b, i) => {
        const r = await fetch(`${base}/echo/${i}`, { method: 'POST', body: b, signal: AbortSignal.timeout(20_000) });
        expect(r.status).toBe(200);
        expect(r.headers.get('x-echo-method')).toBe('2');
        return new Uint8Array(await r.arrayBuffer());
      }),
    );
    for (let i = 0; i < bodies.length; i++) expect(Buffer.compare(backs[i]!, bodies[i]!), `body ${i}`).toBe(0);
  });

  it('an --interruptible bundle serves with a deadline: a request whose body stalls is cut off, the next is served', async () => {
    const ok = await fetch(`${base}/slow`, { method: 'POST', body: 'quick', signal: AbortSignal.timeout(10_000) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('quick');
    // One chunk, then nothing: the guest waits for the rest until the 1 s deadline.
    const stalled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(1000).fill(7));
      },
    });
    const started = Date.now();
    const r = await fetch(`${base}/slow/stalled`, {
      method: 'POST',
      body: stalled,
      duplex: 'half',
      signal: AbortSignal.timeout(15_000),
    } as RequestInit);
    // The guest answered at once; its body ends in an error when the deadline cuts the request.
    expect(r.status).toBe(200);
    await expect(r.arrayBuffer()).rejects.toThrow();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(10_000);
    const after = await fetch(`${base}/slow`, { method: 'POST', body: 'after', signal: AbortSignal.timeout(10_000) });
    expect(await after.text()).toBe('after');
    // The bundle brought its JSPI shims compiled: nothing had to be compiled here.
    expect(log).not.toMatch(/refuses to compile wasm at run time|disallowed by embedder/);
  });

  it('a guest spinning in a tight loop is stopped by its fuel (no watchdog thread here): 500, and the worker serves on', async () => {
    const t0 = Date.now();
    const spin = await fetch(`${base}/loop`, { signal: AbortSignal.timeout(20_000) });
    expect(spin.status).toBe(500);
    await spin.text();
    expect(Date.now() - t0).toBeLessThan(15_000);
    const [ok, hello] = await Promise.all([
      fetch(`${base}/fuel-ok`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()),
      fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()),
    ]);
    expect([ok, hello]).toEqual(['ok', 'hello']);
    const until = Date.now() + 5000;
    while (!/\/loop: .*fuel/i.test(log) && Date.now() < until) await sleep(50);
    expect(log).toMatch(/\/loop: .*fuel/i);
  });

  it('a request the trap guest traps on gets a 500; the next requests are served', async () => {
    const t = await fetch(`${base}/trap`, { signal: AbortSignal.timeout(10_000) });
    expect(t.status).toBe(500);
    expect(await t.text()).toBe('500 Internal Server Error\n');
    const ok = await fetch(`${base}/ok`, { signal: AbortSignal.timeout(10_000) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('ok');
    const again = await fetch(`${base}/trap/again`, { signal: AbortSignal.timeout(10_000) });
    expect(again.status).toBe(500);
    await again.text();
    const [a, b] = await Promise.all([
      fetch(`${base}/ok`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()),
      fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()),
    ]);
    expect([a, b]).toEqual(['ok', 'hello']);
    // The worker logged the trap (console.error goes to workerd's stderr).
    const until = Date.now() + 5000;
    while (!/GET http:\/\/127\.0\.0\.1:\d+\/trap: Trap: wasm trap: wasm `unreachable`/.test(log) && Date.now() < until)
      await sleep(50);
    expect(log).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/trap: Trap: wasm trap: wasm `unreachable` instruction executed/,
    );
  });
});
