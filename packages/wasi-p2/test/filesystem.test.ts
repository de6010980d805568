// wasi:filesystem@0.2 host objects, driven directly, on both backends of
// @weft/wasi-fs: every descriptor method, the file streams, error codes, and
// preview2-shim's escape replayed against the host objects.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { error as shimError, poll as shimPoll, streams } from '@bytecodealliance/preview2-shim/io';
import { ComponentError } from '@weft/core';
import { type Backend, MemoryBackend, NodeBackend, type Preopen } from '@weft/wasi-fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createWasiP2, WASI_P2_VERSION, type WasiP2Options } from '../src/index.ts';
import { capture, makeCli } from './helpers.ts';

const v = WASI_P2_VERSION;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The error-code a call failed with (a ComponentError's payload), or 'ok'. */
function code(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof ComponentError) return e.payload as string;
    throw e;
  }
}

/** What a stream call threw (its stream-error). */
function streamErr(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a stream-error');
}

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-p2-fs-'));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function host(preopens: WasiP2Options['preopens']) {
  const imps = createWasiP2(makeCli(capture()), { preopens }) as any;
  return {
    types: imps[`wasi:filesystem/types@${v}`],
    getDirectories: imps[`wasi:filesystem/preopens@${v}`].getDirectories as () => [any, string][],
  };
}

const R = { read: true };
const RW = { read: true, write: true };
const DIR = { read: true, mutateDirectory: true };
const FOLLOW = { symlinkFollow: true };
const NOFOLLOW = { symlinkFollow: false };

