// The executor's own behaviour, against a Node script standing in for the engine.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Engine, runWasiTest } from '../src/wasi/executor.ts';
import { parseSpec } from '../src/wasi/spec.ts';
import { weftEngine } from '../src/wasi/suite.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const FAKE = join(FIXTURES, 'fake-program.mjs');
const FAKE_SERVE = join(FIXTURES, 'fake-serve.mjs');
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

/** `weft serve`'s command line, with the fake in its place: the first arg picks the fake's mode. */
const fakeServe: Engine = (r) => {
  lastRun = r;
  const args = [FAKE_SERVE, '--addr', '127.0.0.1:0'];
  for (const [k, v] of Object.entries(r.env)) args.push('--env', `${k}=${v}`);
  return { command: process.execPath, args: [...args, ...r.args] };
};
const serve = (json: unknown, opts: { timeoutMs?: number; requestTimeoutMs?: number } = {}) =>
  runWasiTest({
    name: 't',
    wasm: join(FIXTURES, 't.wasm'),
    spec: parseSpec({ proposals: ['http'], world: 'wasi:http/service', ...(json as object) }),
    engine: fakeServe,
    timeoutMs: opts.timeoutMs ?? 10_000,
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
  });
const stop = [{ type: 'kill', signal: 'SIGINT' }, { type: 'wait' }];

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

  it('runs a service with weft serve, a command with weft run', () => {
    const engine = weftEngine('/node', '/bin.ts');
    const base = { wasm: '/t/x.wasm', args: [], env: { A: '1' }, root: '/t/r', proposals: [] };
    expect(engine({ ...base, world: 'wasi:http/service', proposals: ['http'] })).toEqual({
      command: '/node',
      args: [
        '--conditions=weft-source',
        '/bin.ts',
        'serve',
        '--addr',
        '127.0.0.1:0',
        // An http program gets the network for its client, as Wasmtime's -Shttp gives it.
        '--inherit-network',
        '--env',
        'A=1',
        '--dir',
        '/t/r::/',
        '/t/x.wasm',
      ],
    });
    expect(engine({ ...base, world: 'wasi:cli/command', args: ['a'] })).toEqual({
      command: '/node',
      args: ['--conditions=weft-source', '/bin.ts', 'run', '--env', 'A=1', '--dir', '/t/r::/', '/t/x.wasm', 'a'],
    });
    // A sockets program gets the network, as Wasmtime's runner gives it -Sinherit-network.
    expect(engine({ ...base, root: null, world: 'wasi:cli/command', proposals: ['sockets'] })).toEqual({
      command: '/node',
      args: ['--conditions=weft-source', '/bin.ts', 'run', '--inherit-network', '--env', 'A=1', '/t/x.wasm'],
    });
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

describe('runWasiTest: wasi:http/service programs', () => {
  it('learns the address from stderr, checks status, headers and body, then stops the server (http-service)', async () => {
    const r = await serve({
      operations: [
        { type: 'run', args: ['service'] },
        {
          type: 'request',
          path: '/',
          response: { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'hey\n' },
        },
        { type: 'request', method: 'GET', path: '/whatever', response: { status: 404 } },
        { type: 'request', method: 'POST', path: '/whatever', response: { status: 405 } },
        ...stop,
      ],
    });
    expect(r.failure).toBeUndefined();
    expect(r.exit).toEqual({ code: 0, signal: null });
    expect(r.stderr).toMatch(/^Serving HTTP on http:\/\/127\.0\.0\.1:\d+\/\n$/);
  });

  it('sends the method, headers and body (http-service-echo)', async () => {
    const r = await serve({
      operations: [
        { type: 'run', args: ['service'] },
        {
          type: 'request',
          method: 'POST',
          path: '/echo',
          body: 'hello, echo',
          response: { headers: { 'content-type': 'application/octet-stream' }, body: 'hello, echo' },
        },
        { type: 'request', method: 'POST', path: '/echo', body: '', response: { body: '' } },
        {
          type: 'request',
          path: '/reflect-header',
          headers: { 'x-echo': 'ping' },
          response: { headers: { 'x-echoed': 'ping' } },
        },
        { type: 'request', path: '/twice', response: { headers: { 'x-twice': 'a, b' } } },
        ...stop,
      ],
    });
    expect(r.failure).toBeUndefined();
  });

  it('skips lines before the address', async () => {
    const r = await serve({
      operations: [{ type: 'run', args: ['noisy'] }, { type: 'request', response: { body: 'hey\n' } }, ...stop],
    });
    expect(r.failure).toBeUndefined();
  });

  it('names what differs', async () => {
    const one = (response: unknown) =>
      serve({ operations: [{ type: 'run', args: ['service'] }, { type: 'request', response }, ...stop] });
    expect((await one({ status: 201 })).failure).toBe('request GET /: expected status 201, got 200 (body "hey\\n")');
    expect((await one({ headers: { 'x-missing': '1' }, body: 'hey\n' })).failure).toBe(
      'request GET /: the response has no x-missing header',
    );
    expect((await one({ headers: { 'content-type': 'text/html' } })).failure).toBe(
      'request GET /: expected header content-type: "text/html", got "text/plain"',
    );
    expect((await one({ body: 'hi' })).failure).toBe('request GET /: expected body "hi", got "hey\\n"');
  });

  it('reports a service that never comes up, or exits, with what it printed', async () => {
    const crashed = await serve({ operations: [{ type: 'run', args: ['crash'] }, { type: 'request' }, ...stop] });
    expect(crashed.failure).toBe(
      'request GET /: expected the service to print its http:// address on stderr, got "weft: the component does not export wasi:http/handler" (the program exited with 1)',
    );
    const silent = await serve(
      { operations: [{ type: 'run', args: ['silent'] }, { type: 'request' }, ...stop] },
      { timeoutMs: 500 },
    );
    expect(silent.failure).toBe("request GET /: timed out after 500 ms (the test's limit)");
    expect(silent.exit?.signal).toBe('SIGKILL');
  });

  it('bounds one request by its own timeout', async () => {
    const start = performance.now();
    const r = await serve(
      { operations: [{ type: 'run', args: ['service'] }, { type: 'request', path: '/hang' }, ...stop] },
      { requestTimeoutMs: 300 },
    );
    expect(r.failure).toBe('request GET /hang: no response within 300 ms');
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it('stands up the servers before run and gives the guest their addresses', async () => {
    const r = await serve({
      servers: [
        {
          name: 'main',
          endpoints: [
            { method: 'POST', path: '/echo-body', mode: 'echo-body' },
            { method: 'GET', path: '/fixed', response: { status: 201, body: 'made' } },
          ],
        },
        { name: 'dead', kind: 'closed' },
      ],
      operations: [
        { type: 'run', args: ['service'], env: { OWN: 'yes' } },
        {
          type: 'request',
          path: '/outbound?server=MAIN&path=/fixed',
          response: { body: JSON.stringify({ status: 201, headers: [], body: 'made', trailers: {} }) },
        },
        ...stop,
      ],
    });
    expect(r.failure).toBeUndefined();
    expect(Object.keys(lastRun!.env).sort()).toEqual(['HTTP_SERVER_DEAD', 'HTTP_SERVER_MAIN', 'OWN']);
    expect(lastRun!.env.HTTP_SERVER_MAIN).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('lets the guest reach each endpoint mode, and the closed server refuses', async () => {
    const outbound = (query: string, body: string, response: unknown) => ({
      type: 'request',
      method: 'POST',
      path: `/outbound?${query}`,
      body,
      response,
    });
    const json = (o: unknown) => ({ body: JSON.stringify(o) });
    const r = await serve({
      servers: [
        {
          name: 'main',
          endpoints: [
            { method: 'POST', path: '/echo-body', mode: 'echo-body' },
            { method: 'POST', path: '/echo-headers?a=1', mode: 'echo-headers' },
            { path: '/parts', response: { chunks: ['a', 'b'], trailers: { 'x-t': '1' }, headers: { 'x-h': '2' } } },
          ],
        },
        { name: 'dead', kind: 'closed' },
      ],
      operations: [
        { type: 'run', args: ['service'] },
        outbound(
          'server=MAIN&method=POST&path=/echo-body',
          'ping',
          json({ status: 200, headers: [], body: 'ping', trailers: {} }),
        ),
        outbound(
          'server=MAIN&method=POST&path=/echo-headers%3Fa%3D1',
          'ping',
          json({
            status: 200,
            headers: [
              ['x-request-method', 'POST'],
              ['x-request-path', '/echo-headers?a=1'],
              ['x-echo-transfer-encoding', 'chunked'],
              ['x-echo-connection', 'close'],
              ['x-trailer-x-sum', '4'],
            ],
            body: '',
            trailers: {},
          }),
        ),
        outbound(
          'server=MAIN&path=/parts',
          '',
          json({ status: 200, headers: [['x-h', '2']], body: 'ab', trailers: { 'x-t': '1' } }),
        ),
        outbound('server=MAIN&path=/nowhere', '', json({ status: 404, headers: [], body: '', trailers: {} })),
        outbound('server=DEAD&path=/', '', { status: 502, body: 'ECONNREFUSED' }),
        ...stop,
      ],
    });
    expect(r.failure).toBeUndefined();
  });
});
