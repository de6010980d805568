// The 0.2 host objects on their own: keys, stdio wiring, errors, isolation.

import { error as shimError, poll as shimPoll, streams } from '@bytecodealliance/preview2-shim/io';
import { findImportKey } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { createWasiP2, WASI_P2_VERSION } from '../src/index.ts';
import { capture, ExitCalled, makeCli, syncSource } from './helpers.ts';

const v = WASI_P2_VERSION;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('createWasiP2 keys', () => {
  it('keys every interface at the shim version and serves any @0.2.x import', () => {
    const keys = Object.keys(createWasiP2(makeCli(capture())));
    expect(keys).toContain(`wasi:cli/stdout@${v}`);
    expect(keys).toContain(`wasi:io/streams@${v}`);
    expect(keys).toContain(`wasi:filesystem/preopens@${v}`);
    expect(keys).toContain(`wasi:sockets/tcp@${v}`);
    expect(keys.every((k) => k.endsWith(`@${v}`))).toBe(true);
    expect(keys.some((k) => k.startsWith('wasi:http/'))).toBe(false);
    expect(findImportKey('wasi:cli/stdout@0.2.12', keys)).toBe(`wasi:cli/stdout@${v}`);
    expect(findImportKey('wasi:io/poll@0.2.0', keys)).toBe(`wasi:io/poll@${v}`);
    expect(findImportKey('wasi:cli/stdout@0.3.0', keys)).toBeUndefined();
  });

  it('adds wasi:http only when asked', () => {
    const keys = Object.keys(createWasiP2(makeCli(capture()), { http: true }));
    expect(keys).toContain(`wasi:http/types@${v}`);
    expect(keys).toContain(`wasi:http/outgoing-handler@${v}`);
  });
});

describe('wasi:cli@0.2', () => {
  it('serves args, env, cwd and exit from the resolved options', () => {
    const c = capture();
    const imps = createWasiP2(makeCli(c, { args: ['prog', 'x y'], env: [['A', '1']], cwd: '/work' })) as any;
    const envi = imps[`wasi:cli/environment@${v}`];
    expect(envi.getArguments()).toEqual(['prog', 'x y']);
    expect(envi.getEnvironment()).toEqual([['A', '1']]);
    expect(envi.initialCwd()).toBe('/work');
    const exit = imps[`wasi:cli/exit@${v}`];
    expect(thrown(() => exit.exit({ tag: 'err' }))).toEqual(new ExitCalled(1));
    expect(thrown(() => exit.exit({ tag: 'ok' })).code).toBe(0);
    expect(thrown(() => exit.exitWithCode(42)).code).toBe(42);
  });

  it('keeps each call isolated (no process-global configuration)', () => {
    const a = createWasiP2(makeCli(capture(), { args: ['a'] })) as any;
    const b = createWasiP2(makeCli(capture(), { args: ['b'] })) as any;
    expect(a[`wasi:cli/environment@${v}`].getArguments()).toEqual(['a']);
    expect(b[`wasi:cli/environment@${v}`].getArguments()).toEqual(['b']);
  });

  it('reports terminals as the options say', () => {
    const imps = createWasiP2(makeCli(capture(), { terminal: { stdout: true } })) as any;
    expect(imps[`wasi:cli/terminal-stdout@${v}`].getTerminalStdout()).toBeInstanceOf(
      imps[`wasi:cli/terminal-output@${v}`].TerminalOutput,
    );
    expect(imps[`wasi:cli/terminal-stderr@${v}`].getTerminalStderr()).toBeUndefined();
    expect(imps[`wasi:cli/terminal-stdin@${v}`].getTerminalStdin()).toBeUndefined();
  });
});

describe('stdout/stderr output-streams', () => {
  it('are the shim classes, and write to the shared sinks in call order', () => {
    const c = capture();
    const cli = makeCli(c);
    const imps = createWasiP2(cli) as any;
    const out = imps[`wasi:cli/stdout@${v}`].getStdout();
    const err = imps[`wasi:cli/stderr@${v}`].getStderr();
    expect(out).toBeInstanceOf(streams.OutputStream);
    expect(out.checkWrite()).toBeTypeOf('bigint');
    out.blockingWriteAndFlush(enc('one '));
    cli.stdout.write(enc('(0.3) ')); // what the 0.3 host does with the same sink
    err.write(enc('oops'));
    out.write(enc('two'));
    out.writeZeroes(2n);
    expect(c.log).toEqual([
      ['stdout', 'one '],
      ['stdout', '(0.3) '],
      ['stderr', 'oops'],
      ['stdout', 'two'],
      ['stdout', '\0\0'],
    ]);
    const p = out.subscribe();
    expect(p).toBeInstanceOf(shimPoll.Pollable);
    expect(p.ready()).toBe(true);
    expect(Array.from(imps[`wasi:io/poll@${v}`].poll([p]))).toEqual([0]);
  });

  it('fail the next operation after the sink rejects; EPIPE closes the stream', async () => {
    let fail: unknown;
    const cli = makeCli(capture(), {
      stdout: { write: () => Promise.reject(fail) },
      stderr: {
        write: () => {
          throw Object.assign(new Error('gone'), { code: 'EPIPE' });
        },
      },
    });
    const imps = createWasiP2(cli) as any;
    const out = imps[`wasi:cli/stdout@${v}`].getStdout();
    fail = new Error('disk full');
    out.write(enc('x'));
    await new Promise((r) => setTimeout(r, 0));
    const e = thrown(() => out.write(enc('y')));
    expect(e.tag).toBe('last-operation-failed');
    expect(e.val).toBeInstanceOf(shimError.Error);
    expect(e.val.toDebugString()).toBe('disk full');
    expect(thrown(() => out.checkWrite())).toEqual({ tag: 'closed' });
    const err = imps[`wasi:cli/stderr@${v}`].getStderr();
    expect(thrown(() => err.blockingWriteAndFlush(enc('z')))).toEqual({ tag: 'closed' });
  });
});

describe('stdin input-stream', () => {
  it('reads a synchronous source without waiting, then reports closed', () => {
    const imps = createWasiP2(makeCli(capture(), { stdin: syncSource('hello world') })) as any;
    const inp = imps[`wasi:cli/stdin@${v}`].getStdin();
    expect(inp).toBeInstanceOf(streams.InputStream);
    expect(dec(inp.blockingRead(5n))).toBe('hello');
    expect(inp.skip(1n)).toBe(1n);
    expect(dec(inp.read(100n))).toBe('world');
    expect(thrown(() => inp.blockingRead(10n))).toEqual({ tag: 'closed' });
  });

  it('pulls an async source: read returns nothing yet, then the bytes; blocking-read returns a Promise', async () => {
    async function* src() {
      yield enc('ab');
      yield enc('cd');
    }
    const imps = createWasiP2(makeCli(capture(), { stdin: src() })) as any;
    const inp = imps[`wasi:cli/stdin@${v}`].getStdin();
    const pollable = inp.subscribe();
    expect(inp.read(10n)).toEqual(new Uint8Array(0));
    await new Promise((r) => setTimeout(r, 0));
    expect(pollable.ready()).toBe(true);
    expect(imps[`wasi:io/poll@${v}`].poll([pollable])).toEqual([0]);
    expect(dec(inp.read(1n))).toBe('a');
    expect(dec(inp.blockingRead(10n))).toBe('b');
    const p = inp.blockingRead(10n);
    expect(p).toBeInstanceOf(Promise);
    expect(dec(await p)).toBe('cd');
    await expect(inp.blockingRead(10n)).rejects.toEqual({ tag: 'closed' });
  });
});
