// The browser entry (src/browser.ts): memoryTree, and preopens that take Backends only.

import { describe, expect, it } from 'vitest';
import * as browser from '../src/browser.ts';
import { createFilesystem, FsError, MemoryBackend, memoryTree, readAt, resolvePreopens } from '../src/browser.ts';

const td = new TextDecoder();

describe('memoryTree', () => {
  it('fills a MemoryBackend: strings as UTF-8, bytes as given, objects as directories', () => {
    const fs = memoryTree({ 'hello.txt': 'hé', bin: { 'a.bin': new Uint8Array([0, 255]), empty: {} } });
    const root = fs.root();
    expect(fs.readDirectory(root).map((e) => [e.name, e.type])).toEqual([
      ['bin', 'directory'],
      ['hello.txt', 'regular-file'],
    ]);
    const f = fs.openAt(root, 'hello.txt', {}, {}, { read: true });
    expect(td.decode(readAt(fs, f, 0n, 64))).toBe('hé');
    const b = fs.openAt(root, 'bin/a.bin', {}, {}, { read: true });
    expect(readAt(fs, b, 0n, 64)).toEqual(new Uint8Array([0, 255]));
    expect(fs.statAt(root, {}, 'bin/empty').type).toBe('directory');
    // The tree is writable as any MemoryBackend.
    fs.createDirectoryAt(root, 'new');
    expect(fs.usedBytes).toBe(5);
  });

  it('counts files against the quota and refuses names that are not one component', () => {
    expect(() => memoryTree({ big: new Uint8Array(10) }, { quota: 4 })).toThrow(FsError);
    for (const name of ['', '.', '..', 'a/b', 'nul\0'])
      expect(() => memoryTree({ [name]: 'x' }), JSON.stringify(name)).toThrow(TypeError);
    expect(() => memoryTree({ n: 5 as unknown as string })).toThrow(/must be a string, a Uint8Array or an object/);
    expect(() => memoryTree({ d: { n: null as unknown as string } })).toThrow(TypeError);
  });
});

describe('browser preopens', () => {
  it('take Backends, as a record or a list, and refuse host paths with a reason', () => {
    const a = new MemoryBackend();
    const b = memoryTree({});
    expect(resolvePreopens({ '/a': a, '/b': b })).toEqual([
      { guestPath: '/a', backend: a },
      { guestPath: '/b', backend: b },
    ]);
    expect(resolvePreopens([{ guestPath: '/x', backend: a }])).toEqual([{ guestPath: '/x', backend: a }]);
    expect(resolvePreopens(undefined)).toEqual([]);
    expect(() => resolvePreopens({ '/': './dir' })).toThrow(/"\/": a host directory needs Node/);
    expect(() => createFilesystem({ preopens: { '/': {} as MemoryBackend } })).toThrow(TypeError);
    const imports = createFilesystem({ preopens: { '/data': b } });
    const [[dir, name]] = imports['wasi:filesystem/preopens@0.3.0'].getDirectories();
    expect(name).toBe('/data');
    expect(dir).toBeInstanceOf(browser.Descriptor);
  });

  it('the entry has no NodeBackend', () => {
    expect('NodeBackend' in browser).toBe(false);
    expect(browser.OverlayBackend).toBeTypeOf('function');
  });
});
