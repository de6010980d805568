import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Backend,
  type Datetime,
  type Handle,
  MemoryBackend,
  type NewTimestamp,
  NodeBackend,
  OverlayBackend,
  readAt,
} from '../src/index.ts';
import { code, near, pattern, populate, toNs } from './helpers.ts';

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
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-fs-'));
  temps.push(dir);
  return dir;
}

// Every backend starts with the same tree (helpers' SEED): memory and node have it written into
// them, the overlays have it as their lower layer, so each test below checks that a tree bundled
// under an overlay behaves as one written into an ordinary backend.
const backends: [string, () => Backend][] = [
  ['memory', () => populate(new MemoryBackend())],
  ['node', () => populate(new NodeBackend(tempDir()))],
  ['overlay (memory over memory)', () => new OverlayBackend(populate(new MemoryBackend()), new MemoryBackend())],
  ['overlay (node upper)', () => new OverlayBackend(populate(new MemoryBackend()), new NodeBackend(tempDir()))],
  [
    'overlay (read-only node lower)',
    () => {
      const dir = tempDir();
      populate(new NodeBackend(dir));
      return new OverlayBackend(new NodeBackend(dir, { readOnly: true }), new MemoryBackend());
    },
  ],
];

const T1: Datetime = { seconds: 1_000_000_000n, nanoseconds: 0 };
const T2: Datetime = { seconds: 1_234_567_890n, nanoseconds: 500_000_000 };
const at = (val: Datetime): NewTimestamp => ({ tag: 'timestamp', val });
const NOW: NewTimestamp = { tag: 'now' };
const KEEP: NewTimestamp = { tag: 'no-change' };
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

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

  it('a trailing slash names a directory: follows a symlink, but never removes through one', () => {
    const { b, root, create } = setup();
    b.createDirectoryAt(root, 'd');
    create('f');
    b.symlinkAt(root, 'd', 'ld');
    b.symlinkAt(root, '..', 'up');
    expect(b.statAt(root, FOLLOW, 'ld/').type).toBe('directory');
    // without symlink-follow the call is about the entry itself, which a link named `ld/` is not
    expect(code(() => b.statAt(root, NOFOLLOW, 'ld/'))).toBe('not-directory');
    expect(code(() => b.statAt(root, FOLLOW, 'f/'))).toBe('not-directory');
    expect(code(() => b.removeDirectoryAt(root, 'ld/'))).toBe('not-directory');
    expect(code(() => b.unlinkFileAt(root, 'ld/'))).toBe('not-directory');
    expect(code(() => b.removeDirectoryAt(root, 'up/'))).toBe('not-permitted');
    expect(b.statAt(root, NOFOLLOW, 'd').type).toBe('directory');
    b.removeDirectoryAt(root, 'd/');
    expect(code(() => b.statAt(root, NOFOLLOW, 'd'))).toBe('no-entry');
    b.createDirectoryAt(root, 'new/');
    expect(b.statAt(root, NOFOLLOW, 'new').type).toBe('directory');
  });

  it('readInto: into a caller buffer (or a view of a larger one), at offsets; readAt on top', () => {
    const { b, root, create } = setup();
    const h = create('r.txt', 'abcdefghij');
    const buf = new Uint8Array(4);
    expect(b.readInto(h, 0n, buf)).toBe(4);
    expect(td.decode(buf)).toBe('abcd');
    expect(b.readInto(h, 8n, buf)).toBe(2); // short at the end; the rest of the buffer is untouched
    expect(td.decode(buf)).toBe('ijcd');
    expect(b.readInto(h, 10n, buf)).toBe(0);
    expect(b.readInto(h, 99n, buf)).toBe(0);
    expect(b.readInto(h, 0n, new Uint8Array(0))).toBe(0);
    const mem = new Uint8Array(16).fill(0xee); // as guest memory: a view at an offset
    expect(b.readInto(h, 3n, mem.subarray(5, 9))).toBe(4);
    expect([...mem]).toEqual([...new Array(5).fill(0xee), ...te.encode('defg'), ...new Array(7).fill(0xee)]);
    expect(td.decode(readAt(b, h, 2n, 3))).toBe('cde');
    expect(readAt(b, h, 0n, 0).length).toBe(0);
    expect(td.decode(readAt(b, h, 7n, 100))).toBe('hij');
    expect(readAt(b, h, 7n, 100).buffer.byteLength).toBe(3); // a short read is trimmed to its bytes
    // a large file that was there before, in chunks that do not divide it
    const big = b.openAt(root, 'seed/big.bin', NOFOLLOW, {}, { read: true });
    const got = new Uint8Array(200_000);
    let off = 0;
    for (;;) {
      const n = b.readInto(big, BigInt(off), got.subarray(off, Math.min(off + 65_000, got.length)));
      if (n === 0) break;
      off += n;
    }
    expect(off).toBe(200_000);
    expect(got).toEqual(pattern(200_000));
    expect(b.readInto(big, 199_999n, new Uint8Array(10))).toBe(1);
    // errors
    const wo = b.openAt(root, 'r.txt', NOFOLLOW, {}, { write: true });
    expect(code(() => b.readInto(wo, 0n, buf))).toBe('bad-descriptor');
    expect(code(() => b.readInto(root, 0n, buf))).toBe('is-directory');
    expect(code(() => b.readInto(h, -1n, buf))).toBe('invalid');
    b.close(big);
    expect(code(() => b.readInto(big, 0n, buf))).toBe('bad-descriptor');
  });

  it('setTimes / setTimesAt: a timestamp, now, or no change; stat shows them', () => {
    const { b, root, create, readPath } = setup();
    const h = create('t', 'x');
    b.setTimes(h, at(T1), at(T2));
    let st = b.stat(h);
    expect(st.dataAccessTimestamp).toEqual(T1);
    expect(st.dataModificationTimestamp).toEqual(T2);
    expect(b.statAt(root, NOFOLLOW, 't').dataModificationTimestamp).toEqual(T2);
    b.setTimes(h, KEEP, at(T1)); // no-change keeps one, the other is set
    st = b.stat(h);
    expect(near(st.dataAccessTimestamp, T1)).toBe(true);
    expect(st.dataModificationTimestamp).toEqual(T1);
    b.setTimes(h, at(T2), KEEP);
    st = b.stat(h);
    expect(st.dataAccessTimestamp).toEqual(T2);
    expect(near(st.dataModificationTimestamp, T1)).toBe(true);
    const before = nowNs();
    b.setTimes(h, KEEP, NOW);
    const after = nowNs();
    st = b.stat(h);
    expect(toNs(st.dataModificationTimestamp)).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(toNs(st.dataModificationTimestamp)).toBeLessThanOrEqual(after + 1_000_000n);
    expect(near(st.dataAccessTimestamp, T2)).toBe(true);
    // by path
    b.setTimesAt(root, NOFOLLOW, 't', at(T2), at(T1));
    st = b.statAt(root, NOFOLLOW, 't');
    expect([st.dataAccessTimestamp, st.dataModificationTimestamp]).toEqual([T2, T1]);
    // directories, through a descriptor with mutate-directory or by path
    b.createDirectoryAt(root, 'td');
    b.setTimesAt(root, NOFOLLOW, 'td', at(T1), at(T1));
    expect(b.statAt(root, NOFOLLOW, 'td').dataModificationTimestamp).toEqual(T1);
    const tdir = b.openAt(root, 'td', NOFOLLOW, { directory: true }, DIR);
    b.setTimes(tdir, KEEP, at(T2));
    expect(b.stat(tdir).dataModificationTimestamp).toEqual(T2);
    // symlinks: followed, the target's times; not followed, the link's own
    b.symlinkAt(root, 't', 'tl');
    b.setTimesAt(root, FOLLOW, 'tl', at(T1), at(T1));
    expect(b.statAt(root, NOFOLLOW, 't').dataModificationTimestamp).toEqual(T1);
    b.setTimesAt(root, NOFOLLOW, 'tl', at(T2), at(T2));
    expect(b.statAt(root, NOFOLLOW, 'tl').dataModificationTimestamp).toEqual(T2);
    expect(b.statAt(root, NOFOLLOW, 't').dataModificationTimestamp).toEqual(T1);
    // entries of the tree that was there before: times change, contents do not
    b.setTimesAt(root, NOFOLLOW, 'seed/hello.txt', at(T1), at(T2));
    st = b.statAt(root, NOFOLLOW, 'seed/hello.txt');
    expect([st.dataAccessTimestamp, st.dataModificationTimestamp, st.size]).toEqual([T1, T2, 19n]);
    expect(readPath('seed/hello.txt')).toBe('hello from the seed');
    b.setTimesAt(root, NOFOLLOW, 'seed/docs', KEEP, at(T1));
    expect(b.statAt(root, NOFOLLOW, 'seed/docs').dataModificationTimestamp).toEqual(T1);
    expect(b.readDirectory(b.openAt(root, 'seed/docs', NOFOLLOW, {}, { read: true })).map((e) => e.name)).toEqual([
      'a.md',
      'b.md',
      'deep',
    ]);
    b.setTimesAt(root, NOFOLLOW, 'seed/link', at(T2), at(T2));
    expect(b.statAt(root, NOFOLLOW, 'seed/link').dataModificationTimestamp).toEqual(T2);
    expect(b.readlinkAt(root, 'seed/link')).toBe('hello.txt');
    // rights and paths
    const ro = b.openAt(root, 't', NOFOLLOW, {}, { read: true });
    expect(code(() => b.setTimes(ro, NOW, NOW))).toBe('not-permitted');
    expect(code(() => b.setTimes(b.root({ read: true }), NOW, NOW))).toBe('not-permitted');
    expect(code(() => b.setTimesAt(b.root({ read: true }), NOFOLLOW, 't', NOW, NOW))).toBe('read-only');
    expect(code(() => b.setTimesAt(root, NOFOLLOW, 'missing', NOW, NOW))).toBe('no-entry');
    expect(code(() => b.setTimesAt(root, NOFOLLOW, '../t', NOW, NOW))).toBe('not-permitted');
    b.close(h);
    expect(code(() => b.setTimes(h, NOW, NOW))).toBe('bad-descriptor');
  });

  it('opening with truncate marks the file modified', () => {
    const { b, root, create } = setup();
    const h = create('f', 'data');
    b.setTimes(h, at(T1), at(T1));
    b.openAt(root, 'f', NOFOLLOW, { truncate: true }, RW);
    expect(toNs(b.stat(h).dataModificationTimestamp)).toBeGreaterThan(toNs(T1));
    b.setTimesAt(root, NOFOLLOW, 'seed/docs/a.md', at(T1), at(T1));
    const t = b.openAt(root, 'seed/docs/a.md', NOFOLLOW, { truncate: true }, RW);
    expect(b.stat(t).size).toBe(0n);
    expect(toNs(b.stat(t).dataModificationTimestamp)).toBeGreaterThan(toNs(T1));
  });

  it('a tree that was there before: read, list, follow its links', () => {
    const { b, root, readPath } = setup();
    expect(readPath('readme.txt')).toBe('top of the seed');
    expect(readPath('seed/hello.txt')).toBe('hello from the seed');
    expect(readPath('seed/link')).toBe('hello from the seed');
    expect(readPath('seed/dirlink/deep/c.md')).toBe('C');
    const seed = b.openAt(root, 'seed', NOFOLLOW, { directory: true }, DIR);
    expect(b.readDirectory(seed)).toEqual([
      { name: 'big.bin', type: 'regular-file' },
      { name: 'dirlink', type: 'symbolic-link' },
      { name: 'docs', type: 'directory' },
      { name: 'empty', type: 'regular-file' },
      { name: 'hello.txt', type: 'regular-file' },
      { name: 'link', type: 'symbolic-link' },
    ]);
    expect(b.statAt(seed, NOFOLLOW, 'link')).toMatchObject({ type: 'symbolic-link', size: 9n });
    expect(b.statAt(seed, FOLLOW, 'link')).toMatchObject({ type: 'regular-file', size: 19n });
    expect(b.statAt(seed, NOFOLLOW, 'big.bin').size).toBe(200_000n);
    expect(b.readlinkAt(seed, 'dirlink')).toBe('docs');
    expect(code(() => b.openAt(seed, 'link', NOFOLLOW, {}, { read: true }))).toBe('loop');
    expect(code(() => b.statAt(seed, FOLLOW, 'hello.txt/x'))).toBe('not-directory');
    expect(code(() => b.createDirectoryAt(seed, 'docs'))).toBe('exist');
    expect(code(() => b.openAt(seed, 'empty', NOFOLLOW, { create: true, exclusive: true }, RW))).toBe('exist');
    expect(code(() => b.symlinkAt(seed, 'x', 'hello.txt'))).toBe('exist');
  });

  it('a tree that was there before: write, truncate, create in, unlink, remove and rename its entries', () => {
    const { b, root, create, readAll, readPath } = setup();
    const names = (p: string) => b.readDirectory(b.openAt(root, p, NOFOLLOW, {}, { read: true })).map((e) => e.name);
    const r1 = b.openAt(root, 'seed/hello.txt', NOFOLLOW, {}, { read: true });
    const w = b.openAt(root, 'seed/hello.txt', NOFOLLOW, {}, RW);
    expect(b.isSameObject(r1, w)).toBe(true);
    b.write(w, 0n, te.encode('HELLO'));
    expect(readAll(r1)).toBe('HELLO from the seed'); // opened before the write, it sees it
    expect(b.isSameObject(r1, w)).toBe(true);
    expect(b.metadataHash(r1)).toEqual(b.metadataHash(w));
    expect(b.metadataHashAt(root, FOLLOW, 'seed/link')).toEqual(b.metadataHash(r1));
    expect(readPath('seed/link')).toBe('HELLO from the seed');
    const e = b.openAt(root, 'seed/empty', NOFOLLOW, {}, RW);
    b.append(e, te.encode('more'));
    expect(readPath('seed/empty')).toBe('more');
    const a = b.openAt(root, 'seed/docs/a.md', NOFOLLOW, {}, { read: true });
    b.setSize(b.openAt(root, 'seed/docs/a.md', NOFOLLOW, {}, { write: true }), 3n);
    expect([...readAt(b, a, 0n, 9)]).toEqual([65, 0, 0]);
    // creating inside its directories
    create('seed/docs/deep/new.md', 'N');
    expect(names('seed/docs/deep')).toEqual(['c.md', 'new.md']);
    b.createDirectoryAt(root, 'seed/docs/deep/sub');
    b.symlinkAt(root, '../c.md', 'seed/docs/deep/sub/up');
    expect(readPath('seed/docs/deep/sub/up')).toBe('C');
    // unlinking, and a new file at the same name
    const bm = b.openAt(root, 'seed/docs/b.md', NOFOLLOW, {}, { read: true });
    b.unlinkFileAt(root, 'seed/docs/b.md');
    expect(code(() => b.statAt(root, NOFOLLOW, 'seed/docs/b.md'))).toBe('no-entry');
    expect(readAll(bm)).toBe('B'); // still readable through a descriptor
    expect(names('seed/docs')).toEqual(['a.md', 'deep']);
    create('seed/docs/b.md', 'new B');
    expect(readPath('seed/docs/b.md')).toBe('new B');
    expect(readAll(bm)).toBe('B');
    // removing a directory: not while it has entries; recreated, it is empty
    expect(code(() => b.removeDirectoryAt(root, 'seed/docs/deep'))).toBe('not-empty');
    b.unlinkFileAt(root, 'seed/docs/deep/sub/up');
    b.removeDirectoryAt(root, 'seed/docs/deep/sub');
    b.unlinkFileAt(root, 'seed/docs/deep/c.md');
    expect(code(() => b.removeDirectoryAt(root, 'seed/docs/deep'))).toBe('not-empty');
    b.unlinkFileAt(root, 'seed/docs/deep/new.md');
    b.removeDirectoryAt(root, 'seed/docs/deep');
    expect(code(() => b.statAt(root, NOFOLLOW, 'seed/docs/deep'))).toBe('no-entry');
    b.createDirectoryAt(root, 'seed/docs/deep');
    expect(names('seed/docs/deep')).toEqual([]);
    // renames: to another directory, and over another of its files
    b.renameAt(root, 'seed/hello.txt', root, 'seed/docs/hello.txt');
    expect(readPath('seed/docs/hello.txt')).toBe('HELLO from the seed');
    expect(code(() => b.statAt(root, NOFOLLOW, 'seed/hello.txt'))).toBe('no-entry');
    expect(code(() => b.statAt(root, FOLLOW, 'seed/link'))).toBe('no-entry'); // now dangling
    b.write(w, 19n, te.encode('!'));
    expect(readAll(r1)).toBe('HELLO from the seed!'); // descriptors follow the file
    b.renameAt(root, 'readme.txt', root, 'seed/empty');
    expect(readPath('seed/empty')).toBe('top of the seed');
    expect(code(() => b.statAt(root, NOFOLLOW, 'readme.txt'))).toBe('no-entry');
    b.renameAt(root, 'seed/link', root, 'seed/docs/link'); // a symlink moves as itself
    expect(readPath('seed/docs/link')).toBe('HELLO from the seed!');
    // a hard link to one of its files
    b.linkAt(root, NOFOLLOW, 'seed/big.bin', root, 'seed/big-link');
    expect(b.statAt(root, NOFOLLOW, 'seed/big.bin').linkCount).toBe(2n);
    const bl = b.openAt(root, 'seed/big-link', NOFOLLOW, {}, RW);
    b.write(bl, 0n, te.encode('Z'));
    expect(td.decode(readAt(b, b.openAt(root, 'seed/big.bin', NOFOLLOW, {}, { read: true }), 0n, 1))).toBe('Z');
    expect(b.statAt(root, NOFOLLOW, 'seed/big-link').size).toBe(200_000n);
    expect(names('seed')).toEqual(['big-link', 'big.bin', 'dirlink', 'docs', 'empty']);
    expect(names('seed/docs')).toEqual(['a.md', 'b.md', 'deep', 'hello.txt', 'link']);
  });

  it('a tree that was there before: identity of its directories and files', () => {
    const { b, root, create } = setup();
    const d1 = b.openAt(root, 'seed/docs', NOFOLLOW, { directory: true }, DIR);
    const d2 = b.openAt(root, 'seed/dirlink', FOLLOW, { directory: true }, { read: true });
    const d3 = b.openAt(root, 'seed/docs/deep/..', NOFOLLOW, { directory: true }, { read: true });
    expect(b.isSameObject(d1, d2)).toBe(true);
    expect(b.isSameObject(d1, d3)).toBe(true);
    expect(b.metadataHash(d2)).toEqual(b.metadataHash(d1));
    expect(b.metadataHashAt(root, FOLLOW, 'seed/dirlink')).toEqual(b.metadataHash(d1));
    expect(b.isSameObject(d1, b.openAt(root, 'seed', NOFOLLOW, {}, { read: true }))).toBe(false);
    create('seed/docs/new', 'n'); // its first change
    const d4 = b.openAt(root, 'seed/docs', NOFOLLOW, { directory: true }, { read: true });
    expect(b.isSameObject(d1, d4)).toBe(true);
    expect(b.metadataHash(d4)).toEqual(b.metadataHash(d1));
    expect(b.readDirectory(d2).map((e) => e.name)).toEqual(['a.md', 'b.md', 'deep', 'new']);
    const f1 = b.openAt(root, 'seed/docs/a.md', NOFOLLOW, {}, { read: true });
    const f2 = b.openAt(d1, 'a.md', NOFOLLOW, {}, { read: true });
    expect(b.isSameObject(f1, f2)).toBe(true);
    expect(b.metadataHash(f1)).toEqual(b.metadataHash(f2));
    expect(b.metadataHash(f1)).toEqual(b.metadataHash(f1));
    const other = b.openAt(root, 'seed/docs/b.md', NOFOLLOW, {}, { read: true });
    expect(b.isSameObject(f1, other)).toBe(false);
    expect(b.metadataHash(f1)).not.toEqual(b.metadataHash(other));
    expect(b.isSameObject(f1, d1)).toBe(false);
    b.write(b.openAt(root, 'seed/docs/a.md', NOFOLLOW, {}, RW), 1n, te.encode('+'));
    const f3 = b.openAt(root, 'seed/docs/a.md', NOFOLLOW, {}, { read: true });
    expect(b.isSameObject(f1, f3)).toBe(true);
    expect(b.metadataHash(f1)).toEqual(b.metadataHash(f3));
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
