// The wasi:filesystem@0.3.0 bindings driven from the host side, on both backends: the
// descriptor methods' results and error codes, and the stream transfers with their futures.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ComponentError, stream } from '@weft/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Backend,
  createFilesystem,
  type Descriptor,
  MemoryBackend,
  NodeBackend,
  OverlayBackend,
} from '../src/index.ts';

const te = new TextEncoder();
const td = new TextDecoder();
const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-p3-'));
  temps.push(d);
  return d;
}

/** The guest-visible error of a call: the `error-code` case it threw. */
function err(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ComponentError) return (e.payload as { tag: string }).tag;
    throw e;
  }
  throw new Error('expected an error');
}
async function rejection(p: PromiseLike<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return ((e as ComponentError).payload as { tag: string }).tag;
  }
  return 'ok';
}

/** Drains a read-via-stream source as the core would: synchronous reads into a buffer. */
function drain(src: { readSyncInto(t: Uint8Array): number | null }, chunk = 4): string {
  let out = '';
  const buf = new Uint8Array(chunk);
  for (;;) {
    const n = src.readSyncInto(buf);
    if (n === null) return out;
    out += td.decode(buf.subarray(0, n));
  }
}

const u8 = { kind: 'u8' } as const;
const RW = { read: true, write: true };
const NONE = {};

const backends: [string, () => Backend][] = [
  ['memory', () => new MemoryBackend()],
  ['node', () => new NodeBackend(tempDir())],
  ['overlay', () => new OverlayBackend(new MemoryBackend(), new NodeBackend(tempDir()))],
];

