// Every way out of a NodeBackend preopen we know of, each tried and refused; then the same
// through an OverlayBackend over it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Handle, NodeBackend, OverlayBackend } from '../src/index.ts';
import { code } from './helpers.ts';

const FOLLOW = { symlinkFollow: true };
const NOFOLLOW = {};
const RW = { read: true, write: true };
const DIR = { read: true, mutateDirectory: true };
const ETC = `${'../'.repeat(12)}etc`;

let tmp: string;
let pre: string;
let b: NodeBackend;
let root: Handle;

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'weft-sandbox-')));
  fs.writeFileSync(path.join(tmp, 'secret'), 'outside');
  pre = path.join(tmp, 'a', 'b', 'pre');
  fs.mkdirSync(pre, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'a', 'b', 'secret'), 'outside');
  b = new NodeBackend(pre);
  root = b.root();
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const outside = () => fs.readdirSync(path.join(tmp, 'a', 'b')).sort();

describe('paths', () => {
  it('`..` chains never leave the preopen', () => {
    b.createDirectoryAt(root, 'x');
    for (const p of ['..', '../secret', 'x/../../secret', 'x/../x/../../pre', '../../../../../../etc/passwd', './..'])
      expect(code(() => b.statAt(root, FOLLOW, p))).toBe('not-permitted');
    expect(code(() => b.openAt(root, '../secret', FOLLOW, {}, { read: true }))).toBe('not-permitted');
    expect(code(() => b.openAt(root, '../evil', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => b.createDirectoryAt(root, 'x/../../evil'))).toBe('not-permitted');
    expect(code(() => b.unlinkFileAt(root, '../secret'))).toBe('not-permitted');
    expect(code(() => b.renameAt(root, 'x', root, '../x'))).toBe('not-permitted');
    expect(code(() => b.renameAt(root, '../secret', root, 'stolen'))).toBe('not-permitted');
    expect(code(() => b.linkAt(root, NOFOLLOW, '../secret', root, 'stolen'))).toBe('not-permitted');
    expect(code(() => b.symlinkAt(root, 'x', '../evil'))).toBe('not-permitted');
    const x = b.openAt(root, 'x', NOFOLLOW, { directory: true }, DIR);
    expect(code(() => b.statAt(x, FOLLOW, '..'))).toBe('not-permitted'); // relative to the descriptor
    expect(outside()).toEqual(['pre', 'secret']);
  });

  it('absolute paths are not-permitted', () => {
    for (const p of ['/', '/etc', '/etc/passwd', path.join(pre, 'x')])
      expect(code(() => b.statAt(root, FOLLOW, p))).toBe('not-permitted');
    expect(code(() => b.openAt(root, '/tmp/evil', NOFOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => b.createDirectoryAt(root, '/tmp/evil'))).toBe('not-permitted');
  });
});

describe('symlinks', () => {
  it('a guest-made symlink to ../../../../etc is refused when followed', () => {
    b.symlinkAt(root, ETC, 'etc');
    expect(code(() => b.statAt(root, FOLLOW, 'etc'))).toBe('not-permitted');
    expect(code(() => b.statAt(root, FOLLOW, 'etc/passwd'))).toBe('not-permitted');
    expect(code(() => b.statAt(root, NOFOLLOW, 'etc/passwd'))).toBe('not-permitted');
    expect(code(() => b.openAt(root, 'etc', FOLLOW, { directory: true }, { read: true }))).toBe('not-permitted');
    expect(code(() => b.openAt(root, 'etc/passwd', FOLLOW, {}, { read: true }))).toBe('not-permitted');
    expect(code(() => b.openAt(root, 'etc/evil', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => b.readlinkAt(root, 'etc/passwd'))).toBe('not-permitted');
    expect(code(() => b.linkAt(root, FOLLOW, 'etc/passwd', root, 'pw'))).toBe('not-permitted');
    expect(code(() => b.metadataHashAt(root, FOLLOW, 'etc'))).toBe('not-permitted');
    // not following it gives the link itself
    expect(b.statAt(root, NOFOLLOW, 'etc').type).toBe('symbolic-link');
    expect(b.readlinkAt(root, 'etc')).toBe(ETC);
    expect(code(() => b.openAt(root, 'etc', NOFOLLOW, {}, { read: true }))).toBe('loop');
  });

  it('host-made symlinks out (relative and absolute) are refused', () => {
    fs.symlinkSync('../secret', path.join(pre, 'rel'));
    fs.symlinkSync(path.join(tmp, 'secret'), path.join(pre, 'abs'));
    fs.symlinkSync('/etc', path.join(pre, 'etc'));
    fs.symlinkSync('..', path.join(pre, 'up'));
    for (const p of ['rel', 'abs', 'etc', 'etc/passwd', 'up', 'up/secret']) {
      expect(code(() => b.statAt(root, FOLLOW, p))).toBe('not-permitted');
      expect(code(() => b.openAt(root, p, FOLLOW, {}, { read: true }))).toBe('not-permitted');
    }
    expect(b.readlinkAt(root, 'abs')).toBe(path.join(tmp, 'secret'));
    expect(code(() => b.openAt(root, 'up/new', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => b.createDirectoryAt(root, 'up/new'))).toBe('not-permitted');
    expect(outside()).toEqual(['pre', 'secret']);
  });

  it('the guest may not create a symlink to an absolute path', () => {
    expect(code(() => b.symlinkAt(root, '/etc', 'etc'))).toBe('not-permitted');
    expect(fs.readdirSync(pre)).toEqual([]);
  });

  it('symlinks inside the preopen are followed, including through `..`', () => {
    b.createDirectoryAt(root, 'd');
    const f = b.openAt(root, 'file', NOFOLLOW, { create: true }, RW);
    b.write(f, 0n, new TextEncoder().encode('in'));
    b.symlinkAt(root, '../file', 'd/up');
    expect(b.statAt(root, FOLLOW, 'd/up').size).toBe(2n);
    // the same link from a descriptor of `d` points above that descriptor: refused
    const d = b.openAt(root, 'd', NOFOLLOW, { directory: true }, DIR);
    expect(code(() => b.statAt(d, FOLLOW, 'up'))).toBe('not-permitted');
  });

  it('symlink loops are `loop`', () => {
    b.symlinkAt(root, 'b', 'a');
    b.symlinkAt(root, 'a', 'b');
    b.symlinkAt(root, '.', 'dot');
    b.symlinkAt(root, 'me/me', 'me');
    expect(code(() => b.statAt(root, FOLLOW, 'a'))).toBe('loop');
    expect(code(() => b.openAt(root, 'a/x', FOLLOW, { create: true }, RW))).toBe('loop');
    expect(code(() => b.statAt(root, FOLLOW, 'me'))).toBe('loop');
    expect(b.statAt(root, FOLLOW, `${'dot/'.repeat(40)}`).type).toBe('directory');
    expect(code(() => b.statAt(root, FOLLOW, `${'dot/'.repeat(41)}`))).toBe('loop');
  });
});

describe('descriptors follow their directory, not its old path', () => {
  function openSub() {
    b.createDirectoryAt(root, 'sub');
    const m = b.openAt(root, 'sub/marker', NOFOLLOW, { create: true }, RW);
    b.close(m);
    return b.openAt(root, 'sub', NOFOLLOW, { directory: true }, DIR);
  }

  it('the preview2-shim escape: rename sub, put a symlink to /etc at its old name, use the old descriptor', () => {
    const sub = openSub();
    b.renameAt(root, 'sub', root, 'moved');
    b.symlinkAt(root, ETC, 'sub');
    expect(b.readDirectory(sub).map((e) => e.name)).toEqual(['marker']);
    expect(code(() => b.statAt(sub, FOLLOW, 'passwd'))).toBe('no-entry');
    expect(code(() => b.openAt(sub, 'passwd', FOLLOW, {}, { read: true }))).toBe('no-entry');
    const f = b.openAt(sub, 'created', NOFOLLOW, { create: true }, RW);
    b.close(f);
    expect(fs.readdirSync(path.join(pre, 'moved')).sort()).toEqual(['created', 'marker']);
    expect(b.stat(sub).type).toBe('directory');
    expect(b.isSameObject(sub, b.openAt(root, 'moved', NOFOLLOW, {}, { read: true }))).toBe(true);
  });

  it('the same when the host process renames it and leaves a symlink behind', () => {
    const sub = openSub();
    fs.renameSync(path.join(pre, 'sub'), path.join(pre, 'elsewhere'));
    fs.symlinkSync('/etc', path.join(pre, 'sub'));
    expect(b.readDirectory(sub).map((e) => e.name)).toEqual(['marker']);
    b.createDirectoryAt(sub, 'made');
    expect(fs.existsSync(path.join(pre, 'elsewhere', 'made'))).toBe(true);
  });

  it('a directory replaced by another directory at the same name is not confused with it', () => {
    const sub = openSub();
    b.renameAt(root, 'sub', root, 'old');
    b.createDirectoryAt(root, 'sub');
    b.createDirectoryAt(sub, 'new-entry');
    expect(fs.readdirSync(path.join(pre, 'old')).sort()).toEqual(['marker', 'new-entry']);
    expect(fs.readdirSync(path.join(pre, 'sub'))).toEqual([]);
  });

  it('a directory moved out of the preopen, or removed, is bad-descriptor', () => {
    const sub = openSub();
    fs.renameSync(path.join(pre, 'sub'), path.join(tmp, 'outside-now'));
    expect(code(() => b.readDirectory(sub))).toBe('bad-descriptor');
    expect(code(() => b.statAt(sub, FOLLOW, 'marker'))).toBe('bad-descriptor');
    expect(code(() => b.createDirectoryAt(sub, 'x'))).toBe('bad-descriptor');
    expect(fs.readdirSync(path.join(tmp, 'outside-now'))).toEqual(['marker']);
    b.createDirectoryAt(root, 'gone');
    const gone = b.openAt(root, 'gone', NOFOLLOW, { directory: true }, DIR);
    b.removeDirectoryAt(root, 'gone');
    expect(code(() => b.stat(gone))).toBe('bad-descriptor');
  });

  it('a preopen moved or replaced on the host is bad-descriptor', () => {
    fs.renameSync(pre, `${pre}-moved`);
    fs.symlinkSync('/etc', pre);
    expect(code(() => b.readDirectory(root))).toBe('bad-descriptor');
    expect(code(() => b.statAt(root, FOLLOW, 'passwd'))).toBe('bad-descriptor');
  });

  it('an open file keeps its file across renames and a symlink at its old name', () => {
    const f = b.openAt(root, 'f', NOFOLLOW, { create: true }, RW);
    b.renameAt(root, 'f', root, 'g');
    b.symlinkAt(root, '../secret', 'f');
    b.write(f, 0n, new TextEncoder().encode('mine'));
    expect(fs.readFileSync(path.join(pre, 'g'), 'utf8')).toBe('mine');
    expect(fs.readFileSync(path.join(tmp, 'a', 'b', 'secret'), 'utf8')).toBe('outside');
  });
});

// The same routes through an OverlayBackend: a read-only NodeBackend lower (a host directory with
// symlinks pointing out, as a bundled tree might carry) under a NodeBackend upper at `pre`.
describe('overlay', () => {
  let lowerDir: string;
  let o: OverlayBackend;
  let oroot: Handle;
  const lowerListing = () => fs.readdirSync(lowerDir).sort();

  beforeEach(() => {
    lowerDir = path.join(tmp, 'lower');
    fs.mkdirSync(path.join(lowerDir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(lowerDir, 'sub', 'file'), 'lower file');
    fs.symlinkSync('../secret', path.join(lowerDir, 'rel'));
    fs.symlinkSync(path.join(tmp, 'secret'), path.join(lowerDir, 'abs'));
    fs.symlinkSync('/etc', path.join(lowerDir, 'etc'));
    fs.symlinkSync('..', path.join(lowerDir, 'up'));
    fs.symlinkSync('../../a/b/secret', path.join(lowerDir, 'sub', 'deep'));
    o = new OverlayBackend(new NodeBackend(lowerDir, { readOnly: true }), b);
    oroot = o.root();
  });
  const LOWER = ['abs', 'etc', 'rel', 'sub', 'up'];

  it('`..` chains and absolute paths never leave the overlay root', () => {
    for (const p of [
      '..',
      '../secret',
      'sub/../../secret',
      'sub/../sub/../../pre',
      `${ETC}/passwd`,
      './..',
      '/etc',
      '/',
    ])
      expect(code(() => o.statAt(oroot, FOLLOW, p))).toBe('not-permitted');
    expect(code(() => o.openAt(oroot, '../secret', FOLLOW, {}, { read: true }))).toBe('not-permitted');
    expect(code(() => o.openAt(oroot, '../evil', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => o.openAt(oroot, '/tmp/evil', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => o.createDirectoryAt(oroot, 'sub/../../evil'))).toBe('not-permitted');
    expect(code(() => o.unlinkFileAt(oroot, '../secret'))).toBe('not-permitted');
    expect(code(() => o.renameAt(oroot, 'sub/file', oroot, '../stolen'))).toBe('not-permitted');
    expect(code(() => o.renameAt(oroot, '../secret', oroot, 'stolen'))).toBe('not-permitted');
    expect(code(() => o.linkAt(oroot, NOFOLLOW, '../secret', oroot, 'stolen'))).toBe('not-permitted');
    expect(code(() => o.symlinkAt(oroot, 'x', '../evil'))).toBe('not-permitted');
    expect(code(() => o.symlinkAt(oroot, '/etc', 'etc2'))).toBe('not-permitted');
    const sub = o.openAt(oroot, 'sub', NOFOLLOW, { directory: true }, DIR);
    expect(code(() => o.statAt(sub, FOLLOW, '..'))).toBe('not-permitted');
    expect(code(() => o.openAt(sub, '../sub/x', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(outside()).toEqual(['pre', 'secret']);
    expect(lowerListing()).toEqual(LOWER);
    expect(fs.readdirSync(pre)).toEqual([]);
  });

  it('lower symlinks pointing out are refused when followed, and still after a copy-up', () => {
    for (const p of ['rel', 'abs', 'etc', 'etc/passwd', 'up', 'up/secret', 'up/lower/sub', 'sub/deep']) {
      expect(code(() => o.statAt(oroot, FOLLOW, p))).toBe('not-permitted');
      expect(code(() => o.openAt(oroot, p, FOLLOW, {}, { read: true }))).toBe('not-permitted');
    }
    expect(code(() => o.openAt(oroot, 'up/new', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => o.createDirectoryAt(oroot, 'etc/new'))).toBe('not-permitted');
    expect(code(() => o.setTimesAt(oroot, FOLLOW, 'rel', { tag: 'now' }, { tag: 'now' }))).toBe('not-permitted');
    expect(code(() => o.linkAt(oroot, FOLLOW, 'sub/deep', oroot, 'stolen'))).toBe('not-permitted');
    expect(o.readlinkAt(oroot, 'abs')).toBe(path.join(tmp, 'secret'));
    expect(o.statAt(oroot, NOFOLLOW, 'etc').type).toBe('symbolic-link');
    // copied up (renamed), a relative link is the same link, refused the same way
    o.renameAt(oroot, 'sub/deep', oroot, 'deep2');
    expect(fs.readlinkSync(path.join(pre, 'deep2'))).toBe('../../a/b/secret');
    expect(code(() => o.statAt(oroot, FOLLOW, 'deep2'))).toBe('not-permitted');
    // an absolute one cannot be copied into the upper layer at all
    expect(code(() => o.renameAt(oroot, 'abs', oroot, 'abs2'))).toBe('not-permitted');
    expect(code(() => o.setTimesAt(oroot, NOFOLLOW, 'etc', { tag: 'now' }, { tag: 'now' }))).toBe('not-permitted');
    expect(outside()).toEqual(['pre', 'secret']);
    expect(fs.readFileSync(path.join(tmp, 'a', 'b', 'secret'), 'utf8')).toBe('outside');
    expect(lowerListing()).toEqual(LOWER);
  });

  it('guest-made and host-made symlinks out of the upper layer are refused', () => {
    o.symlinkAt(oroot, ETC, 'sub/etc'); // in a lower directory: copied up, then made there
    expect(fs.readlinkSync(path.join(pre, 'sub', 'etc'))).toBe(ETC);
    expect(code(() => o.statAt(oroot, FOLLOW, 'sub/etc/passwd'))).toBe('not-permitted');
    expect(code(() => o.openAt(oroot, 'sub/etc/evil', FOLLOW, { create: true }, RW))).toBe('not-permitted');
    expect(code(() => o.createDirectoryAt(oroot, 'sub/etc/evil'))).toBe('not-permitted');
    fs.symlinkSync('/etc', path.join(pre, 'hostetc'));
    fs.symlinkSync('../secret', path.join(pre, 'hostrel'));
    expect(code(() => o.statAt(oroot, FOLLOW, 'hostetc/passwd'))).toBe('not-permitted');
    expect(code(() => o.openAt(oroot, 'hostrel', FOLLOW, {}, RW))).toBe('not-permitted');
    expect(outside()).toEqual(['pre', 'secret']);
  });

  it('the preview2-shim escape: a held directory renamed, a symlink out put at its old name', () => {
    // a directory only in the upper layer: the descriptor follows it
    o.createDirectoryAt(oroot, 'mine');
    o.close(o.openAt(oroot, 'mine/marker', NOFOLLOW, { create: true }, RW));
    const mine = o.openAt(oroot, 'mine', NOFOLLOW, { directory: true }, DIR);
    o.renameAt(oroot, 'mine', oroot, 'moved');
    o.symlinkAt(oroot, ETC, 'mine');
    expect(o.readDirectory(mine).map((e) => e.name)).toEqual(['marker']);
    expect(code(() => o.statAt(mine, FOLLOW, 'passwd'))).toBe('no-entry');
    o.close(o.openAt(mine, 'created', NOFOLLOW, { create: true }, RW));
    expect(fs.readdirSync(path.join(pre, 'moved')).sort()).toEqual(['created', 'marker']);
    // a lower directory cannot be renamed; emptied, removed and replaced by a symlink, its old
    // descriptor sees nothing and makes nothing
    const sub = o.openAt(oroot, 'sub', NOFOLLOW, { directory: true }, DIR);
    expect(code(() => o.renameAt(oroot, 'sub', oroot, 'sub2'))).toBe('cross-device');
    o.unlinkFileAt(oroot, 'sub/file');
    o.unlinkFileAt(oroot, 'sub/deep');
    o.removeDirectoryAt(oroot, 'sub');
    o.symlinkAt(oroot, ETC, 'sub');
    expect(o.readDirectory(sub)).toEqual([]);
    expect(code(() => o.statAt(sub, FOLLOW, 'passwd'))).toBe('no-entry');
    expect(code(() => o.openAt(sub, 'evil', NOFOLLOW, { create: true }, RW))).toBe('no-entry');
    expect(code(() => o.createDirectoryAt(sub, 'evil'))).toBe('no-entry');
    expect(outside()).toEqual(['pre', 'secret']);
    expect(lowerListing()).toEqual(LOWER);
    expect(fs.readdirSync(path.join(lowerDir, 'sub')).sort()).toEqual(['deep', 'file']);
  });

  it('the same when the host renames a held upper directory and leaves a symlink behind', () => {
    o.createDirectoryAt(oroot, 'held');
    const held = o.openAt(oroot, 'held', NOFOLLOW, { directory: true }, DIR);
    fs.renameSync(path.join(pre, 'held'), path.join(pre, 'elsewhere'));
    fs.symlinkSync('/etc', path.join(pre, 'held'));
    expect(code(() => o.statAt(held, FOLLOW, 'passwd'))).toBe('no-entry');
    o.createDirectoryAt(held, 'made');
    expect(fs.existsSync(path.join(pre, 'elsewhere', 'made'))).toBe(true);
    expect(code(() => o.statAt(oroot, FOLLOW, 'held/passwd'))).toBe('no-entry');
    expect(outside()).toEqual(['pre', 'secret']);
  });
});
