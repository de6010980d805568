// What is particular to OverlayBackend: how the layers merge, copy-up, whiteouts, directory
// renames, descriptors across a copy-up, and that the lower layer is only ever read. (The shared
// behavioural suite in backends.test.ts runs on overlays too.)
import { describe, expect, it } from 'vitest';
import { type Backend, type Datetime, type Handle, MemoryBackend, OverlayBackend, readAt } from '../src/index.ts';
import { code, dump, pattern, populate, type Tree, toNs } from './helpers.ts';

const te = new TextEncoder();
const td = new TextDecoder();
const RW = { read: true, write: true };
const DIR = { read: true, mutateDirectory: true };
const FOLLOW = { symlinkFollow: true };
const NOFOLLOW = {};
/** Every time in the lower layer (its clock is stopped there). */
const T0_NS = 1_500_000_000_123_456_789n;
const T0: Datetime = { seconds: 1_500_000_000n, nanoseconds: 123_456_789 };
const T1: Datetime = { seconds: 1_000_000_000n, nanoseconds: 0 };

const LOWER: Tree = {
  'top.txt': 'top',
  a: { dir: true },
  'a/b': { dir: true },
  'a/b/c': { dir: true },
  'a/b/c/f.txt': 'deep file',
  'a/b/c/g.txt': 'another',
  'a/big.bin': pattern(150_000),
  'a/link': { link: 'b/c/f.txt' },
  m: { dir: true },
  'm/a': 'lower a',
  'm/b': 'lower b',
  'm/c': 'lower c',
  'm/d': { dir: true },
  'm/d/x': 'lower x',
  'm/e': 'lower e',
  empty: { dir: true },
};

function layers(upperTree?: Tree, upper: MemoryBackend = new MemoryBackend()) {
  const lower = populate(new MemoryBackend({ now: () => T0_NS }), LOWER);
  if (upperTree) populate(upper, upperTree);
  const before = dump(lower);
  const o = new OverlayBackend(lower, upper);
  const root = o.root();
  const readPath = (p: string, dir: Handle = root) => {
    const h = o.openAt(dir, p, FOLLOW, {}, { read: true });
    const s = td.decode(readAt(o, h, 0n, 1 << 20));
    o.close(h);
    return s;
  };
  const names = (p: string) => o.readDirectory(o.openAt(root, p, NOFOLLOW, {}, { read: true })).map((e) => e.name);
  const create = (p: string, text: string) => {
    const h = o.openAt(root, p, NOFOLLOW, { create: true }, RW);
    o.write(h, 0n, te.encode(text));
    o.close(h);
  };
  /** The lower layer is exactly as it was built. */
  const lowerUnchanged = () => expect(dump(lower)).toEqual(before);
  return { lower, upper, o, root, readPath, names, create, lowerUnchanged };
}

describe('merging the layers', () => {
  it('upper entries shadow lower ones; directories in both merge; the listing is the union, sorted', () => {
    const { o, root, readPath, names } = layers({
      m: { dir: true },
      'm/b': 'upper b',
      'm/c': { dir: true }, // a directory over a lower file: not merged with anything
      'm/d': { dir: true },
      'm/d/y': 'upper y',
      'm/e': { link: 'a' }, // a symlink over a lower file
      'm/f': 'upper only',
    });
    const m = o.openAt(root, 'm', NOFOLLOW, { directory: true }, DIR);
    expect(o.readDirectory(m)).toEqual([
      { name: 'a', type: 'regular-file' },
      { name: 'b', type: 'regular-file' },
      { name: 'c', type: 'directory' },
      { name: 'd', type: 'directory' },
      { name: 'e', type: 'symbolic-link' },
      { name: 'f', type: 'regular-file' },
    ]);
    expect(readPath('m/a')).toBe('lower a');
    expect(readPath('m/b')).toBe('upper b');
    expect(names('m/c')).toEqual([]);
    expect(names('m/d')).toEqual(['x', 'y']);
    expect(readPath('m/d/x')).toBe('lower x');
    expect(readPath('m/d/y')).toBe('upper y');
    expect(readPath('m/e')).toBe('lower a');
    expect(o.readlinkAt(root, 'm/e')).toBe('a');
    expect(names('.')).toEqual(['a', 'empty', 'm', 'top.txt']);
  });

  it('a read-only root refuses every change, as on the other backends', () => {
    const { o, lowerUnchanged } = layers();
    const ro = o.root({ read: true });
    expect(code(() => o.unlinkFileAt(ro, 'top.txt'))).toBe('read-only');
    expect(code(() => o.openAt(ro, 'top.txt', NOFOLLOW, {}, RW))).toBe('read-only');
    expect(code(() => o.createDirectoryAt(ro, 'a/new'))).toBe('read-only');
    expect(td.decode(readAt(o, o.openAt(ro, 'top.txt', NOFOLLOW, {}, { read: true }), 0n, 9))).toBe('top');
    lowerUnchanged();
  });
});

