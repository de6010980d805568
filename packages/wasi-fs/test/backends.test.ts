import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, type Handle, MemoryBackend, NodeBackend, readAt } from '../src/index.ts';
import { code } from './helpers.ts';

const te = new TextEncoder();
const td = new TextDecoder();
const RW = { read: true, write: true };
const DIR = { read: true, mutateDirectory: true };
const FOLLOW = { symlinkFollow: true };
const NOFOLLOW = {};

let temps: string[] = [];
afterEach(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  temps = [];
});

const backends: [string, () => Backend][] = [
  ['memory', () => new MemoryBackend()],
  [
    'node',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-fs-'));
      temps.push(dir);
      return new NodeBackend(dir);
    },
  ],
];

describe.each(backends)('%s backend', (_name, make) => {
  function setup() {
    const b = make();
    const root = b.root();
    const create = (p: string, text = '') => {
      const h = b.openAt(root, p, NOFOLLOW, { create: true }, RW);
      if (text) b.write(h, 0n, te.encode(text));
      return h;
    };
    const readAll = (h: Handle) => td.decode(readAt(b, h, 0n, 1 << 16));
    const readPath = (p: string) => {
      const h = b.openAt(root, p, FOLLOW, {}, { read: true });
      const s = readAll(h);
      b.close(h);
      return s;
    };
    return { b, root, create, readAll, readPath };
  }

  it('creates, writes, reads at offsets, truncates and appends', () => {
    const { b, root, create, readAll, readPath } = setup();
    const h = create('a.txt', 'hello world');
    expect(readAll(h)).toBe('hello world');
    expect(td.decode(readAt(b, h, 6n, 3))).toBe('wor');
    expect(readAt(b, h, 11n, 10).length).toBe(0);
    expect(readAt(b, h, 100n, 10).length).toBe(0);
    expect(b.write(h, 6n, te.encode('WORLD!'))).toBe(6);
    expect(readAll(h)).toBe('hello WORLD!');
    expect(b.append(h, te.encode('!!'))).toBe(2);
    expect(readPath('a.txt')).toBe('hello WORLD!!!');
    b.setSize(h, 5n);
    expect(readAll(h)).toBe('hello');
    b.setSize(h, 7n);
    expect([...readAt(b, h, 5n, 10)]).toEqual([0, 0]);
    b.write(h, 10n, te.encode('x'));
    expect(b.stat(h).size).toBe(11n);
    expect([...readAt(b, h, 7n, 3)]).toEqual([0, 0, 0]);
    b.sync(h);
    b.close(h);
    const t = b.openAt(root, 'a.txt', NOFOLLOW, { truncate: true }, RW);
    expect(b.stat(t).size).toBe(0n);
    expect(readPath('a.txt')).toBe('');
  });

  it('open-at flags: create, exclusive, directory and missing files', () => {
    const { b, root, create } = setup();
    create('f', 'x');
    expect(code(() => b.openAt(root, 'missing', NOFOLLOW, {}, { read: true }))).toBe('no-entry');
    expect(code(() => b.openAt(root, 'f', NOFOLLOW, { create: true, exclusive: true }, RW))).toBe('exist');
    const again = b.openAt(root, 'f', NOFOLLOW, { create: true }, RW);
    expect(b.stat(again).size).toBe(1n);
    expect(code(() => b.openAt(root, 'f', NOFOLLOW, { directory: true }, { read: true }))).toBe('not-directory');
    b.createDirectoryAt(root, 'd');
    expect(code(() => b.openAt(root, 'd', NOFOLLOW, {}, RW))).toBe('is-directory');
    expect(code(() => b.openAt(root, 'f/x', NOFOLLOW, { create: true }, RW))).toBe('not-directory');
    expect(code(() => b.openAt(root, 'nodir/x', NOFOLLOW, { create: true }, RW))).toBe('no-entry');
    expect(code(() => b.openAt(root, '', NOFOLLOW, {}, RW))).toBe('no-entry');
    const d = b.openAt(root, 'd', NOFOLLOW, { directory: true }, DIR);
    expect(b.getType(d)).toBe('directory');
    expect(b.getFlags(d)).toEqual(DIR);
    const inner = b.openAt(d, 'inner', NOFOLLOW, { create: true }, RW);
    expect(b.getType(inner)).toBe('regular-file');
    expect(b.readDirectory(d).map((e) => e.name)).toEqual(['inner']);
  });

  it('read, write and directory permissions', () => {
    const { b, root, create } = setup();
    create('f', 'abc');
    const ro = b.openAt(root, 'f', NOFOLLOW, {}, { read: true });
    expect(code(() => b.write(ro, 0n, te.encode('x')))).toBe('bad-descriptor');
    expect(code(() => b.setSize(ro, 0n))).toBe('bad-descriptor');
    const wo = b.openAt(root, 'f', NOFOLLOW, {}, { write: true });
    expect(code(() => readAt(b, wo, 0n, 1))).toBe('bad-descriptor');
    const rdir = b.root({ read: true });
    expect(code(() => b.createDirectoryAt(rdir, 'x'))).toBe('read-only');
    expect(code(() => b.openAt(rdir, 'f', NOFOLLOW, {}, RW))).toBe('read-only');
    expect(code(() => b.openAt(rdir, 'g', NOFOLLOW, { create: true }, { read: true }))).toBe('read-only');
    expect(code(() => b.unlinkFileAt(rdir, 'f'))).toBe('read-only');
    expect(td.decode(readAt(b, b.openAt(rdir, 'f', NOFOLLOW, {}, { read: true }), 0n, 9))).toBe('abc');
    expect(code(() => readAt(b, root, 0n, 1))).toBe('is-directory');
    expect(code(() => b.readDirectory(ro))).toBe('not-directory');
    b.close(ro);
    expect(code(() => b.stat(ro))).toBe('bad-descriptor');
  });

  it('directories: create, list in name order, remove', () => {
    const { b, root, create } = setup();
    b.createDirectoryAt(root, 'sub');
    b.createDirectoryAt(root, 'sub/deeper');
    create('sub/b.txt', 'b');
    create('sub/A.txt', 'a');
    create('sub/a.txt', 'a');
    b.symlinkAt(root, 'b.txt', 'sub/link');
    const sub = b.openAt(root, 'sub', NOFOLLOW, { directory: true }, DIR);
    expect(b.readDirectory(sub)).toEqual([
      { name: 'A.txt', type: 'regular-file' },
      { name: 'a.txt', type: 'regular-file' },
      { name: 'b.txt', type: 'regular-file' },
      { name: 'deeper', type: 'directory' },
      { name: 'link', type: 'symbolic-link' },
    ]);
    expect(code(() => b.createDirectoryAt(root, 'sub'))).toBe('exist');
    expect(code(() => b.createDirectoryAt(root, 'sub/a.txt'))).toBe('exist');
    expect(code(() => b.createDirectoryAt(root, 'nope/x'))).toBe('no-entry');
    expect(code(() => b.removeDirectoryAt(root, 'sub'))).toBe('not-empty');
    expect(code(() => b.removeDirectoryAt(root, 'sub/a.txt'))).toBe('not-directory');
    expect(code(() => b.removeDirectoryAt(root, 'gone'))).toBe('no-entry');
    expect(code(() => b.unlinkFileAt(root, 'sub/deeper'))).toBe('is-directory');
    b.removeDirectoryAt(root, 'sub/deeper');
    expect(code(() => b.statAt(root, NOFOLLOW, 'sub/deeper'))).toBe('no-entry');
    expect(b.statAt(root, NOFOLLOW, 'sub/./../sub/').type).toBe('directory');
  });

  it('unlink and rename', () => {
    const { b, root, create, readPath } = setup();
    const h = create('f', 'data');
    b.unlinkFileAt(root, 'f');
    expect(code(() => b.statAt(root, NOFOLLOW, 'f'))).toBe('no-entry');
    expect(td.decode(readAt(b, h, 0n, 9))).toBe('data'); // an open descriptor keeps the file
    expect(code(() => b.unlinkFileAt(root, 'f'))).toBe('no-entry');

    create('x', 'x');
    create('y', 'y');
    b.renameAt(root, 'x', root, 'y'); // replaces a file
    expect(readPath('y')).toBe('x');
    expect(code(() => b.statAt(root, NOFOLLOW, 'x'))).toBe('no-entry');
    b.createDirectoryAt(root, 'd1');
    b.createDirectoryAt(root, 'd2');
    create('d1/in', 'in');
    b.renameAt(root, 'd1', root, 'd2'); // replaces an empty directory
    expect(readPath('d2/in')).toBe('in');
    b.createDirectoryAt(root, 'full');
    create('full/z');
    expect(code(() => b.renameAt(root, 'd2', root, 'full'))).toBe('not-empty');
    expect(code(() => b.renameAt(root, 'y', root, 'full'))).toBe('is-directory');
    expect(code(() => b.renameAt(root, 'full', root, 'y'))).toBe('not-directory');
    expect(code(() => b.renameAt(root, 'd2', root, 'd2/inside'))).toBe('invalid');
    expect(code(() => b.renameAt(root, 'missing', root, 'z'))).toBe('no-entry');
    const d2 = b.openAt(root, 'd2', NOFOLLOW, { directory: true }, DIR);
    b.renameAt(d2, 'in', root, 'moved'); // across directories
    expect(readPath('moved')).toBe('in');
    b.renameAt(root, 'moved', root, 'moved'); // onto itself: nothing
    expect(readPath('moved')).toBe('in');
  });

  it('symlinks: create, readlink, follow or not', () => {
    const { b, root, create, readPath } = setup();
    b.createDirectoryAt(root, 'd');
    create('d/target', 'T');
    b.symlinkAt(root, 'd/target', 'l1');
    b.symlinkAt(root, 'target', 'd/l2');
    b.symlinkAt(root, 'd', 'ld');
    b.symlinkAt(root, 'nowhere', 'dangling');
    expect(b.readlinkAt(root, 'l1')).toBe('d/target');
    expect(b.readlinkAt(root, 'ld/l2')).toBe('target');
    expect(readPath('l1')).toBe('T');
    expect(readPath('ld/l2')).toBe('T');
    expect(b.statAt(root, FOLLOW, 'l1').type).toBe('regular-file');
    const ls = b.statAt(root, NOFOLLOW, 'l1');
    expect(ls.type).toBe('symbolic-link');
    expect(ls.size).toBe(8n);
    expect(b.statAt(root, NOFOLLOW, 'ld/target').type).toBe('regular-file'); // intermediate links always followed
    expect(code(() => b.statAt(root, FOLLOW, 'dangling'))).toBe('no-entry');
    expect(b.statAt(root, NOFOLLOW, 'dangling').type).toBe('symbolic-link');
    expect(code(() => b.readlinkAt(root, 'd/target'))).toBe('invalid');
    expect(code(() => b.openAt(root, 'l1', NOFOLLOW, {}, { read: true }))).toBe('loop');
    expect(code(() => b.symlinkAt(root, 'x', 'l1'))).toBe('exist');
    b.unlinkFileAt(root, 'l1'); // removes the link, not its target
    expect(readPath('d/target')).toBe('T');
    b.symlinkAt(root, 'a', 'b');
    b.symlinkAt(root, 'b', 'a');
    expect(code(() => b.statAt(root, FOLLOW, 'a'))).toBe('loop');
    b.symlinkAt(root, 'self/x', 'self');
    expect(code(() => b.statAt(root, FOLLOW, 'self'))).toBe('loop');
    const d = b.openAt(root, 'ld', FOLLOW, { directory: true }, DIR);
    expect(b.readDirectory(d).map((e) => e.name)).toEqual(['l2', 'target']);
  });

  it('hard links share data and count links', () => {
    const { b, root, create, readPath } = setup();
    const h = create('orig', 'one');
    b.linkAt(root, NOFOLLOW, 'orig', root, 'copy');
    expect(b.statAt(root, NOFOLLOW, 'orig').linkCount).toBe(2n);
    b.write(h, 0n, te.encode('two'));
    expect(readPath('copy')).toBe('two');
    const c = b.openAt(root, 'copy', NOFOLLOW, {}, { read: true });
    expect(b.isSameObject(h, c)).toBe(true);
    expect(b.metadataHash(h)).toEqual(b.metadataHash(c));
    expect(b.metadataHashAt(root, NOFOLLOW, 'copy')).toEqual(b.metadataHash(c));
    b.unlinkFileAt(root, 'orig');
    expect(readPath('copy')).toBe('two');
    expect(b.stat(c).linkCount).toBe(1n);
    b.createDirectoryAt(root, 'd');
    expect(code(() => b.linkAt(root, NOFOLLOW, 'd', root, 'd2'))).toBe('not-permitted');
    expect(code(() => b.linkAt(root, NOFOLLOW, 'copy', root, 'd'))).toBe('exist');
    expect(code(() => b.linkAt(root, NOFOLLOW, 'none', root, 'x'))).toBe('no-entry');
    const other = create('other', 'o');
    expect(b.isSameObject(other, c)).toBe(false);
    expect(b.metadataHash(other)).not.toEqual(b.metadataHash(c));
  });

  it('stat: types, sizes, timestamps', () => {
    const { b, root, create } = setup();
    const before = BigInt(Date.now()) / 1000n - 5n;
    const h = create('f', '12345');
    b.createDirectoryAt(root, 'd');
    const st = b.stat(h);
    expect(st.type).toBe('regular-file');
    expect(st.size).toBe(5n);
    expect(st.linkCount).toBe(1n);
    expect(st.dataModificationTimestamp?.seconds).toBeGreaterThanOrEqual(before);
    expect(b.statAt(root, NOFOLLOW, 'd').type).toBe('directory');
    expect(b.stat(root).type).toBe('directory');
    expect(b.getType(h)).toBe('regular-file');
    const m1 = b.metadataHash(h);
    b.write(h, 5n, te.encode('6'));
    expect(b.metadataHash(h)).not.toEqual(m1);
  });

  it('paths: `..` inside the directory works, past it and absolute paths are not-permitted', () => {
    const { b, root, create, readPath } = setup();
    b.createDirectoryAt(root, 'a');
    b.createDirectoryAt(root, 'a/b');
    create('top', 'top');
    expect(readPath('a/b/../../top')).toBe('top');
    expect(code(() => b.statAt(root, FOLLOW, '..'))).toBe('not-permitted');
    expect(code(() => b.statAt(root, FOLLOW, 'a/../../top'))).toBe('not-permitted');
    expect(code(() => b.statAt(root, FOLLOW, '/top'))).toBe('not-permitted');
    const a = b.openAt(root, 'a', NOFOLLOW, { directory: true }, DIR);
    expect(code(() => b.statAt(a, FOLLOW, '../top'))).toBe('not-permitted');
    expect(code(() => b.statAt(root, FOLLOW, `${'x'.repeat(256)}`))).toBe('name-too-long');
    expect(code(() => b.statAt(root, FOLLOW, 'top/x'))).toBe('not-directory');
  });
});