describe.each(backends)('wasi:filesystem@0.3.0 on the %s backend', (_name, make) => {
  function setup(): Descriptor {
    const imports = createFilesystem({ preopens: { '/': make() } });
    const dirs = imports['wasi:filesystem/preopens@0.3.0'].getDirectories();
    expect(dirs.map(([, p]) => p)).toEqual(['/']);
    return dirs[0]![0];
  }
  async function file(root: Descriptor, name: string, text: string): Promise<Descriptor> {
    const f = root.openAt(NONE, name, { create: true }, RW);
    await f.writeViaStream(fromText(text), 0n);
    return f;
  }
  function fromText(text: string) {
    const { reader, writer } = stream<number>(u8);
    writer.write(te.encode(text)).then(() => writer.close());
    return reader;
  }

  it('types, flags and stats cross as the 0.3 WIT spells them', async () => {
    const root = setup();
    expect(root.getType()).toEqual({ tag: 'directory' });
    expect(root.getFlags()).toEqual(expect.objectContaining({ read: true, mutateDirectory: true }));
    const f = root.openAt(NONE, 'a.txt', { create: true }, {});
    expect(f.getFlags()).toEqual(expect.objectContaining({ read: true, write: true }));
    expect(f.getType()).toEqual({ tag: 'regular-file' });
    expect(await rejection(f.writeViaStream(fromText('hello'), 0n))).toBe('ok');
    const st = root.statAt({}, 'a.txt');
    expect(st.type).toEqual({ tag: 'regular-file' });
    expect(st.size).toBe(5n);
    expect(typeof st.dataModificationTimestamp?.seconds).toBe('bigint');
    root.setTimesAt({}, 'a.txt', { tag: 'no-change' }, { tag: 'timestamp', val: { seconds: 69n, nanoseconds: 0 } });
    expect(root.statAt({}, 'a.txt').dataModificationTimestamp).toEqual({ seconds: 69n, nanoseconds: 0 });
    expect(err(() => root.openAt(NONE, '../x', {}, {}))).toBe('not-permitted');
    expect(err(() => root.statAt({}, 'missing'))).toBe('no-entry');
    expect(() => f.advise(0n, 10n, 'sequential')).not.toThrow();
    expect(err(() => root.advise(0n, 10n, 'sequential'))).toBe('bad-descriptor');
  });

  it('read-via-stream reads from an offset to the end, then completes its future', async () => {
    const root = setup();
    const f = await file(root, 'a.txt', 'hello, world');
    const [src, fut] = f.readViaStream(7n);
    expect(drain(src)).toBe('world');
    expect(await rejection(fut)).toBe('ok');
    const [past, fut2] = f.readViaStream(100n);
    expect(drain(past)).toBe('');
    expect(await rejection(fut2)).toBe('ok');
  });

  it('read-via-stream fails its future at once on a directory or a write-only file', async () => {
    const root = setup();
    const [src, fut] = root.readViaStream(0n);
    expect(src.readSyncInto(new Uint8Array(4))).toBeNull();
    expect(await rejection(fut)).toBe('is-directory');
    const w = root.openAt(NONE, 'w', { create: true }, { write: true });
    expect(await rejection(w.readViaStream(0n)[1])).toBe('bad-descriptor');
  });

  it('a stream outlives its descriptor; a dropped stream completes its future', async () => {
    const root = setup();
    const f = await file(root, 'a.txt', 'abcdef');
    const [src, fut] = f.readViaStream(0n);
    f[Symbol.dispose]();
    expect(drain(src)).toBe('abcdef');
    expect(await rejection(fut)).toBe('ok');
    const g = root.openAt(NONE, 'a.txt', {}, { read: true });
    const [early, fut2] = g.readViaStream(0n);
    await early[Symbol.asyncIterator]().return?.();
    expect(await rejection(fut2)).toBe('ok');
  });

  it('write-via-stream writes at the offset; append-via-stream at the end', async () => {
    const root = setup();
    const f = root.openAt(NONE, 'a.txt', { create: true }, RW);
    expect(await rejection(f.writeViaStream(fromText('0123456789'), 0n))).toBe('ok');
    expect(await rejection(f.writeViaStream(fromText('AB'), 3n))).toBe('ok');
    expect(await rejection(f.appendViaStream(fromText('!')))).toBe('ok');
    expect(drain(f.readViaStream(0n)[0])).toBe('012AB56789!');
    const ro = root.openAt(NONE, 'a.txt', {}, { read: true });
    const reader = fromText('nope');
    expect(await rejection(ro.writeViaStream(reader, 0n))).toBe('bad-descriptor');
    expect(await rejection(root.writeViaStream(fromText('x'), 0n))).toBe('is-directory');
    expect(drain(f.readViaStream(0n)[0])).toBe('012AB56789!');
  });

  it('write-via-stream waits for each chunk to reach the backend before taking the next', async () => {
    const root = setup();
    const f = root.openAt(NONE, 'big', { create: true }, RW);
    const { reader, writer } = stream<number>(u8);
    const done = f.writeViaStream(reader, 0n);
    const chunk = new Uint8Array(1 << 20).fill(7);
    for (let i = 0; i < 4; i++) await writer.write(chunk);
    await writer.close();
    expect(await rejection(done)).toBe('ok');
    expect(f.stat().size).toBe(4n << 20n);
  });

  it('read-directory lists entries with their types, sorted', async () => {
    const root = setup();
    root.createDirectoryAt('sub');
    root.openAt(NONE, 'b.txt', { create: true }, {});
    root.symlinkAt('b.txt', 'link');
    const [entries, fut] = root.readDirectory();
    expect([...entries]).toEqual([
      { name: 'b.txt', type: { tag: 'regular-file' } },
      { name: 'link', type: { tag: 'symbolic-link' } },
      { name: 'sub', type: { tag: 'directory' } },
    ]);
    expect(await rejection(fut)).toBe('ok');
    const f = root.openAt(NONE, 'b.txt', {}, {});
    expect(await rejection(f.readDirectory()[1])).toBe('not-directory');
  });

  it('descriptors of two backends: rename and link are cross-device, is-same-object false', () => {
    const root = setup();
    const other = createFilesystem({ preopens: { '/o': new MemoryBackend() } })[
      'wasi:filesystem/preopens@0.3.0'
    ].getDirectories()[0]![0];
    root.openAt(NONE, 'f', { create: true }, {});
    expect(err(() => root.renameAt('f', other, 'g'))).toBe('cross-device');
    expect(err(() => root.linkAt({}, 'f', other, 'g'))).toBe('cross-device');
    expect(root.isSameObject(other)).toBe(false);
    const again = root.openAt(NONE, '.', {}, {});
    expect(root.isSameObject(again)).toBe(true);
  });
});