describe('copy-up', () => {
  it('opening a lower file for writing copies it whole, with its times, into the directory chain', () => {
    const { o, upper, root, readPath, lowerUnchanged } = layers();
    expect(dump(upper)).toEqual({});
    const h = o.openAt(root, 'a/b/c/f.txt', NOFOLLOW, {}, RW);
    // copied before anything was written: the file, and its directories, with the lower times
    const u = upper.root();
    for (const p of ['a', 'a/b', 'a/b/c', 'a/b/c/f.txt']) {
      const st = upper.statAt(u, NOFOLLOW, p);
      expect([p, st.dataAccessTimestamp, st.dataModificationTimestamp]).toEqual([p, T0, T0]);
    }
    expect(dump(upper)).toEqual({ a: '<dir>', 'a/b': '<dir>', 'a/b/c': '<dir>', 'a/b/c/f.txt': 'deep file' });
    o.write(h, 0n, te.encode('DEEP'));
    expect(readPath('a/b/c/f.txt')).toBe('DEEP file');
    expect(readPath('a/link')).toBe('DEEP file');
    expect(readPath('a/b/c/g.txt')).toBe('another'); // not copied
    expect(Object.keys(dump(upper))).not.toContain('a/b/c/g.txt');
    lowerUnchanged();
  });

  it('a large file is copied in full', () => {
    const { o, upper, root, lowerUnchanged } = layers();
    const h = o.openAt(root, 'a/big.bin', NOFOLLOW, {}, RW);
    o.append(h, te.encode('!'));
    const u = upper.openAt(upper.root(), 'a/big.bin', NOFOLLOW, {}, { read: true });
    const bytes = readAt(upper, u, 0n, 200_000);
    expect(bytes.length).toBe(150_001);
    expect(bytes.subarray(0, 150_000)).toEqual(pattern(150_000));
    lowerUnchanged();
  });

  it('truncating a lower file copies it up empty', () => {
    const { o, upper, root, readPath, lowerUnchanged } = layers();
    o.openAt(root, 'a/big.bin', NOFOLLOW, { truncate: true }, { read: true });
    expect(readPath('a/big.bin')).toBe('');
    expect(upper.usedBytes).toBe(0);
    lowerUnchanged();
  });

  it('creating in a lower directory copies up its chain; only the directory created in changes times', () => {
    const { o, upper, root, names, create, lowerUnchanged } = layers();
    const rootMtime = o.stat(root).dataModificationTimestamp;
    create('a/b/c/new.txt', 'new');
    expect(names('a/b/c')).toEqual(['f.txt', 'g.txt', 'new.txt']);
    expect(o.statAt(root, NOFOLLOW, 'a').dataModificationTimestamp).toEqual(T0);
    expect(o.statAt(root, NOFOLLOW, 'a/b').dataModificationTimestamp).toEqual(T0);
    expect(toNs(o.statAt(root, NOFOLLOW, 'a/b/c').dataModificationTimestamp)).toBeGreaterThan(T0_NS);
    expect(o.stat(root).dataModificationTimestamp).toEqual(rootMtime);
    expect(dump(upper)).toEqual({ a: '<dir>', 'a/b': '<dir>', 'a/b/c': '<dir>', 'a/b/c/new.txt': 'new' });
    o.createDirectoryAt(root, 'empty/sub');
    o.symlinkAt(root, '../../top.txt', 'm/d/up');
    expect(td.decode(readAt(o, o.openAt(root, 'm/d/up', FOLLOW, {}, { read: true }), 0n, 9))).toBe('top');
    lowerUnchanged();
  });

  it('set-times, link-at and rename-at copy up what they change', () => {
    const { o, upper, root, readPath, lowerUnchanged } = layers();
    o.setTimesAt(root, NOFOLLOW, 'a/b', { tag: 'no-change' }, { tag: 'timestamp', val: T1 });
    expect(o.statAt(root, NOFOLLOW, 'a/b').dataModificationTimestamp).toEqual(T1);
    expect(upper.statAt(upper.root(), NOFOLLOW, 'a/b').dataModificationTimestamp).toEqual(T1);
    o.linkAt(root, NOFOLLOW, 'top.txt', root, 'a/top-link');
    expect(o.statAt(root, NOFOLLOW, 'top.txt').linkCount).toBe(2n);
    o.renameAt(root, 'a/link', root, 'moved-link'); // a symlink is copied as a symlink, with its times
    expect(o.readlinkAt(root, 'moved-link')).toBe('b/c/f.txt');
    expect(o.statAt(root, NOFOLLOW, 'moved-link').dataModificationTimestamp).toEqual(T0);
    expect(code(() => o.statAt(root, NOFOLLOW, 'a/link'))).toBe('no-entry');
    expect(readPath('top.txt')).toBe('top');
    lowerUnchanged();
  });

  it('when the upper layer is full, the copy-up fails whole and the lower file still shows', () => {
    const { o, upper, root, readPath, lowerUnchanged } = layers(undefined, new MemoryBackend({ quota: 1000 }));
    expect(code(() => o.openAt(root, 'a/big.bin', NOFOLLOW, {}, RW))).toBe('insufficient-space');
    expect(upper.usedBytes).toBe(0);
    expect(dump(upper)).toEqual({ a: '<dir>' });
    expect(readPath('a/big.bin').length).toBeGreaterThan(100_000);
    expect(o.statAt(root, NOFOLLOW, 'a').dataModificationTimestamp).toEqual(T0);
    lowerUnchanged();
  });
});

