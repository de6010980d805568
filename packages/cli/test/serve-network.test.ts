// `weft serve --allow-net`: every instance gets the policy. The guest (test/guests/bind-handler)
// binds a tcp-socket to 127.0.0.1:0 on each request and answers `bind: ok` or the error code.
// The server runs as a child process on 127.0.0.1 with a free port, stopped with SIGTERM.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const GUEST = fileURLToPath(new URL('guests/bind-handler.wasm', import.meta.url));

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
});

/** `weft serve --addr 127.0.0.1:0 ...flags GUEST`; resolves with its URL once it listens. */
async function serve(flags: string[]): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['--conditions=weft-source', BIN, 'serve', '--addr', '127.0.0.1:0', ...flags, GUEST],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 20 s:\n${err}`)), 20_000);
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /Serving HTTP on (http:\/\/\S+)\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${err}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { url, stop };
}

const get = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return `${res.status} ${await res.text()}`;
};

describe('weft serve: the guest network', () => {
  it('none by default; --allow-net 127.0.0.1:* lets each instance bind there', async () => {
    const closed = await serve([]);
    expect(await get(closed.url)).toBe('200 bind: access-denied\n');
    expect(await closed.stop()).toBe(0);

    const open = await serve(['--allow-net', '127.0.0.1:*', '--max-instances', '2']);
    for (let i = 0; i < 3; i++) expect(await get(open.url)).toBe('200 bind: ok\n');
    // Another address only: still denied.
    const other = await serve(['--allow-net', '10.0.0.1:*']);
    expect(await get(other.url)).toBe('200 bind: access-denied\n');
    expect(await open.stop()).toBe(0);
    expect(await other.stop()).toBe(0);
  }, 60_000);
});
