// The executor's own behaviour, against a Node script standing in for the engine.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Engine, runWasiTest } from '../src/wasi/executor.ts';
import { parseSpec } from '../src/wasi/spec.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const FAKE = join(FIXTURES, 'fake-program.mjs');
let lastRun: Parameters<Engine>[0] | undefined;
const fake: Engine = (run) => {
  lastRun = run;
  return {
    command: process.execPath,
    args: [FAKE, ...run.args],
    env: { ...process.env, ...Object.fromEntries(Object.entries(run.env).map(([k, v]) => [k.toUpperCase(), v])) },
  };
};

const run = (json: unknown, timeoutMs = 10_000) =>
  runWasiTest({ name: 't', wasm: join(FIXTURES, 't.wasm'), spec: parseSpec(json), engine: fake, timeoutMs });

describe('runWasiTest', () => {
  it('writes stdin, then reads stdout and stderr (cli-stdio-roundtrip)', async () => {
    const r = await run({
      operations: [
        { type: 'run', args: ['roundtrip'] },
        { type: 'write', id: 'stdin', payload: 'Hello, world!' },
        { type: 'read', id: 'stdout', payload: 'Hello, world!' },
        { type: 'read', id: 'stderr', payload: 'Hello, world!' },
        { type: 'wait' },
      ],
    });
    expect(r.failure).toBeUndefined();
    expect(r.passed).toBe(true);
  });

  it('reads before it writes (cli-stdout-flush)', async () => {
    const r = await run({
      operations: [
        { type: 'run', args: ['ready'] },
        { type: 'read', id: 'stdout', payload: 'READY' },
        { type: 'write', id: 'stdin', payload: 'x' },
        { type: 'wait' },
      ],
    });
    expect(r.failure).toBeUndefined();
  });

  it('reports a wrong payload, and a short one with the exit', async () => {
    const wrong = await run({ args: ['env', 'a'], stdout: '{"args":["b"]' });
    expect(wrong.failure).toMatch(/^read stdout: expected "\{\\"args\\":\[\\"b\\"\]", got "\{\\"args\\":\[\\"a\\"\]"$/);
    const short = await run({ args: ['exit', '0'], stdout: 'hi' });
    expect(short.failure).toBe('read stdout: expected "hi", got ""; stdout ended (the program exited with 0)');
  });

  it('passes args and env, and checks the exit code', async () => {
    const r = await run({ args: ['env', 'x', 'y'], env: { foo: 'bar' }, stdout: '{"args":["x","y"],"foo":"bar"}' });
    expect(r.failure).toBeUndefined();
    expect(lastRun?.env).toEqual({ foo: 'bar' });
    expect((await run({ args: ['exit', '3'], exit_code: 3 })).passed).toBe(true);
    const bad = await run({ args: ['exit', '3'] });
    expect(bad.failure).toBe('wait: expected exit code 0, got 3');
    expect(bad.exit).toEqual({ code: 3, signal: null });
  });

  it('resolves root against the test directory', async () => {
    await run({ args: ['exit', '0'], root: 'fs-tests.dir' });
    expect(lastRun?.root).toBe(join(FIXTURES, 'fs-tests.dir'));
  });

  it('kills a program that outlives the timeout', async () => {
    const r = await run({ args: ['hang'] }, 500);
    expect(r.failure).toBe("wait: timed out after 500 ms (the test's limit)");
    expect(r.exit?.signal).toBe('SIGKILL');
  });

  it('connects, sends and receives over tcp', async () => {
    const r = await run({
      proposals: ['sockets'],
      operations: [
        { type: 'run', args: ['echo-server'] },
        { type: 'connect', id: 'echo', protocol_type: 'tcp' },
        { type: 'send', id: 'echo', payload: 'Hello, world' },
        { type: 'recv', id: 'echo', payload: 'Hello, world' },
        { type: 'wait' },
      ],
    });
    expect(r.failure).toBeUndefined();
  });

  it('fails cleanly on what it cannot do', async () => {
    const r = await run({
      operations: [{ type: 'run' }, { type: 'connect', protocol_type: 'udp' }, { type: 'wait' }],
    });
    expect(r.failure).toBe('connect over udp is not implemented');
    expect(r.argv).toEqual([]);
    const engine: Engine = () => ({ unsupported: 'no such world' });
    const s = await runWasiTest({ name: 't', wasm: join(FIXTURES, 't.wasm'), spec: parseSpec({}), engine });
    expect(s.failure).toBe('run: unsupported by the engine: no such world');
  });
});