describe('descriptors across a copy-up', () => {
  it('a descriptor opened on a lower file reads the copy once it is copied up', () => {
    const { o, root, lowerUnchanged } = layers();
    const r1 = o.openAt(root, 'm/a', NOFOLLOW, {}, { read: true });
    const r2 = o.openAt(root, 'm/a', NOFOLLOW, {}, { read: true });
    expect(o.isSameObject(r1, r2)).toBe(true);
    o.close(r2);
    const w = o.openAt(root, 'm/a', NOFOLLOW, {}, RW);
    expect(td.decode(readAt(o, r1, 0n, 99))).toBe('lower a');
    o.write(w, 0n, te.encode('UPPER'));
    expect(td.decode(readAt(o, r1, 0n, 99))).toBe('UPPER a');
    expect(o.isSameObject(r1, w)).toBe(true);
    expect(o.metadataHash(r1)).toEqual(o.metadataHash(w));
    const later = o.openAt(root, 'm/a', NOFOLLOW, {}, { read: true });
    expect(o.isSameObject(r1, later)).toBe(true);
    expect(o.stat(r1).size).toBe(7n);
    lowerUnchanged();
  });

  it('a lower file unlinked while open stays readable; a new file at its name is another object', () => {
    const { o, root, create } = layers();
    const r = o.openAt(root, 'm/b', NOFOLLOW, {}, { read: true });
    o.unlinkFileAt(root, 'm/b');
    expect(td.decode(readAt(o, r, 0n, 99))).toBe('lower b');
    create('m/b', 'replacement');
    const n = o.openAt(root, 'm/b', NOFOLLOW, {}, { read: true });
    expect(o.isSameObject(r, n)).toBe(false);
    expect(td.decode(readAt(o, r, 0n, 99))).toBe('lower b');
    expect(td.decode(readAt(o, n, 0n, 99))).toBe('replacement');
  });

  it('a directory descriptor keeps its identity when the directory is copied up', () => {
    const { o, root, create } = layers();
    const d = o.openAt(root, 'a/b', NOFOLLOW, { directory: true }, DIR);
    const hash = o.metadataHash(d);
    o.setTimes(d, { tag: 'no-change' }, { tag: 'no-change' }); // copies it up, times as they were
    expect(o.metadataHash(d)).toEqual(hash);
    create('a/b/new', 'n');
    expect(o.isSameObject(d, o.openAt(root, 'a/b', NOFOLLOW, {}, { read: true }))).toBe(true);
    expect(o.readDirectory(d).map((e) => e.name)).toEqual(['c', 'new']);
  });
});