describe.each([
  ['MemoryBackend', (): Backend => new MemoryBackend()],
  ['NodeBackend', (): Backend => new NodeBackend(tempDir())],
])('wasi:filesystem@0.2 on %s', (_name, make) => {
  let backend: Backend;
  let fs: ReturnType<typeof host>;
  let root: any;
  beforeEach(() => {
    backend = make();
    fs = host([{ guestPath: '/data', backend }]);
    root = fs.getDirectories()[0]![0];
  });

  function create(path: string, text: string): any {
    const f = root.openAt(FOLLOW, path, { create: true, truncate: true }, RW);
    f.write(enc(text), 0n);
    return f;
  }

  it('get-directories hands out a fresh root descriptor per call, with the guest path', () => {
    const [[a, name]] = fs.getDirectories() as [[any, string]];
    const [[b]] = fs.getDirectories() as [[any, string]];
    expect(name).toBe('/data');
    expect(a).toBeInstanceOf(fs.types.Descriptor);
    expect(a).not.toBe(b);
    expect(a.isSameObject(b)).toBe(true);
    expect(a.getType()).toBe('directory');
    expect(a.getFlags()).toMatchObject({ read: true, mutateDirectory: true });
    // Dropping one closes only its handle.
    a[Symbol.dispose]();
    expect(code(() => a.stat())).toBe('bad-descriptor');
    expect(b.stat().type).toBe('directory');
  });

  it('open-at, write, read (with the end-of-file flag), stat, set-size', () => {
    const f = create('a.txt', 'hello world');
    expect(f.getType()).toBe('regular-file');
    expect(f.write(enc('HELLO'), 0n)).toBe(5n);
    expect(f.read(5n, 6n).map((x: unknown) => (x instanceof Uint8Array ? dec(x) : x))).toEqual(['world', false]);
    const [tail, eof] = f.read(100n, 6n);
    expect([dec(tail), eof]).toEqual(['world', true]);
    expect(f.read(10n, 1000n)).toEqual([new Uint8Array(0), true]);
    const st = f.stat();
    expect(st).toMatchObject({ type: 'regular-file', size: 11n });
    expect(st.linkCount).toBeTypeOf('bigint');
    expect(st.dataModificationTimestamp.seconds).toBeTypeOf('bigint');
    f.setSize(3n);
    expect(dec(f.read(100n, 0n)[0])).toBe('HEL');
    expect(root.statAt(FOLLOW, 'a.txt').size).toBe(3n);
    // One read returns at most 1 MiB, whatever length the guest asks for.
    f.setSize(3n << 20n);
    const [big, more] = f.read(1n << 40n, 0n);
    expect(big.length).toBe(1 << 20);
    expect(more).toBe(false);
  });

  it('read-via-stream reads at a moving offset, then reports closed', () => {
    create('s.txt', 'abcdefghij');
    const f = root.openAt(FOLLOW, 's.txt', {}, R);
    const s = f.readViaStream(2n);
    expect(s).toBeInstanceOf(streams.InputStream);
    expect(dec(s.read(3n))).toBe('cde');
    expect(s.skip(2n)).toBe(2n);
    expect(dec(s.blockingRead(100n))).toBe('hij');
    const p = s.subscribe();
    expect(p).toBeInstanceOf(shimPoll.Pollable);
    expect(p.ready()).toBe(true);
    expect(streamErr(() => s.read(1n))).toEqual({ tag: 'closed' });
    expect(streamErr(() => s.blockingRead(1n))).toEqual({ tag: 'closed' });
    // The stream keeps the file open after its descriptor is dropped.
    const s2 = f.readViaStream(0n);
    f[Symbol.dispose]();
    expect(dec(s2.blockingRead(4n))).toBe('abcd');
    expect(code(() => f.stat())).toBe('bad-descriptor');
    expect(code(() => f.readViaStream(0n))).toBe('bad-descriptor');
    s2[Symbol.dispose]();
    s[Symbol.dispose]();
  });

  it('write-via-stream writes at a moving offset; append-via-stream at the end', () => {
    const f = create('w.txt', '0123456789');
    const out = f.writeViaStream(3n);
    expect(out).toBeInstanceOf(streams.OutputStream);
    expect(out.checkWrite()).toBe(1n << 20n);
    out.write(enc('ab'));
    out.blockingWriteAndFlush(enc('cd'));
    out.writeZeroes(1n);
    out.flush();
    expect(out.subscribe().ready()).toBe(true);
    expect(dec(f.read(100n, 0n)[0])).toBe('012abcd\u000089');
    const app = f.appendViaStream();
    app.write(enc('!'));
    f.write(enc('more'), 10n);
    app.blockingWriteAndFlush(enc('?'));
    expect(dec(f.read(100n, 0n)[0])).toBe('012abcd\u000089more?'); // 'more' overwrote the '!'
    // splice: from a file input-stream into the output-stream.
    const src = create('src.txt', 'spliced').readViaStream(0n);
    const o2 = root.openAt(FOLLOW, 'dst.txt', { create: true }, RW).writeViaStream(0n);
    expect(o2.splice(src, 3n)).toBe(3n);
    expect(o2.blockingSplice(src, 100n)).toBe(4n);
    expect(streamErr(() => o2.splice(src, 1n))).toEqual({ tag: 'closed' });
    expect(dec(root.openAt(FOLLOW, 'dst.txt', {}, R).read(100n, 0n)[0])).toBe('spliced');
    // A write-zeroes longer than check-write allows is the guest's bug: a trap, not a stream-error.
    expect(() => out.writeZeroes(2n << 20n)).toThrow(/exceeds check-write/);
  });

  it('streams refuse descriptors that cannot serve them', () => {
    create('r.txt', 'x');
    const ro = root.openAt(FOLLOW, 'r.txt', {}, R);
    expect(code(() => ro.writeViaStream(0n))).toBe('bad-descriptor');
    expect(code(() => ro.appendViaStream())).toBe('bad-descriptor');
    expect(code(() => ro.write(enc('y'), 0n))).toBe('bad-descriptor');
    const wo = root.openAt(FOLLOW, 'r.txt', {}, { write: true });
    expect(code(() => wo.readViaStream(0n))).toBe('bad-descriptor');
    expect(code(() => root.readViaStream(0n))).toBe('is-directory');
    expect(code(() => root.writeViaStream(0n))).toBe('is-directory');
    expect(code(() => root.read(1n, 0n))).toBe('is-directory');
    ro[Symbol.dispose]();
    expect(code(() => ro.readViaStream(0n))).toBe('bad-descriptor');
  });

  it('directories: create, list, rename, remove; read-directory-entry ends with none', () => {
    root.createDirectoryAt('d');
    create('d/b.txt', 'b');
    create('d/a.txt', 'a');
    root.createDirectoryAt('d/sub');
    const d = root.openAt(FOLLOW, 'd', { directory: true }, DIR);
    const list = d.readDirectory();
    expect(list).toBeInstanceOf(fs.types.DirectoryEntryStream);
    const names: unknown[] = [];
    for (let e = list.readDirectoryEntry(); e !== undefined; e = list.readDirectoryEntry()) names.push(e);
    expect(names).toEqual([
      { type: 'regular-file', name: 'a.txt' },
      { type: 'regular-file', name: 'b.txt' },
      { type: 'directory', name: 'sub' },
    ]);
    expect(list.readDirectoryEntry()).toBeUndefined();
    expect(code(() => root.createDirectoryAt('d'))).toBe('exist');
    expect(code(() => root.removeDirectoryAt('d'))).toBe('not-empty');
    expect(code(() => root.removeDirectoryAt('d/a.txt'))).toBe('not-directory');
    expect(code(() => root.unlinkFileAt('d/sub'))).toBe('is-directory');
    d.renameAt('a.txt', root, 'moved.txt');
    root.unlinkFileAt('d/b.txt');
    d.removeDirectoryAt('sub');
    root.removeDirectoryAt('d');
    expect(code(() => root.statAt(FOLLOW, 'd'))).toBe('no-entry');
    expect(dec(root.openAt(FOLLOW, 'moved.txt', {}, R).read(9n, 0n)[0])).toBe('a');
    expect(code(() => root.openAt(FOLLOW, 'moved.txt', { directory: true }, R))).toBe('not-directory');
    expect(code(() => root.openAt(FOLLOW, 'moved.txt', { create: true, exclusive: true }, RW))).toBe('exist');
    expect(code(() => root.openAt(FOLLOW, 'missing', {}, R))).toBe('no-entry');
  });

  it('symlinks and hard links: symlink-at, readlink-at, stat-at with and without follow, link-at', () => {
    create('t.txt', 'target');
    root.symlinkAt('t.txt', 'l');
    expect(root.readlinkAt('l')).toBe('t.txt');
    expect(root.statAt(NOFOLLOW, 'l').type).toBe('symbolic-link');
    expect(root.statAt(FOLLOW, 'l').type).toBe('regular-file');
    expect(code(() => root.openAt(NOFOLLOW, 'l', {}, R))).toBe('loop');
    expect(dec(root.openAt(FOLLOW, 'l', {}, R).read(10n, 0n)[0])).toBe('target');
    expect(code(() => root.readlinkAt('t.txt'))).toBe('invalid');
    root.linkAt(FOLLOW, 'l', root, 'hard');
    expect(root.statAt(NOFOLLOW, 'hard')).toMatchObject({ type: 'regular-file', linkCount: 2n });
    expect(code(() => root.linkAt(FOLLOW, 't.txt', root, 'hard'))).toBe('exist');
    root.createDirectoryAt('dir');
    expect(code(() => root.linkAt(FOLLOW, 'dir', root, 'dir2'))).toBe('not-permitted');
  });

  it('set-times and set-times-at take datetimes (nanoseconds past a second carry over)', () => {
    const f = create('time.txt', 't');
    const at = { seconds: 1_000_000n, nanoseconds: 5 };
    const mt = { seconds: 2_000_000n, nanoseconds: 7 };
    f.setTimes({ tag: 'timestamp', val: at }, { tag: 'timestamp', val: mt });
    let st = f.stat();
    expect(st.dataAccessTimestamp.seconds).toBe(1_000_000n);
    expect(st.dataModificationTimestamp.seconds).toBe(2_000_000n);
    root.setTimesAt(FOLLOW, 'time.txt', { tag: 'no-change' }, { tag: 'timestamp', val: at });
    st = root.statAt(FOLLOW, 'time.txt');
    expect(st.dataAccessTimestamp.seconds).toBe(1_000_000n);
    expect(st.dataModificationTimestamp.seconds).toBe(1_000_000n);
    f.setTimes({ tag: 'now' }, { tag: 'no-change' });
    expect(f.stat().dataAccessTimestamp.seconds).toBeGreaterThan(1_600_000_000n);
    const carry = { tag: 'timestamp', val: { seconds: 10n, nanoseconds: 1_500_000_000 } };
    root.setTimesAt(FOLLOW, 'time.txt', { tag: 'no-change' }, carry);
    expect(f.stat().dataModificationTimestamp).toEqual({ seconds: 11n, nanoseconds: 500_000_000 });
  });

  it('is-same-object, metadata-hash, metadata-hash-at, advise, sync, sync-data', () => {
    const f = create('h.txt', 'x');
    const g = root.openAt(FOLLOW, 'h.txt', {}, R);
    expect(f.isSameObject(g)).toBe(true);
    expect(f.isSameObject(root)).toBe(false);
    expect(f.metadataHash()).toEqual(g.metadataHash());
    expect(root.metadataHashAt(FOLLOW, 'h.txt')).toEqual(g.metadataHash());
    expect(root.metadataHash()).not.toEqual(g.metadataHash());
    expect(f.advise(0n, 1n, 'sequential')).toBeUndefined();
    expect(code(() => f.advise(1n << 63n, 1n << 63n, 'normal'))).toBe('invalid');
    expect(code(() => root.advise(0n, 1n, 'normal'))).toBe('bad-descriptor');
    expect(f.sync()).toBeUndefined();
    expect(f.syncData()).toBeUndefined();
    g[Symbol.dispose]();
    expect(f.isSameObject(g)).toBe(false); // a dropped descriptor is nothing: not an error (no result here)
    expect(code(() => g.advise(0n, 1n, 'normal'))).toBe('bad-descriptor');
  });

  it('errors are the backend codes: the sandbox and read-only rules hold', () => {
    create('in.txt', 'x');
    expect(code(() => root.openAt(FOLLOW, '../x', {}, R))).toBe('not-permitted');
    expect(code(() => root.statAt(FOLLOW, '..'))).toBe('not-permitted');
    expect(code(() => root.openAt(FOLLOW, '/etc/passwd', {}, R))).toBe('not-permitted');
    expect(code(() => root.symlinkAt('/etc', 'abs'))).toBe('not-permitted');
    root.symlinkAt('../../../../etc', 'out');
    expect(code(() => root.openAt(FOLLOW, 'out/hostname', {}, R))).toBe('not-permitted');
    expect(code(() => root.statAt(FOLLOW, 'out'))).toBe('not-permitted');
    expect(code(() => root.renameAt('in.txt', root, '../in.txt'))).toBe('not-permitted');
    expect(code(() => root.openAt(FOLLOW, '', {}, R))).toBe('no-entry');
    const ro = root.openAt(FOLLOW, '.', { directory: true }, R);
    expect(code(() => ro.createDirectoryAt('nope'))).toBe('read-only');
    expect(code(() => ro.openAt(FOLLOW, 'in.txt', {}, RW))).toBe('read-only');
    expect(code(() => ro.unlinkFileAt('in.txt'))).toBe('read-only');
  });

  it("replays preview2-shim's escape against the host objects: the held descriptor stays inside", () => {
    root.createDirectoryAt('sub');
    const sub = root.openAt(FOLLOW, 'sub', { directory: true }, DIR);
    root.renameAt('sub', root, 'sub-moved');
    root.symlinkAt('../../../../etc', 'sub');
    expect(code(() => sub.openAt(FOLLOW, 'hostname', {}, R))).toBe('no-entry');
    const made = sub.openAt(FOLLOW, 'pwned', { create: true }, RW);
    made.write(enc('inside'), 0n);
    expect(dec(root.openAt(FOLLOW, 'sub-moved/pwned', {}, R).read(10n, 0n)[0])).toBe('inside');
    expect(code(() => sub.openAt(FOLLOW, '../sub-moved', {}, R))).toBe('not-permitted');
  });

  it('descriptors of another backend: link-at and rename-at are cross-device, is-same-object false', () => {
    const other = host([{ guestPath: '/o', backend: new MemoryBackend() }]).getDirectories()[0]![0];
    create('c.txt', 'c');
    expect(code(() => root.renameAt('c.txt', other, 'c.txt'))).toBe('cross-device');
    expect(code(() => root.linkAt(FOLLOW, 'c.txt', other, 'c.txt'))).toBe('cross-device');
    expect(root.isSameObject(other)).toBe(false);
  });
});

