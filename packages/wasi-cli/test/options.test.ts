// resolveCliOptions, sinks, sources and the terminal interfaces, without a guest.

import { createCli, createCliHost, resolveCliOptions, WasiExit } from '@weft/wasi-cli';
import { describe, expect, it } from 'vitest';
import { TerminalInput, TerminalOutput } from '../src/terminal.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('resolveCliOptions', () => {
  it('normalises args, env and cwd', () => {
    const r = resolveCliOptions({
      args: ['a', 'b'],
      env: { X: '1', GONE: undefined },
      cwd: '/w',
      stdout: 'ignore',
      stderr: 'ignore',
    });
    expect(r.args).toEqual(['a', 'b']);
    expect(r.env).toEqual([['X', '1']]);
    expect(r.cwd).toBe('/w');
    expect(() => r.exit(3)).toThrow(WasiExit);
  });

  it('shares one stdin between readers: a second reader continues where the first stopped', async () => {
    const r = resolveCliOptions({ stdin: [bytes('one'), bytes('two'), bytes('three')], stdout: 'ignore' });
    const first: string[] = [];
    for await (const c of r.stdin) {
      first.push(text(c));
      break;
    }
    const rest: string[] = [];
    for await (const c of r.stdin) rest.push(text(c));
    expect(first).toEqual(['one']);
    expect(rest).toEqual(['two', 'three']);
  });

  it('accepts functions, Web WritableStreams and ByteSinks as outputs', async () => {
    const seen: string[] = [];
    const viaFn = resolveCliOptions({ stdout: (c) => void seen.push(`fn:${text(c)}`) });
    await viaFn.stdout.write(bytes('a'));
    const ws = new WritableStream<Uint8Array>({ write: (c) => void seen.push(`web:${text(c)}`) });
    const viaWeb = resolveCliOptions({ stdout: ws });
    await viaWeb.stdout.write(bytes('b'));
    await viaWeb.stdout.flush?.();
    expect(seen).toEqual(['fn:a', 'web:b']);
  });
});

describe('createCli', () => {
  it('offers every wasi:cli@0.3.0 interface', () => {
    const imports = createCli({ stdout: 'ignore', stderr: 'ignore', stdin: 'ignore' });
    expect(Object.keys(imports).sort()).toEqual(
      [
        'environment',
        'exit',
        'stderr',
        'stdin',
        'stdout',
        'terminal-input',
        'terminal-output',
        'terminal-stderr',
        'terminal-stdin',
        'terminal-stdout',
        'types',
      ].map((i) => `wasi:cli/${i}@0.3.0`),
    );
  });

  it('reports terminals as configured', () => {
    const { imports } = createCliHost({
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
      terminal: { stdout: true },
    });
    expect((imports['wasi:cli/terminal-stdout@0.3.0']!.getTerminalStdout as () => unknown)()).toBeInstanceOf(
      TerminalOutput,
    );
    expect((imports['wasi:cli/terminal-stderr@0.3.0']!.getTerminalStderr as () => unknown)()).toBeUndefined();
    expect((imports['wasi:cli/terminal-stdin@0.3.0']!.getTerminalStdin as () => unknown)()).toBeUndefined();
    const tty = createCliHost({ stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', terminal: { stdin: true } });
    expect((tty.imports['wasi:cli/terminal-stdin@0.3.0']!.getTerminalStdin as () => unknown)()).toBeInstanceOf(
      TerminalInput,
    );
  });

  it('exit and exit-with-code call the exit hook', () => {
    const codes: number[] = [];
    const { imports } = createCliHost({
      stdout: 'ignore',
      exit: ((c: number) => void codes.push(c)) as (c: number) => never,
    });
    const exit = imports['wasi:cli/exit@0.3.0'] as { exit(s: { tag: string }): void; exitWithCode(c: number): void };
    exit.exit({ tag: 'ok' });
    exit.exit({ tag: 'err' });
    exit.exitWithCode(200);
    expect(codes).toEqual([0, 1, 200]);
  });
});