describe('whiteouts', () => {
  it('removing lower entries hides them; the lower layer keeps them and the upper holds no markers', () => {
    const { o, upper, root, names, create, lowerUnchanged } = layers();
    o.unlinkFileAt(root, 'top.txt');
    o.unlinkFileAt(root, 'a/b/c/f.txt');
    expect(code(() => o.statAt(root, NOFOLLOW, 'top.txt'))).toBe('no-entry');
    expect(code(() => o.statAt(root, FOLLOW, 'a/link'))).toBe('no-entry');
    expect(names('a/b/c')).toEqual(['g.txt']);
    expect(dump(upper)).toEqual({ a: '<dir>', 'a/b': '<dir>', 'a/b/c': '<dir>' });
    expect(toNs(o.statAt(root, NOFOLLOW, 'a/b/c').dataModificationTimestamp)).toBeGreaterThan(T0_NS);
    // a new file at a whited-out name, then removed again: the lower one stays hidden
    create('top.txt', 'new top');
    expect(td.decode(readAt(o, o.openAt(root, 'top.txt', NOFOLLOW, {}, { read: true }), 0n, 99))).toBe('new top');
    o.unlinkFileAt(root, 'top.txt');
    expect(code(() => o.statAt(root, NOFOLLOW, 'top.txt'))).toBe('no-entry');
    lowerUnchanged();
  });

  it('removing an upper entry that shadowed a lower one does not bring the lower one back', () => {
    const { o, root, names } = layers({ m: { dir: true }, 'm/b': 'upper b' });
    o.unlinkFileAt(root, 'm/b');
    expect(code(() => o.statAt(root, NOFOLLOW, 'm/b'))).toBe('no-entry');
    expect(names('m')).toEqual(['a', 'c', 'd', 'e']);
  });

  it('a directory removed and created again does not merge with the lower one (opaque)', () => {
    const { o, upper, root, names, create, lowerUnchanged } = layers();
    expect(code(() => o.removeDirectoryAt(root, 'm/d'))).toBe('not-empty');
    o.unlinkFileAt(root, 'm/d/x');
    expect(names('m/d')).toEqual([]);
    o.removeDirectoryAt(root, 'm/d');
    expect(names('m')).toEqual(['a', 'b', 'c', 'e']);
    o.createDirectoryAt(root, 'm/d');
    expect(names('m/d')).toEqual([]);
    expect(code(() => o.statAt(root, NOFOLLOW, 'm/d/x'))).toBe('no-entry');
    create('m/d/x', 'fresh');
    expect(dump(upper)).toEqual({ m: '<dir>', 'm/d': '<dir>', 'm/d/x': 'fresh' });
    lowerUnchanged();
  });

  it('renaming a lower file moves the copy and hides the original; replacing one hides it too', () => {
    const { o, root, readPath, names, lowerUnchanged } = layers();
    o.renameAt(root, 'm/a', root, 'a/moved');
    expect(readPath('a/moved')).toBe('lower a');
    expect(code(() => o.statAt(root, NOFOLLOW, 'm/a'))).toBe('no-entry');
    o.renameAt(root, 'm/b', root, 'm/c'); // lower over lower
    expect(readPath('m/c')).toBe('lower b');
    expect(names('m')).toEqual(['c', 'd', 'e']);
    o.unlinkFileAt(root, 'm/c');
    expect(names('m')).toEqual(['d', 'e']);
    lowerUnchanged();
  });

  it('whiteouts are the overlay’s own state: a new overlay on the same layers shows the lower entries again', () => {
    const { o, lower, upper, root } = layers();
    o.unlinkFileAt(root, 'top.txt');
    const again = new OverlayBackend(lower, upper);
    expect(again.statAt(again.root(), NOFOLLOW, 'top.txt').type).toBe('regular-file');
  });

  it('a removed directory held by a descriptor lists empty and takes no new entries', () => {
    const { o, root } = layers();
    const d = o.openAt(root, 'a/b/c', NOFOLLOW, { directory: true }, DIR);
    o.unlinkFileAt(d, 'f.txt');
    o.unlinkFileAt(d, 'g.txt');
    o.removeDirectoryAt(root, 'a/b/c');
    expect(o.readDirectory(d)).toEqual([]);
    expect(code(() => o.createDirectoryAt(d, 'x'))).toBe('no-entry');
    expect(code(() => o.openAt(d, 'f.txt', NOFOLLOW, {}, { read: true }))).toBe('no-entry');
    expect(code(() => o.openAt(d, 'y', NOFOLLOW, { create: true }, RW))).toBe('no-entry');
  });
});

