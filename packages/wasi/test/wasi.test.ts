// createWasi serves 0.3 and 0.2 components from one import object.

import { readFileSync } from 'node:fs';
import { Component } from '@weft/core';
import { CaptureSink, createWasi, createWasiHost, VirtualClock } from '@weft/wasi';
import { describe, expect, it } from 'vitest';

const guest = (name: string) => readFileSync(new URL(`../../wasi-cli/test/guests/${name}`, import.meta.url));

describe('createWasi', () => {
  it('keys every interface by full name at 0.3.0 and 0.2.x', () => {
    const imports = createWasi({ stdout: 'ignore', stderr: 'ignore', stdin: 'ignore' });
    for (const k of [
      'wasi:cli/environment@0.3.0',
      'wasi:cli/exit@0.3.0',
      'wasi:cli/stdin@0.3.0',
      'wasi:cli/stdout@0.3.0',
      'wasi:cli/stderr@0.3.0',
      'wasi:cli/terminal-stdout@0.3.0',
      'wasi:clocks/monotonic-clock@0.3.0',
      'wasi:clocks/system-clock@0.3.0',
      'wasi:random/random@0.3.0',
    ])
      expect(imports[k], k).toBeTypeOf('object');
    expect(Object.keys(imports).some((k) => k.startsWith('wasi:cli/stdout@0.2.'))).toBe(true);
    expect(Object.keys(imports).some((k) => k.startsWith('wasi:io/streams@0.2.'))).toBe(true);
  });

  it('runs the 0.3 C command with a virtual clock', async () => {
    const clock = new VirtualClock();
    const stdout = new CaptureSink();
    const host = createWasiHost({
      args: ['c', 'sleep', '5000'],
      stdout,
      stderr: 'ignore',
      stdin: 'ignore',
      clocks: { virtual: clock },
    });
    const instance = await (await Component.compile(guest('command.wasm'))).instantiate(host.imports);
    const done = host.run(instance);
    // The guest is parked in wait-for until the virtual clock passes 5 s.
    await new Promise((r) => setTimeout(r, 20));
    expect(stdout.text()).toBe('');
    clock.advance(5_000_000_000n);
    expect(await done).toBe(0);
    expect(stdout.text()).toBe('slept 5000 ms\n');
  });

  it('runs a componentize-qjs command (WASI 0.2 through libc)', async () => {
    const stdout = new CaptureSink();
    const host = createWasiHost({ args: ['hello'], stdout, stderr: 'ignore', stdin: 'ignore' });
    const instance = await (await Component.compile(guest('qjs-hello.wasm'))).instantiate(host.imports);
    expect(await host.run(instance)).toBe(0);
    expect(stdout.text()).toBe('hello from componentize-qjs\n');
  });
});

describe('loadWasiHost (@weft/wasi/load)', () => {
  const quiet = { stdout: 'ignore', stderr: 'ignore', stdin: 'ignore' } as const;
  const has02 = (imports: Record<string, unknown>) => Object.keys(imports).some((k) => k.includes('@0.2.'));

  it('leaves WASI 0.2 out for a component that imports only 0.3', async () => {
    const { loadWasiHost, importsWasiP2 } = await import('@weft/wasi/load');
    const component = await Component.compile(guest('command.wasm'));
    expect(importsWasiP2(component.type.imports.keys())).toBe(false);
    const stdout = new CaptureSink();
    const host = await loadWasiHost({ ...quiet, stdout, args: ['c', 'hello'] }, component.type.imports.keys());
    expect(has02(host.imports)).toBe(false);
    expect(await host.run(await component.instantiate(host.imports))).toBe(0);
    expect(stdout.text()).toBe('hello from C\n');
  });

  it('adds WASI 0.2 when the component imports it, or when no names are given', async () => {
    const { loadWasiHost } = await import('@weft/wasi/load');
    const component = await Component.compile(guest('qjs-hello.wasm'));
    const stdout = new CaptureSink();
    const host = await loadWasiHost({ ...quiet, stdout, args: ['hello'] }, component.type.imports.keys());
    expect(has02(host.imports)).toBe(true);
    expect(await host.run(await component.instantiate(host.imports))).toBe(0);
    expect(stdout.text()).toBe('hello from componentize-qjs\n');
    expect(has02((await loadWasiHost(quiet)).imports)).toBe(true);
    expect(has02((await loadWasiHost({ ...quiet, p2: false })).imports)).toBe(false);
  });
});
