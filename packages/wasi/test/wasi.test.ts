// createWasi serves 0.3 and 0.2 components from one import object.

import { readFileSync } from 'node:fs';
import { Component } from '@weft/core';
import { CaptureSink, createWasi, createWasiHost, VirtualClock } from '@weft/wasi';
import { MemoryBackend } from '@weft/wasi-fs';
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

  it('serves one set of preopens to wasi:filesystem 0.3 and 0.2', async () => {
    const imports = createWasi({ stdout: 'ignore', preopens: { '/data': new MemoryBackend() } }) as Record<string, any>;
    const p2Key = Object.keys(imports).find((k) => k.startsWith('wasi:filesystem/preopens@0.2.'))!;
    const [[d3, name3]] = imports['wasi:filesystem/preopens@0.3.0'].getDirectories();
    const [[d2, name2]] = imports[p2Key].getDirectories();
    expect([name3, name2]).toEqual(['/data', '/data']);
    // A file made through 0.3 is there for 0.2, and the other way round.
    d3.openAt({}, 'from-p3', { create: true }, { write: true });
    d2.createDirectoryAt('from-p2');
    expect(d2.statAt({}, 'from-p3').type).toBe('regular-file');
    expect(d3.statAt({}, 'from-p2').type).toEqual({ tag: 'directory' });
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

describe('one clock and one random source for WASI 0.2 and 0.3', () => {
  const quiet = { stdout: 'ignore', stderr: 'ignore', stdin: 'ignore' } as const;
  const key02 = (imports: Record<string, unknown>, prefix: string) =>
    imports[Object.keys(imports).find((k) => k.startsWith(prefix))!] as Record<string, any>;

  it('a componentize-qjs command reads the virtual clock through its libc (wall-clock@0.2)', async () => {
    const clock = new VirtualClock({ systemStart: 1_234_567_000_000_000n });
    const stdout = new CaptureSink();
    const host = createWasiHost({ ...quiet, stdout, args: ['hello', 'now'], clocks: { virtual: clock } });
    const instance = await (await Component.compile(guest('qjs-hello.wasm'))).instantiate(host.imports);
    expect(await host.run(instance)).toBe(0);
    expect(stdout.text()).toBe('1234567000\n');
  });

  it('monotonic-clock@0.2 follows the virtual clock; its pollables wait for it', async () => {
    const clock = new VirtualClock({ start: 100n });
    const imports = createWasi({ ...quiet, clocks: { virtual: clock } });
    const mono = key02(imports, 'wasi:clocks/monotonic-clock@0.2.');
    expect(mono.now()).toBe(100n);
    const p = mono.subscribeDuration(50n);
    expect(p.ready()).toBe(false);
    const blocked = p.block();
    expect(blocked).toBeInstanceOf(Promise);
    let woke = false;
    void blocked.then(() => (woke = true));
    clock.advance(49n);
    await new Promise((r) => setTimeout(r, 1));
    expect(woke).toBe(false);
    clock.advance(1n);
    await blocked;
    expect(p.ready()).toBe(true);
    expect(mono.subscribeInstant(0n).block()).toBeUndefined();
    const poll = key02(imports, 'wasi:io/poll@0.2.').poll;
    const later = mono.subscribeDuration(10n);
    const waiting = poll([later, mono.subscribeDuration(5n)]);
    clock.advance(5n);
    expect(await waiting).toEqual([1]);
  });

  it('a seed makes 0.2 and 0.3 draw from one generator; insecure-seed is one pair', () => {
    const imports = createWasi({ ...quiet, random: { seed: 42 } });
    const replay = createWasi({ ...quiet, random: { seed: 42 } });
    const r02 = key02(imports, 'wasi:random/random@0.2.');
    const r03 = imports['wasi:random/random@0.3.0'] as Record<string, any>;
    // alternate versions: the sequence is the same as one version's alone
    const mixed = [r02.getRandomU64(), r03.getRandomU64(), r02.getRandomU64()];
    const alone = (replay['wasi:random/random@0.3.0'] as Record<string, any>).getRandomU64;
    expect(mixed).toEqual([alone(), alone(), alone()]);
    const seed03 = (imports['wasi:random/insecure-seed@0.3.0'] as Record<string, any>).getInsecureSeed();
    expect(key02(imports, 'wasi:random/insecure-seed@0.2.').insecureSeed()).toEqual(seed03);
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
    // Of the 0.3 packages, only those it imports are built (and wasi:cli, which runs it).
    const pkg = (name: string) => name.slice(0, name.indexOf('/'));
    const imported = new Set([...component.type.imports.keys()].map(pkg));
    expect(new Set(Object.keys(host.imports).map(pkg))).toEqual(new Set([...imported, 'wasi:cli']));
    expect(imported.has('wasi:sockets')).toBe(false);
    expect(await host.run(await component.instantiate(host.imports))).toBe(0);
    expect(stdout.text()).toBe('hello from C\n');
    // Without names, every package.
    const all = Object.keys((await loadWasiHost({ ...quiet, p2: false })).imports).map(pkg);
    for (const p of ['wasi:cli', 'wasi:clocks', 'wasi:random', 'wasi:filesystem', 'wasi:http', 'wasi:sockets'])
      expect(all).toContain(p);
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
