// Specification parsing: defaults, the legacy form, validation; and every
// .json of the suite when ../shared is there.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdict } from '../src/expectations.ts';
import { WASI_DIR } from '../src/paths.ts';
import { defaultSpec, parseSpec, readSpec } from '../src/wasi/spec.ts';

describe('parseSpec', () => {
  it('fills defaults', () => {
    expect(parseSpec({})).toEqual(defaultSpec());
    expect(parseSpec({ operations: [{ type: 'run' }, { type: 'read' }, { type: 'write' }, { type: 'wait' }] })).toEqual(
      {
        ...defaultSpec(),
        operations: [
          { type: 'run', args: [], env: {}, root: null },
          { type: 'read', id: 'stdout', payload: '' },
          { type: 'write', id: 'stdin', payload: '' },
          { type: 'wait', exitCode: 0 },
        ],
      },
    );
  });

  it('converts the legacy form to run, read, wait', () => {
    expect(parseSpec({ root: 'fs-tests.dir', args: ['a'], env: { K: 'V' }, stderr: 'e', exit_code: 2 })).toEqual({
      operations: [
        { type: 'run', args: ['a'], env: { K: 'V' }, root: 'fs-tests.dir' },
        { type: 'read', id: 'stderr', payload: 'e' },
        { type: 'wait', exitCode: 2 },
      ],
      proposals: [],
      world: 'wasi:cli/command',
      servers: [],
    });
  });

  it('keeps proposals, world and server names', () => {
    const s = parseSpec({
      proposals: ['http'],
      world: 'wasi:http/service',
      servers: [{ name: 'main', endpoints: [] }],
      operations: [{ type: 'run' }, { type: 'kill', signal: 'SIGINT' }, { type: 'wait' }],
    });
    expect(s.proposals).toEqual(['http']);
    expect(s.world).toBe('wasi:http/service');
    expect(s.servers).toEqual([{ name: 'main', kind: 'listening', endpoints: [] }]);
    expect(s.operations[1]).toEqual({ type: 'kill', signal: 'SIGINT' });
  });

  it('reads servers: endpoint modes, fixed responses with chunks and trailers, closed servers', () => {
    const s = parseSpec({
      servers: [
        {
          name: 'main',
          endpoints: [
            { method: 'post', path: '/echo', mode: 'echo-body' },
            { path: '/x', response: 'short' },
            { method: 'GET', path: '/t', response: { status: 201, chunks: ['a', 'b'], trailers: { 'x-c': '1' } } },
            {},
          ],
        },
        { name: 'dead', kind: 'closed' },
      ],
    });
    expect(s.servers).toEqual([
      {
        name: 'main',
        kind: 'listening',
        endpoints: [
          { method: 'POST', path: '/echo', mode: 'echo-body' },
          {
            method: 'GET',
            path: '/x',
            mode: 'static',
            response: { status: 200, headers: {}, body: 'short', trailers: {} },
          },
          {
            method: 'GET',
            path: '/t',
            mode: 'static',
            response: { status: 201, headers: {}, body: '', chunks: ['a', 'b'], trailers: { 'x-c': '1' } },
          },
          { method: 'GET', path: '/', mode: 'static', response: { status: 200, headers: {}, body: '', trailers: {} } },
        ],
      },
      { name: 'dead', kind: 'closed', endpoints: [] },
    ]);
    const bad = (servers: unknown) => () => parseSpec({ servers });
    expect(bad([{ name: 'a-b' }])).toThrow(/name must be letters, digits or _/);
    expect(bad([{ name: 'a' }, { name: 'A' }])).toThrow(/duplicate name A/);
    expect(bad([{ name: 'a', kind: 'closed', endpoints: [] }])).toThrow(/closed server takes no endpoints/);
    expect(bad([{ name: 'a', kind: 'half-open' }])).toThrow(/kind must be listening or closed/);
    expect(bad([{ name: 'a', endpoints: [{ method: 'BREW' }] }])).toThrow(/unknown method BREW/);
    expect(bad([{ name: 'a', endpoints: [{ mode: 'echo' }] }])).toThrow(/unknown mode echo/);
    expect(bad([{ name: 'a', endpoints: [{ mode: 'echo-body', response: '' }] }])).toThrow(/takes no response/);
    expect(bad([{ name: 'a', endpoints: [{ response: { body: 'x', chunks: [] } }] }])).toThrow(/body or chunks/);
    expect(bad([{ name: 'a', endpoints: [{ response: { trailers: { a: 'b' } } }] }])).toThrow(/trailers need chunks/);
    expect(bad([{ name: 'a', endpoints: [{ response: { status: '200' } }] }])).toThrow(/status must be an integer/);
  });

  it("fills a request's defaults", () => {
    const s = parseSpec({ operations: [{ type: 'run' }, { type: 'request' }, { type: 'wait' }] });
    expect(s.operations[1]).toEqual({
      type: 'request',
      method: 'GET',
      path: '/',
      headers: {},
      body: '',
      response: { status: 200, headers: {}, body: '' },
    });
  });

  it('enforces the rules', () => {
    const ops =
      (...operations: unknown[]) =>
      () =>
        parseSpec({ operations });
    expect(ops({ type: 'run' })).toThrow(/has no wait/);
    expect(ops({ type: 'run' }, { type: 'run' }, { type: 'wait' })).toThrow(/previous run has no wait/);
    expect(ops({ type: 'read' }, { type: 'run' }, { type: 'wait' })).toThrow(/needs a run before it/);
    expect(ops({ type: 'run' }, { type: 'connect' }, { type: 'connect' }, { type: 'wait' })).toThrow(/already used/);
    expect(ops({ type: 'run' }, { type: 'send', id: 'x' }, { type: 'wait' })).toThrow(/no connection "x"/);
    expect(ops({ type: 'run' }, { type: 'recv' }, { type: 'wait' })).toThrow(/needs an id/);
    expect(ops({ type: 'run' }, { type: 'dance' }, { type: 'wait' })).toThrow(/unsupported operation/);
    expect(() => parseSpec({ args: [], operations: [] })).toThrow(/cannot mix/);
    expect(() => parseSpec({ exit_code: '1' })).toThrow(/exit_code must be an integer/);
    expect(() => parseSpec({ env: { A: 1 } })).toThrow(/env\.A must be a string/);
  });

  it.skipIf(!existsSync(WASI_DIR))('parses every specification of the suite', async () => {
    const names = readdirSync(WASI_DIR).filter((f) => f.endsWith('.wasm'));
    for (const f of names) await expect(readSpec(join(WASI_DIR, f)), f).resolves.toBeDefined();
  });
});

describe('verdict', () => {
  it('needs failures listed and listed tests failing', () => {
    expect(verdict(true, undefined)).toBe('pass');
    expect(verdict(false, undefined)).toBe('unexpected-failure');
    expect(verdict(false, 'why')).toBe('expected-failure');
    expect(verdict(true, 'why')).toBe('unexpected-pass');
  });
});
