// A real WASI 0.2 command (componentize-qjs, QuickJS's libc importing
// wasi:*@0.2.12) instantiated by Weft with createWasiP2 as its only imports.

import { readFileSync } from 'node:fs';
import { Component, ComponentError } from '@weft/core';
import { CaptureSink, resolveCliOptions } from '@weft/wasi-cli';
import { describe, expect, it } from 'vitest';
import { createWasiP2 } from '../src/index.ts';
import { capture, makeCli, syncSource } from './helpers.ts';

const guests = new URL('./guests/hello-p2/', import.meta.url);
const RUN = 'wasi:cli/run@0.2.12';

describe.each([
  ['hello-p2-sync.wasm', 'synchronous ABI (--sync)'],
  ['hello-p2.wasm', 'default runtime (async ABI built in)'],
])('%s — %s', (file) => {
  const compiled = Component.compile(readFileSync(new URL(file, guests)));

  it('imports only WASI 0.2 interfaces, all served', async () => {
    const component = await compiled;
    const imports = [...component.type.imports.keys()];
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.every((n) => /^wasi:[a-z-]+\/[a-z-]+@0\.2\.\d+$/.test(n))).toBe(true);
    expect(imports).toContain('wasi:cli/stdout@0.2.12');
    expect(imports).toContain('wasi:filesystem/types@0.2.12');
  });

  it('runs: args, env, cwd and interleaved stdout/stderr reach the shared sinks', async () => {
    const c = capture();
    const cli = makeCli(c, {
      args: ['hello', 'wörld', 'a b'],
      env: [
        ['HELLO_NAME', 'Weft'],
        ['OTHER', 'x'],
      ],
      cwd: '/home/guest',
    });
    const inst = await (await compiled).instantiate(createWasiP2(cli));
    expect(inst.exports[RUN].run()).toBeUndefined();
    expect(c.text('stdout')).toBe(
      [
        'args ["hello","wörld","a b"]',
        'env HELLO_NAME=Weft',
        'cwd /home/guest',
        'out 1',
        'out 2',
        'out 3',
        'done',
        '',
      ].join('\n'),
    );
    expect(c.text('stderr')).toBe('err 1\nerr 2\nerr 3\n');
    // One record per write, in the order the guest made them across both streams.
    expect(c.log.slice(3, 9)).toEqual([
      ['stdout', 'out 1\n'],
      ['stderr', 'err 1\n'],
      ['stdout', 'out 2\n'],
      ['stderr', 'err 2\n'],
      ['stdout', 'out 3\n'],
      ['stderr', 'err 3\n'],
    ]);
  });

  it('reports no cwd as none, and a failing run as a ComponentError', async () => {
    const c = capture();
    const inst = await (await compiled).instantiate(createWasiP2(makeCli(c, { args: ['hello', '--fail'] })));
    expect(() => inst.exports[RUN].run()).toThrow(ComponentError);
    expect(c.text('stdout')).toContain('cwd (none)\n');
    expect(c.text('stdout')).not.toContain('done');
  });

  it('echoes stdin read through wasi:io/streams blocking-read', async () => {
    const c = capture();
    const text = `line one\nsecond ✓\n${'z'.repeat(200_000)}\n`;
    const cli = makeCli(c, { args: ['hello', '--cat'], stdin: syncSource(text) });
    const inst = await (await compiled).instantiate(createWasiP2(cli));
    inst.exports[RUN].run();
    const out = c.text('stdout');
    expect(out.endsWith(`${text}done\n`)).toBe(true);
  });

  it('runs with options resolved by @weft/wasi-cli (the sinks the 0.3 host shares)', async () => {
    const out = new CaptureSink();
    const err = new CaptureSink();
    const cli = resolveCliOptions({
      args: ['app', '--flag'],
      env: { HELLO_X: '1', UNSET: undefined },
      stdin: 'ignore',
      stdout: out,
      stderr: err,
    });
    const inst = await (await compiled).instantiate(createWasiP2(cli));
    inst.exports[RUN].run();
    cli.stdout.write(new TextEncoder().encode('after (0.3 side)\n'));
    expect(out.text()).toBe(
      'args ["app","--flag"]\nenv HELLO_X=1\ncwd (none)\nout 1\nout 2\nout 3\ndone\nafter (0.3 side)\n',
    );
    expect(err.text()).toBe('err 1\nerr 2\nerr 3\n');
  });
});