describe('preopens option', () => {
  it('takes the shared Preopen list: what the other side writes, the 0.2 guest reads', () => {
    const backend = new MemoryBackend();
    const shared: Preopen[] = [
      { guestPath: '/a', backend },
      { guestPath: '/b', backend: new MemoryBackend() },
    ];
    const fs = host(shared);
    const dirs = fs.getDirectories();
    expect(dirs.map(([, p]) => p)).toEqual(['/a', '/b']);
    // e.g. the 0.3 bindings over the same Backend
    const h = backend.openAt(backend.root(), 'x', {}, { create: true }, { write: true });
    backend.write(h, 0n, enc('from 0.3'));
    expect(dec(dirs[0]![0].openAt(FOLLOW, 'x', {}, R).read(100n, 0n)[0])).toBe('from 0.3');
  });

  it('resolves { guestPath: hostPath | Backend } (host paths become NodeBackends)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.txt'), 'on disk');
    const fs = host({ '/host': dir, '/mem': new MemoryBackend() });
    const [[disk, p1], [mem, p2]] = fs.getDirectories() as [any, string][];
    expect([p1, p2]).toEqual(['/host', '/mem']);
    expect(dec(disk.openAt(FOLLOW, 'f.txt', {}, R).read(100n, 0n)[0])).toBe('on disk');
    mem.openAt(FOLLOW, 'new.txt', { create: true }, RW).write(enc('m'), 0n);
    expect(() => readFileSync(join(dir, 'new.txt'))).toThrow();
  });

  it('defaults to none; read-only backends give root descriptors without mutate-directory', () => {
    expect(host(undefined).getDirectories()).toEqual([]);
    const dir = tempDir();
    const [[ro]] = host({ '/ro': new NodeBackend(dir, { readOnly: true }) }).getDirectories() as [any, string][];
    expect(ro.getFlags()).toMatchObject({ read: true, mutateDirectory: false });
    expect(code(() => ro.createDirectoryAt('x'))).toBe('read-only');
  });

  it('leaves out a preopen whose directory was replaced', () => {
    const base = tempDir();
    const dir = join(base, 'p');
    mkdirSync(dir);
    const fs = host([
      { guestPath: '/p', backend: new NodeBackend(dir) },
      { guestPath: '/m', backend: new MemoryBackend() },
    ]);
    rmSync(dir, { recursive: true });
    symlinkSync(tmpdir(), dir);
    expect(fs.getDirectories().map(([, p]) => p)).toEqual(['/m']);
  });
});