describe('renaming directories', () => {
  it('a lower or merged directory is cross-device; one only in the upper layer moves with its descriptors', () => {
    const { o, root, readPath, names, create, lowerUnchanged } = layers({ m: { dir: true }, 'm/d': { dir: true } });
    expect(code(() => o.renameAt(root, 'a', root, 'z'))).toBe('cross-device');
    expect(code(() => o.renameAt(root, 'm/d', root, 'z'))).toBe('cross-device'); // merged
    expect(code(() => o.renameAt(root, 'a/b', root, 'a/b/c/in'))).toBe('invalid');
    expect(code(() => o.renameAt(root, 'empty', root, 'top.txt'))).toBe('not-directory');
    expect(code(() => o.renameAt(root, 'top.txt', root, 'empty'))).toBe('is-directory');
    o.createDirectoryAt(root, 'a/new');
    create('a/new/f', 'in new');
    const held = o.openAt(root, 'a/new', NOFOLLOW, { directory: true }, DIR);
    o.renameAt(root, 'a/new', root, 'm/renamed');
    expect(readPath('m/renamed/f')).toBe('in new');
    expect(readPath('f', held)).toBe('in new');
    create('m/renamed/g', 'g');
    expect(o.readDirectory(held).map((e) => e.name)).toEqual(['f', 'g']);
    // over an empty lower directory: the moved one does not merge with it
    o.renameAt(root, 'm/renamed', root, 'empty');
    expect(names('empty')).toEqual(['f', 'g']);
    expect(o.isSameObject(held, o.openAt(root, 'empty', NOFOLLOW, {}, { read: true }))).toBe(true);
    expect(code(() => o.statAt(root, NOFOLLOW, 'm/renamed'))).toBe('no-entry');
    // a directory created where a lower one was removed is the overlay's own: it moves
    o.unlinkFileAt(root, 'm/d/x');
    o.removeDirectoryAt(root, 'm/d');
    o.createDirectoryAt(root, 'm/d');
    o.renameAt(root, 'm/d', root, 'm/d2');
    expect(names('m')).toEqual(['a', 'b', 'c', 'd2', 'e']);
    lowerUnchanged();
  });
});