describe('memory backend extras', () => {
  it('snapshot and restore', () => {
    const b = new MemoryBackend();
    const root = b.root();
    const h = b.openAt(root, 'f', NOFOLLOW, { create: true }, RW);
    b.write(h, 0n, te.encode('v1'));
    b.linkAt(root, NOFOLLOW, 'f', root, 'g');
    const snap = b.snapshot();
    b.write(h, 0n, te.encode('v2'));
    b.unlinkFileAt(root, 'g');
    b.restore(snap);
    expect(code(() => readAt(b, h, 0n, 9))).toBe('bad-descriptor');
    const r = b.root();
    const f = b.openAt(r, 'f', NOFOLLOW, {}, RW);
    expect(td.decode(readAt(b, f, 0n, 9))).toBe('v1');
    b.write(f, 0n, te.encode('v3')); // hard links survive the round trip
    expect(td.decode(readAt(b, b.openAt(r, 'g', NOFOLLOW, {}, { read: true }), 0n, 9))).toBe('v3');
    b.restore(snap); // a snapshot can be restored again, unchanged
    expect(td.decode(readAt(b, b.openAt(b.root(), 'g', NOFOLLOW, {}, { read: true }), 0n, 9))).toBe('v1');
  });

  it('quota: insufficient-space past the limit, freed by unlink and truncate', () => {
    const b = new MemoryBackend({ quota: 10 });
    const root = b.root();
    const h = b.openAt(root, 'f', NOFOLLOW, { create: true }, RW);
    b.write(h, 0n, new Uint8Array(8));
    expect(code(() => b.write(h, 8n, new Uint8Array(3)))).toBe('insufficient-space');
    expect(b.stat(h).size).toBe(8n);
    const g = b.openAt(root, 'g', NOFOLLOW, { create: true }, RW);
    b.write(g, 0n, new Uint8Array(2));
    expect(code(() => b.append(g, new Uint8Array(1)))).toBe('insufficient-space');
    expect(code(() => b.setSize(g, 5n))).toBe('insufficient-space');
    b.setSize(h, 0n);
    b.append(g, new Uint8Array(8));
    expect(b.usedBytes).toBe(10);
    b.unlinkFileAt(root, 'g');
    expect(b.usedBytes).toBe(0);
  });

  it('uses the clock it is given', () => {
    let now = 5_000_000_000n;
    const b = new MemoryBackend({ now: () => now });
    const root = b.root();
    const h = b.openAt(root, 'f', NOFOLLOW, { create: true }, RW);
    now = 7_250_000_000n;
    b.write(h, 0n, te.encode('x'));
    expect(b.stat(h).dataModificationTimestamp).toEqual({ seconds: 7n, nanoseconds: 250_000_000 });
  });

  it('a removed directory takes no new entries', () => {
    const b = new MemoryBackend();
    const root = b.root();
    b.createDirectoryAt(root, 'd');
    const d = b.openAt(root, 'd', NOFOLLOW, { directory: true }, DIR);
    b.removeDirectoryAt(root, 'd');
    expect(code(() => b.createDirectoryAt(d, 'x'))).toBe('no-entry');
    expect(b.readDirectory(d)).toEqual([]);
  });
});