describe('backend handles', () => {
  it('close when the descriptor and every stream made from it are dropped, not before', () => {
    const mem = new MemoryBackend();
    const closed: unknown[] = [];
    const spy = new Proxy(mem, {
      get(t, k) {
        if (k === 'close')
          return (h: unknown) => {
            closed.push(h);
            t.close(h as never);
          };
        const val = Reflect.get(t, k, t);
        return typeof val === 'function' ? val.bind(t) : val;
      },
    });
    const [[root]] = host([{ guestPath: '/', backend: spy }]).getDirectories() as [any, string][];
    const f = root.openAt(FOLLOW, 'f', { create: true }, RW);
    const inp = f.readViaStream(0n);
    const out = f.appendViaStream();
    f[Symbol.dispose]();
    f[Symbol.dispose](); // twice is once
    inp[Symbol.dispose]();
    expect(closed).toEqual([]);
    out.write(enc('still open'));
    out[Symbol.dispose]();
    expect(closed.length).toBe(1);
    root[Symbol.dispose]();
    expect(closed.length).toBe(2);
  });
});

describe('stream errors and filesystem-error-code', () => {
  it('a write past a MemoryBackend quota is last-operation-failed with insufficient-space; then closed', () => {
    const backend = new MemoryBackend({ quota: 10 });
    const fs = host([{ guestPath: '/', backend }]);
    const [[root]] = fs.getDirectories() as [any, string][];
    const out = root.openAt(FOLLOW, 'q', { create: true }, RW).writeViaStream(0n);
    out.write(enc('12345678'));
    const e = streamErr(() => out.write(enc('too much')));
    expect(e.tag).toBe('last-operation-failed');
    expect(e.val).toBeInstanceOf(shimError.Error);
    expect(e.val.toDebugString()).toMatch(/insufficient-space/);
    expect(fs.types.filesystemErrorCode(e.val)).toBe('insufficient-space');
    expect(streamErr(() => out.checkWrite())).toEqual({ tag: 'closed' });
    expect(streamErr(() => out.write(enc('x')))).toEqual({ tag: 'closed' });
  });

  it('a read after the backend was restored fails with bad-descriptor', () => {
    const backend = new MemoryBackend();
    const snap = backend.snapshot();
    const [[root]] = host([{ guestPath: '/', backend }]).getDirectories() as [any, string][];
    const f = root.openAt(FOLLOW, 'r', { create: true }, RW);
    f.write(enc('data'), 0n);
    const inp = f.readViaStream(0n);
    backend.restore(snap);
    const e = streamErr(() => inp.read(4n));
    expect(e.tag).toBe('last-operation-failed');
    const { types } = host([]);
    expect(types.filesystemErrorCode(e.val)).toBe('bad-descriptor');
    expect(streamErr(() => inp.read(4n))).toEqual({ tag: 'closed' });
  });

  it("a custom backend's other failures are io, without their message", () => {
    const mem = new MemoryBackend();
    const broken = new Proxy(mem, {
      get(t, k) {
        if (k === 'readInto' || k === 'stat')
          return () => {
            throw new TypeError('secret /host/path');
          };
        const val = Reflect.get(t, k, t);
        return typeof val === 'function' ? val.bind(t) : val;
      },
    });
    const { types, getDirectories } = host([{ guestPath: '/', backend: broken }]);
    const [[root]] = getDirectories() as [any, string][];
    const f = root.openAt(FOLLOW, 'f', { create: true }, RW);
    expect(code(() => f.stat())).toBe('io');
    expect(code(() => f.read(1n, 0n))).toBe('io');
    const e = streamErr(() => f.readViaStream(0n).read(1n));
    expect(e.tag).toBe('last-operation-failed');
    expect(e.val.toDebugString()).toBe('io');
    expect(types.filesystemErrorCode(e.val)).toBe('io');
  });

  it('is none for errors no file stream made', () => {
    const { types } = host([]);
    expect(types.filesystemErrorCode(new (shimError.Error as any)('other'))).toBeUndefined();
  });
});
