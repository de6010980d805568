// The C guest (test/guests/command.c, built by clang-22 against the raw
// canonical ABI) run through createCliHost + runCommand.

import { readFileSync } from 'node:fs';
import { Component } from '@weft/core';
import { CaptureSink, createCliHost, type CliOptions, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createRandom } from '@weft/wasi-random';
import { beforeAll, describe, expect, it } from 'vitest';

let component: Component;
beforeAll(async () => {
  component = await Component.compile(readFileSync(new URL('./guests/command.wasm', import.meta.url)));
});

async function run(args: string[], opts: CliOptions = {}, extra: Record<string, unknown> = {}) {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const host = createCliHost({ stdin: 'ignore', stdout, stderr, ...opts, args: ['command', ...args] });
  const instance = await component.instantiate({ ...host.imports, ...createClocks(), ...createRandom(), ...extra });
  const code = await runCommand(instance, { drain: host.drain });
  return { code, stdout, stderr, out: stdout.text(), err: stderr.text() };
}

describe('wasi:cli@0.3.0 with a C command component', () => {
  it('writes to stdout through a stream and exits 0', async () => {
    const r = await run(['hello']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello from C\n');
  });

  it('passes arguments', async () => {
    const r = await run(['args', 'x', 'ünï cödé', '']);
    expect(r.out).toBe('command\nargs\nx\nünï cödé\n\n');
  });

  it('passes the environment and the initial cwd', async () => {
    const r = await run(['env'], { env: { A: '1', EMPTY: '', 'K=': 'v=w' }, cwd: '/srv' });
    expect(r.out).toBe('A=1\nEMPTY=\nK==v=w\ncwd=/srv\n');
    const none = await run(['env'], { env: [['X', 'y']] });
    expect(none.out).toBe('X=y\ncwd=(none)\n');
  });

  it('copies stdin to stdout', async () => {
    const chunks = ['first chunk\n', 'second\n', 'x'.repeat(200_000)].map((s) => new TextEncoder().encode(s));
    async function* gen() {
      for (const c of chunks) {
        await new Promise((r) => setTimeout(r, 1));
        yield c;
      }
    }
    const r = await run(['cat'], { stdin: gen() });
    expect(r.out).toBe(`first chunk\nsecond\n${'x'.repeat(200_000)}`);
    expect((await run(['cat'], { stdin: 'from a string' })).out).toBe('from a string');
    expect((await run(['cat'], { stdin: 'ignore' })).out).toBe('');
  });

  it('reports exit codes: ok, err, exit-with-code, exit(err)', async () => {
    expect((await run(['err'])).code).toBe(1);
    const e = await run(['exit', '42']);
    expect(e.code).toBe(42);
    expect(e.out).toBe('exiting\n');
    expect((await run(['exit', '0'])).code).toBe(0);
    expect((await run(['exit-err'])).code).toBe(1);
  });

  it("settles stdin's result future when the guest drops the stream unread", async () => {
    // an endless source: only the drop can end the transfer
    async function* endless() {
      for (;;) yield new Uint8Array(16);
    }
    for (const stdin of ['ignore', 'some input', endless()] as const) {
      const r = await run(['drop-stdin'], { stdin });
      expect(r).toMatchObject({ code: 0, out: 'stdin future: ok\n' });
    }
  });

  it('stdin gives the bytes it has at hand synchronously (a guest read completes at once)', async () => {
    const stdinOf = (stdin: CliOptions['stdin']) => {
      const host = createCliHost({ stdin, stdout: 'ignore', stderr: 'ignore' });
      const iface = host.imports['wasi:cli/stdin@0.3.0'] as { readViaStream(): [any, PromiseLike<void>] };
      return iface.readViaStream();
    };
    const [s, done] = stdinOf('some input');
    const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
    expect(text(s.readSync(4))).toBe('some');
    expect(text(s.readSync(100))).toBe(' input');
    expect(s.readSync(100)).toBeNull();
    await done;
    async function* later() {
      yield new Uint8Array(1);
    }
    const [a] = stdinOf(later());
    expect(a.readSync(10)).toEqual(new Uint8Array(0));
  });

  it("completes waits that are already over at once (RETURNED, as Wasmtime's first poll)", async () => {
    const r = await run(['wait-past']);
    expect(r.out).toBe('wait-until(past): 2\nwait-until(now): 2\nwait-for(0): 2\n');
  });

  it('writes stdout and stderr separately', async () => {
    const r = await run(['stderr']);
    expect(r.out).toBe('to stdout\n');
    expect(r.err).toBe('to stderr\n');
  });

  it('moves 100 MB through stdout with backpressure', async () => {
    const total = 100_000_000;
    let n = 0;
    let lines = 0;
    let slow = 0;
    const sink = {
      write(chunk: Uint8Array) {
        n += chunk.length;
        for (let i = 63 - ((n - chunk.length) % 64); i < chunk.length; i += 64) if (chunk[i] === 10) lines++;
        // every 16th chunk the sink is slow: the guest must wait, nothing may be lost
        if (++slow % 16 === 0) return new Promise<void>((r) => setImmediate(r));
      },
    };
    const t0 = performance.now();
    const r = await run(['big', String(total)], { stdout: sink });
    const ms = performance.now() - t0;
    expect(r.code).toBe(0);
    expect(n).toBe(total);
    expect(lines).toBe(Math.floor(total / 64));
    expect(ms).toBeLessThan(10_000);
  });

  it('ends cleanly when the reader of stdout goes away', async () => {
    let writes = 0;
    const sink = {
      write() {
        if (++writes > 3) throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
      },
    };
    // "lines" without a count writes until its stream is dropped by the host
    const r = await run(['lines'], { stdout: sink });
    expect(r.code).toBe(0);
    expect(writes).toBe(4);
  });

  it('sleeps with wait-for on the real clock', async () => {
    const t0 = performance.now();
    const r = await run(['sleep', '30']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
    expect(r.out).toMatch(/^slept (\d+) ms\n$/);
    expect(Number(/(\d+)/.exec(r.out)![1])).toBeGreaterThanOrEqual(30);
  });

  it('gets random bytes (different each run, or fixed with a seed)', async () => {
    const a = (await run(['random'])).out;
    const b = (await run(['random'])).out;
    expect(a).toMatch(/^[0-9a-f]{32}\n$/);
    expect(a).not.toBe(b);
    const s1 = await run(['random'], {}, createRandom({ seed: 7 }));
    const s2 = await run(['random'], {}, createRandom({ seed: 7 }));
    expect(s1.out).toBe(s2.out);
  });

  it('a trap rejects runCommand, after the output before it', async () => {
    const stdout = new CaptureSink();
    const host = createCliHost({ stdin: 'ignore', stdout, stderr: 'ignore', args: ['command', 'trap'] });
    const instance = await component.instantiate({ ...host.imports, ...createClocks(), ...createRandom() });
    await expect(runCommand(instance)).rejects.toThrow(/unreachable/);
    expect(stdout.text()).toBe('about to trap\n');
  });
});