describe('the lower layer is only read', () => {
  it('no method that changes anything is ever called on it, and it may refuse every change', () => {
    const calls = new Set<string>();
    const opens: unknown[] = [];
    const base = populate(new MemoryBackend({ now: () => T0_NS }), LOWER);
    const lower = new Proxy(base, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.add(String(prop));
          if (prop === 'openAt') opens.push(args[3], args[4]);
          if (prop === 'root') opens.push(args[0]);
          return v.apply(target, args);
        };
      },
    }) as Backend;
    const o = new OverlayBackend(lower, new MemoryBackend());
    const root = o.root();
    const h = o.openAt(root, 'a/b/c/f.txt', NOFOLLOW, {}, { read: true });
    readAt(o, h, 0n, 9);
    o.write(o.openAt(root, 'a/b/c/f.txt', NOFOLLOW, {}, RW), 0n, te.encode('x'));
    o.openAt(root, 'm/a', NOFOLLOW, { truncate: true }, RW);
    o.unlinkFileAt(root, 'top.txt');
    o.unlinkFileAt(root, 'm/d/x');
    o.removeDirectoryAt(root, 'm/d');
    o.renameAt(root, 'm/b', root, 'm/bb');
    o.linkAt(root, NOFOLLOW, 'm/c', root, 'm/cc');
    o.symlinkAt(root, 'x', 'a/b/sl');
    o.setTimesAt(root, NOFOLLOW, 'a/link', { tag: 'now' }, { tag: 'now' });
    o.setTimesAt(root, NOFOLLOW, 'empty', { tag: 'now' }, { tag: 'now' });
    o.metadataHashAt(root, FOLLOW, 'm/e');
    o.isSameObject(h, h);
    o.readDirectory(root);
    o.close(h);
    const readers = ['root', 'openAt', 'stat', 'statAt', 'readDirectory', 'readlinkAt', 'readInto', 'close'];
    const extra = ['metadataHash', 'metadataHashAt', 'isSameObject'];
    expect([...calls].filter((c) => !readers.includes(c) && !extra.includes(c))).toEqual([]);
    for (const f of opens)
      if (f && typeof f === 'object')
        for (const k of ['write', 'mutateDirectory', 'create', 'truncate'])
          expect((f as Record<string, unknown>)[k] ?? false).toBe(false);
    // and so a lower layer with no mutate-directory at all serves the same
    const ro = populate(new MemoryBackend(), LOWER);
    const frozen = new OverlayBackend(wrapReadOnly(ro), new MemoryBackend());
    const fr = frozen.root();
    frozen.write(frozen.openAt(fr, 'a/b/c/f.txt', NOFOLLOW, {}, RW), 0n, te.encode('x'));
    frozen.unlinkFileAt(fr, 'top.txt');
    expect(frozen.readDirectory(fr).map((e) => e.name)).toEqual(['a', 'empty', 'm']);
  });
});

/** A backend whose root never has mutate-directory (as a read-only NodeBackend's). */
function wrapReadOnly(b: MemoryBackend): Backend {
  const out: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(b))))
    if (k !== 'constructor' && typeof d.value === 'function')
      out[k] = (...args: unknown[]) => (d.value as (...a: unknown[]) => unknown).apply(b, args);
  out.root = () => b.root({ read: true });
  return out as unknown as Backend;
}

describe('handles and identity', () => {
  it('handles of another backend, or closed ones, are bad-descriptor', () => {
    const { o, lower, upper, root } = layers();
    expect(code(() => o.stat(lower.root()))).toBe('bad-descriptor');
    expect(code(() => o.readDirectory(upper.root()))).toBe('bad-descriptor');
    expect(code(() => lower.stat(root))).toBe('bad-descriptor');
    const h = o.openAt(root, 'top.txt', NOFOLLOW, {}, { read: true });
    o.close(h);
    expect(code(() => readAt(o, h, 0n, 1))).toBe('bad-descriptor');
    expect(code(() => o.close(h))).toBe('bad-descriptor');
  });

  it('directories are the same object by any path, and different from each other', () => {
    const { o, root } = layers({ m: { dir: true } });
    const m1 = o.openAt(root, 'm', NOFOLLOW, {}, { read: true });
    const m2 = o.openAt(root, 'm/d/..', NOFOLLOW, {}, { read: true });
    const m3 = o.openAt(o.openAt(root, 'm/d', NOFOLLOW, {}, { read: true }), '.', NOFOLLOW, {}, { read: true });
    expect(o.isSameObject(m1, m2)).toBe(true);
    expect(o.isSameObject(m1, m3)).toBe(false);
    expect(o.isSameObject(m3, o.openAt(root, 'm/d', NOFOLLOW, {}, { read: true }))).toBe(true);
    expect(o.isSameObject(root, o.openAt(root, 'm/..', NOFOLLOW, {}, { read: true }))).toBe(true);
    expect(o.metadataHash(m2)).toEqual(o.metadataHash(m1));
    expect(o.metadataHash(m3)).not.toEqual(o.metadataHash(m1));
    expect(code(() => o.openAt(m1, '..', NOFOLLOW, {}, { read: true }))).toBe('not-permitted');
  });
});
