// The C guest (test/guests/fs.c, clang-22 against the raw canonical ABI) run through
// createFilesystem + wasi-cli's host, on a NodeBackend over a temp dir (a secret file beside
// it) and on a MemoryBackend: every escape route of issue 10 tried from inside a component,
// read-via-stream / write-via-stream / append-via-stream / read-directory and their futures,
// and a large file streamed in bounded memory.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Component } from '@weft/core';
import { CaptureSink, createCliHost, type StdinOption, runCommand } from '@weft/wasi-cli';
import {
  type Backend,
  createFilesystem,
  FsError,
  type Handle,
  MemoryBackend,
  NodeBackend,
  OverlayBackend,
  type PreopensOption,
} from '@weft/wasi-fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

let component: Component;
beforeAll(async () => {
  component = await Component.compile(fs.readFileSync(new URL('./guests/fs.wasm', import.meta.url)));
});

interface Run {
  code: number;
  out: string;
  err: string;
  bytes: Uint8Array;
}

async function run(args: string[], preopens: PreopensOption, stdin: StdinOption = 'ignore'): Promise<Run> {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const cli = createCliHost({ stdin, stdout, stderr, args: ['fs', ...args] });
  const instance = await component.instantiate({
    ...cli.imports,
    // wasi:clocks/system-clock is imported too, for its `instant` type only: the linker needs no host object
    ...createFilesystem({ preopens }),
  });
  const code = await runCommand(instance, { drain: cli.drain });
  return { code, out: stdout.text(), err: stderr.text(), bytes: stdout.bytes() };
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Bytes that differ at every offset mod 251, so a misplaced chunk shows. */
function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed + (i >>> 11)) % 251;
  return b;
}

// ---- the two backends, behind one fixture ----

interface Fixture {
  kind: 'node' | 'memory' | 'overlay';
  /** What goes into `preopens` for the guest's first directory. */
  preopen: Backend | string;
  put(p: string, data: Uint8Array | string): void;
  get(p: string): Uint8Array;
  has(p: string): boolean;
  mkdir(p: string): void;
  symlink(target: string, p: string): void;
  list(dir?: string): string[];
  /** Node only: the temp dir holding `sandbox/` (the preopen) and `secret.txt`. */
  tmp?: string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

function nodeFixture(): Fixture {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'weft-fs-guest-')));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const sandbox = path.join(tmp, 'sandbox');
  fs.mkdirSync(sandbox);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'top secret\n');
  const at = (p: string) => path.join(sandbox, p);
  return {
    kind: 'node',
    preopen: sandbox, // a host directory string: createFilesystem makes the NodeBackend
    tmp,
    put: (p, data) => fs.writeFileSync(at(p), data),
    get: (p) => new Uint8Array(fs.readFileSync(at(p))),
    has: (p) => fs.existsSync(at(p)) || isLink(at(p)),
    mkdir: (p) => fs.mkdirSync(at(p)),
    symlink: (target, p) => fs.symlinkSync(target, at(p)),
    list: (d = '.') => fs.readdirSync(at(d)).sort(),
  };
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function memoryFixture(b: Backend = new MemoryBackend()): Fixture {
  const root = b.root();
  const open = (p: string, write: boolean): Handle =>
    b.openAt(
      root,
      p,
      { symlinkFollow: true },
      write ? { create: true, truncate: true } : {},
      write ? { write } : { read: true },
    );
  return {
    kind: 'memory',
    preopen: b,
    put(p, data) {
      const h = open(p, true);
      b.write(h, 0n, typeof data === 'string' ? enc(data) : data);
      b.close(h);
    },
    get(p) {
      const h = open(p, false);
      const size = Number(b.stat(h).size);
      const buf = new Uint8Array(size);
      const n = b.readInto(h, 0n, buf);
      b.close(h);
      return buf.subarray(0, n);
    },
    has(p) {
      try {
        b.statAt(root, {}, p);
        return true;
      } catch (e) {
        if (e instanceof FsError && e.code === 'no-entry') return false;
        throw e;
      }
    },
    mkdir: (p) => b.createDirectoryAt(root, p),
    symlink: (target, p) => b.symlinkAt(root, target, p),
    list(d = '.') {
      const h = d === '.' ? root : b.openAt(root, d, {}, { directory: true }, { read: true });
      return b
        .readDirectory(h)
        .map((e) => e.name)
        .sort();
    },
  };
}

/**
 * A read-only host tree under an in-memory layer. The lower tree holds what a host could plant
 * (symlinks to absolute paths and out of it); `tmp` is the temp dir holding `lower/` and
 * `secret.txt`.
 */
function overlayFixture(): Fixture {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'weft-fs-overlay-')));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const lower = path.join(tmp, 'lower');
  fs.mkdirSync(lower);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'top secret\n');
  fs.symlinkSync('/etc/hostname', path.join(lower, 'host-abs'));
  fs.symlinkSync('/etc', path.join(lower, 'host-etc'));
  fs.symlinkSync('../secret.txt', path.join(lower, 'host-rel'));
  const b = new OverlayBackend(new NodeBackend(lower, { readOnly: true }), new MemoryBackend());
  return { ...memoryFixture(b), kind: 'overlay', tmp };
}

const fixtures = { node: nodeFixture, memory: () => memoryFixture(), overlay: overlayFixture };

/** `Base` whose reads fail with `code` once they would reach past byte `limit` (a disk error mid-file). */
function failingReads<B extends new (...args: any[]) => Backend>(Base: B, limit: number, code: 'io' = 'io') {
  return class extends Base {
    override readInto(h: Handle, offset: bigint, target: Uint8Array): number {
      if (Number(offset) + target.length > limit) throw new FsError(code, 'injected');
      return super.readInto(h, offset, target);
    }
  };
}

// ---- the escape suite ----

/** What the guest must get on each route (fs.c `escape`); `host-*` depend on what the host could plant. */
function expectedEscape(kind: Fixture['kind']): Record<string, string> {
  const planted = kind === 'memory' ? 'no-entry' : 'not-permitted';
  return {
    'own-file': 'ok',
    'dotdot-open': 'not-permitted',
    'dotdot-deep': 'not-permitted',
    'dotdot-inner': 'not-permitted',
    'dotdot-dot': 'not-permitted',
    'dotdot-stat': 'not-permitted',
    'dotdot-create': 'not-permitted',
    'dotdot-mkdir': 'not-permitted',
    'dotdot-rename-in': 'not-permitted',
    'dotdot-rename-out': 'not-permitted',
    'dotdot-link-in': 'not-permitted',
    'dotdot-link-out': 'not-permitted',
    'dotdot-unlink': 'not-permitted',
    'dotdot-symlink-place': 'not-permitted',
    'absolute-open': 'not-permitted',
    'absolute-create': 'not-permitted',
    'absolute-stat': 'not-permitted',
    'absolute-symlink': 'not-permitted',
    'symlink-make': 'ok',
    'symlink-open': 'not-permitted',
    'symlink-nofollow': 'loop',
    'symlink-stat': 'not-permitted',
    'symlink-create': 'not-permitted',
    'symlink-link': 'not-permitted',
    'symlink-dir': 'not-permitted',
    'symlink-dir-create': 'not-permitted',
    'symlink-dir-indirect': 'not-permitted',
    'symlink-loop': 'loop',
    // absolute symlinks only a NodeBackend's host can plant (MemoryBackend refuses to make them)
    'host-absolute': planted,
    'host-absolute-dir': planted,
    'host-absolute-dir-create': planted,
    'host-relative': 'not-permitted',
    // the preview2-shim escape: the held descriptor follows its directory to `sub-moved`
    'shim-mkdir': 'ok',
    'shim-open': 'ok',
    'shim-rename': 'ok',
    'shim-symlink': 'ok',
    'shim-read': 'no-entry',
    'shim-create': 'ok',
    'shim-list': 'ok weft-escape.txt',
    'shim-dotdot': 'not-permitted',
    'shim2-open': 'ok',
    'shim2-rename': 'ok',
    'shim2-symlink': 'ok',
    'shim2-read': 'no-entry',
    'shim2-create': 'ok',
    'shim2-list': 'ok planted.txt',
    'root-list': `ok d,hello.txt,${kind === 'memory' ? '' : 'host-abs,host-etc,'}host-rel,mine.txt,out,self,sub,sub-moved,sub2,sub2-moved,up,up2`,
  };
}

function parseLines(out: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const i = line.indexOf(': ');
    r[line.slice(0, i)] = line.slice(i + 2);
  }
  return r;
}

/** Everything about the host outside the sandbox that an escape would change. */
function outsideState(tmp: string) {
  const etc = ['weft-escape.txt', 'weft-planted.txt'].map((f) => fs.existsSync(path.join('/etc', f)));
  return {
    tmp: fs.readdirSync(tmp).sort(),
    secret: fs.readFileSync(path.join(tmp, 'secret.txt'), 'utf8'),
    etc,
    tmpPlanted: fs.existsSync(path.join(os.tmpdir(), 'weft-planted.txt')),
    hostname: fs.existsSync('/etc/hostname') ? fs.readFileSync('/etc/hostname', 'utf8') : undefined,
  };
}

describe.each(['node', 'memory', 'overlay'] as const)(
  'escape routes through wasi:filesystem@0.3.0 (%s backend)',
  (kind) => {
    it('refuses every route with the right code and changes nothing outside', async () => {
      const f = fixtures[kind]();
      f.put('hello.txt', 'hello\n');
      if (kind === 'overlay') {
        // planted in the lower tree by overlayFixture
      } else if (f.tmp) {
        const sandbox = path.join(f.tmp, 'sandbox');
        fs.symlinkSync('/etc/hostname', path.join(sandbox, 'host-abs'));
        fs.symlinkSync('/etc', path.join(sandbox, 'host-etc'));
        fs.symlinkSync('../secret.txt', path.join(sandbox, 'host-rel'));
      } else {
        const b = f.preopen as MemoryBackend;
        b.symlinkAt(b.root(), '../secret.txt', 'host-rel');
        // a MemoryBackend has no way to hold an absolute symlink
        expect(() => b.symlinkAt(b.root(), '/etc', 'host-etc')).toThrow(/not-permitted/);
      }
      const before = f.tmp ? outsideState(f.tmp) : undefined;

      const r = await run(['escape'], { '/sandbox': f.preopen });
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const got = parseLines(r.out);
      const want = expectedEscape(kind);
      // route by route, so a failure names the route that escaped
      for (const [route, code] of Object.entries(want)) expect({ route, code: got[route] }).toEqual({ route, code });
      expect(Object.keys(got)).toEqual(Object.keys(want));

      // what the held descriptors did landed inside, in the renamed directories
      expect(dec(f.get('sub-moved/weft-escape.txt'))).toBe('planted by the guest\n');
      expect(dec(f.get('sub2-moved/planted.txt'))).toBe('planted by the guest\n');
      expect(f.list('sub-moved')).toEqual(['weft-escape.txt']);
      expect(dec(f.get('hello.txt'))).toBe('hello\n');
      if (kind === 'overlay') {
        expect(outsideState(f.tmp!)).toEqual(before);
        // the lower tree is never written: everything the guest made is in the upper layer
        expect(fs.readdirSync(path.join(f.tmp!, 'lower')).sort()).toEqual(['host-abs', 'host-etc', 'host-rel']);
      } else if (f.tmp) {
        expect(outsideState(f.tmp)).toEqual(before);
        expect(fs.readlinkSync(path.join(f.tmp, 'sandbox', 'sub'))).toBe(`${'../'.repeat(12)}etc`);
      }
    });
  },
);

// ---- streams ----

describe.each(['node', 'memory'] as const)('descriptor streams (%s backend)', (kind) => {
  it('read-via-stream gives the file and completes its future with ok', async () => {
    const f = fixtures[kind]();
    const data = pattern(3_000_017);
    f.put('data.bin', data);
    const r = await run(['cat', 'data.bin'], { '/': f.preopen });
    expect(r).toMatchObject({ code: 0, err: 'read: ok\n' });
    expect(r.bytes.length).toBe(data.length);
    expect(Buffer.compare(r.bytes, data)).toBe(0);
    // from an offset; at and past the end: nothing, ok
    const from = await run(['cat', 'data.bin', '2999000'], { '/': f.preopen });
    expect(Buffer.compare(from.bytes, data.subarray(2_999_000))).toBe(0);
    expect(from.err).toBe('read: ok\n');
    for (const off of ['3000017', '9000000']) {
      const past = await run(['cat', 'data.bin', off], { '/': f.preopen });
      expect(past).toMatchObject({ code: 0, out: '', err: 'read: ok\n' });
    }
    f.put('empty', '');
    expect(await run(['cat', 'empty'], { '/': f.preopen })).toMatchObject({ code: 0, out: '', err: 'read: ok\n' });
  });

  it('a stream outlives its descriptor: dropped before the stream is read, the file still streams', async () => {
    const f = fixtures[kind]();
    const data = pattern(500_000, 5);
    f.put('data.bin', data);
    const r = await run(['cat-detached', 'data.bin'], { '/': f.preopen });
    expect(r).toMatchObject({ code: 0, err: 'read: ok\n' });
    expect(Buffer.compare(r.bytes, data)).toBe(0);
  });

  it('a stream dropped early still settles its future (ok)', async () => {
    const f = fixtures[kind]();
    f.put('data.bin', pattern(1_000_000));
    const r = await run(['head', 'data.bin', '1000'], { '/': f.preopen });
    expect(r).toMatchObject({ code: 0, err: 'read: ok\n' });
    expect(Buffer.compare(r.bytes, pattern(1000))).toBe(0);
  });

  it('read-via-stream on what cannot be read fails through its future', async () => {
    const f = fixtures[kind]();
    f.mkdir('d');
    expect(await run(['cat', 'nope'], { '/': f.preopen })).toMatchObject({ code: 1, out: '', err: 'open: no-entry\n' });
    // a directory opens for reading, but has no bytes to stream
    expect(await run(['cat', 'd'], { '/': f.preopen })).toMatchObject({
      code: 1,
      out: '',
      err: 'read: is-directory\n',
    });
  });

  it('an error mid-stream ends the stream and resolves the future with that error', async () => {
    const limit = 200_000;
    const data = pattern(1_000_000, 3);
    let preopen: Backend;
    if (kind === 'node') {
      const f = nodeFixture();
      f.put('data.bin', data);
      preopen = new (failingReads(NodeBackend, limit))(path.join(f.tmp!, 'sandbox'));
    } else {
      const b = new (failingReads(MemoryBackend, limit))();
      memoryFixture(b).put('data.bin', data);
      preopen = b;
    }
    const r = await run(['cat', 'data.bin'], { '/': preopen });
    expect(r.err).toBe('read: io\n');
    expect(r.code).toBe(1);
    // what arrived before the error is the file's start
    expect(r.bytes.length).toBeGreaterThan(0);
    expect(r.bytes.length).toBeLessThanOrEqual(limit);
    expect(Buffer.compare(r.bytes, data.subarray(0, r.bytes.length))).toBe(0);
  });

  it('write-via-stream writes what the guest sends and completes its future with ok', async () => {
    const f = fixtures[kind]();
    const data = pattern(2_500_001, 9);
    // stdin in uneven chunks, some arriving later
    async function* chunks() {
      for (let o = 0; o < data.length; o += 300_007) {
        if (o % 3 === 0) await new Promise((r) => setTimeout(r, 1));
        yield data.subarray(o, o + 300_007);
      }
    }
    const r = await run(['write', 'out.bin'], { '/': f.preopen }, chunks());
    expect(r).toMatchObject({ code: 0, err: `wrote ${data.length}\nwrite: ok\n` });
    expect(Buffer.compare(f.get('out.bin'), data)).toBe(0);
    // truncates what was there
    const again = await run(['write', 'out.bin'], { '/': f.preopen }, 'short');
    expect(again.err).toBe('wrote 5\nwrite: ok\n');
    expect(dec(f.get('out.bin'))).toBe('short');
    // nothing written: an empty file, ok
    expect((await run(['write', 'none'], { '/': f.preopen }, '')).err).toBe('wrote 0\nwrite: ok\n');
    expect(f.get('none').length).toBe(0);
  });

  it('write-via-stream at an offset overwrites in place, past the end leaves zeros', async () => {
    const f = fixtures[kind]();
    f.put('f', 'abcdefgh');
    expect((await run(['write-at', 'f', '2'], { '/': f.preopen }, 'XY')).err).toBe('wrote 2\nwrite: ok\n');
    expect(dec(f.get('f'))).toBe('abXYefgh');
    expect((await run(['write-at', 'f', '12'], { '/': f.preopen }, 'Z')).err).toBe('wrote 1\nwrite: ok\n');
    expect(f.get('f')).toEqual(new Uint8Array([...enc('abXYefgh'), 0, 0, 0, 0, ...enc('Z')]));
  });

  it('append-via-stream adds at the end, each time', async () => {
    const f = fixtures[kind]();
    f.put('log', 'one\n');
    expect((await run(['append', 'log'], { '/': f.preopen }, 'two\n')).err).toBe('wrote 4\nappend: ok\n');
    const big = pattern(700_000, 1);
    expect((await run(['append', 'log'], { '/': f.preopen }, big)).err).toBe(`wrote ${big.length}\nappend: ok\n`);
    const got = f.get('log');
    expect(dec(got.subarray(0, 8))).toBe('one\ntwo\n');
    expect(Buffer.compare(got.subarray(8), big)).toBe(0);
    // append creates a missing file
    expect((await run(['append', 'new'], { '/': f.preopen }, 'x')).err).toBe('wrote 1\nappend: ok\n');
    expect(dec(f.get('new'))).toBe('x');
  });

  it('write-via-stream on a descriptor opened for reading fails through its future', async () => {
    const f = fixtures[kind]();
    f.put('f', 'unchanged');
    const r = await run(['write-readonly', 'f'], { '/': f.preopen }, 'overwritten');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wrote \d+\nwrite: bad-descriptor\n$/);
    expect(dec(f.get('f'))).toBe('unchanged');
  });

  it('read-directory lists entries with their types, and ends ok', async () => {
    const f = fixtures[kind]();
    f.put('b.txt', 'b');
    f.put('a.txt', 'a');
    f.mkdir('sub');
    f.put('sub/inner.txt', 'i');
    f.symlink('../outside', 'out');
    const r = await run(['ls'], { '/': f.preopen });
    expect(r.err).toBe('ls: ok\n');
    const lines = r.out.split('\n').filter(Boolean);
    expect(lines).toContain('regular-file a.txt');
    expect(lines).toContain('regular-file b.txt');
    expect(lines).toContain('directory sub');
    expect(lines).toContain('symbolic-link out');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(f.list());
    const sub = await run(['ls', 'sub'], { '/': f.preopen });
    expect(sub).toMatchObject({ code: 0, out: 'regular-file inner.txt\n', err: 'ls: ok\n' });
    // many entries: more than one stream read
    for (let i = 0; i < 100; i++) f.put(`many-${String(i).padStart(3, '0')}`, '');
    const many = await run(['ls'], { '/': f.preopen });
    expect(many.out.split('\n').filter((l) => l.includes(' many-')).length).toBe(100);
  });

  it('stat-at and the preopen list', async () => {
    const f = fixtures[kind]();
    f.put('f', 'twelve bytes');
    expect((await run(['stat', 'f'], { '/': f.preopen })).out).toBe('regular-file 12\n');
    expect((await run(['stat', 'nope'], { '/': f.preopen })).out).toBe('stat: no-entry\n');
    const two = fixtures[kind]();
    const r = await run(['preopens'], { '/data': f.preopen, '/other': two.preopen });
    expect(r.out).toBe('/data read mutate-directory\n/other read mutate-directory\n');
  });
});

describe('read-only preopens and quotas', () => {
  it('a read-only NodeBackend refuses every write, reads fine', async () => {
    const f = nodeFixture();
    f.put('f', 'data');
    const ro = new NodeBackend(path.join(f.tmp!, 'sandbox'), { readOnly: true });
    expect((await run(['preopens'], { '/ro': ro })).out).toBe('/ro read\n');
    expect((await run(['cat', 'f'], { '/': ro })).out).toBe('data');
    for (const mode of ['write', 'append', 'write-at']) {
      const r = await run([mode, 'f', '0'], { '/': ro }, 'x');
      expect(r).toMatchObject({ code: 1, err: 'open: read-only\n' });
    }
    const esc = parseLines((await run(['escape'], { '/': ro })).out);
    expect(esc['own-file']).toBe('read-only');
    expect(esc['shim-mkdir']).toBe('read-only');
    expect(esc['shim-open']).toBe('read-only'); // asks for mutate-directory
    expect(esc['dotdot-open']).toBe('not-permitted');
    expect(f.list()).toEqual(['f']);
  });

  it("a MemoryBackend's quota fails write-via-stream's future with insufficient-space", async () => {
    const b = new MemoryBackend({ quota: 100_000 });
    const r = await run(['write', 'big'], { '/': b }, pattern(1_000_000));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wrote \d+\nwrite: insufficient-space\n$/);
    expect(memoryFixture(b).get('big').length).toBeLessThanOrEqual(100_000);
  });
});

// ---- bounded memory ----

/**
 * How far RSS rose above its level before `f`: the higher of samples taken every 5 ms and the
 * process's RSS high-water mark if `f` raised it. (A transfer that never yields to the event
 * loop gets no samples; the high-water mark still sees its peak.)
 */
async function peakGrowth(f: () => Promise<void>): Promise<number> {
  const base = process.memoryUsage.rss();
  const highWater = () => process.resourceUsage().maxRSS * 1024;
  const hw0 = highWater();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    await f();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  const hw1 = highWater();
  if (hw1 > hw0) peak = Math.max(peak, hw1);
  return peak - base;
}

describe('large files stream in bounded memory (NodeBackend)', () => {
  const SIZE = 512 * 1024 * 1024;
  const BOUND = 96 * 1024 * 1024;

  it(`reads ${SIZE >> 20} MiB through read-via-stream`, async () => {
    const f = nodeFixture();
    const file = path.join(f.tmp!, 'sandbox', 'big');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, SIZE); // sparse: the disk holds nothing, every byte reads as 0
    let r: Run | undefined;
    const growth = await peakGrowth(async () => {
      r = await run(['readbench', 'big'], { '/': f.preopen });
    });
    expect(r!.out).toBe(`read ${SIZE} sample 0\nread: ok\n`);
    expect(growth).toBeLessThan(BOUND);
  });

  it('a long read-via-stream lets timers run meanwhile (it never starves the event loop)', async () => {
    const f = nodeFixture();
    const file = path.join(f.tmp!, 'sandbox', 'big');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 256 * 1024 * 1024);
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
      ticks++;
    }, 1);
    let r: Run | undefined;
    const t0 = performance.now();
    try {
      r = await run(['readbench', 'big'], { '/': f.preopen });
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - t0;
    expect(r!.out).toBe(`read ${256 * 1024 * 1024} sample 0\nread: ok\n`);
    // a timer every few ms of the transfer, not one at the end
    expect(ticks).toBeGreaterThan(Math.min(10, took / 20));
    expect(maxGap).toBeLessThan(Math.max(100, took / 4));
  });

  it(`writes ${SIZE >> 20} MiB through write-via-stream`, async () => {
    const f = nodeFixture();
    let r: Run | undefined;
    const growth = await peakGrowth(async () => {
      r = await run(['writebench', 'big', String(SIZE)], { '/': f.preopen });
    });
    expect(r!.out).toBe(`wrote ${SIZE}\nwrite: ok\n`);
    expect(fs.statSync(path.join(f.tmp!, 'sandbox', 'big')).size).toBe(SIZE);
    // the guest's pattern: 'a' + i % 26, '\n' at every 64th byte
    const fd = fs.openSync(path.join(f.tmp!, 'sandbox', 'big'), 'r');
    const tail = Buffer.alloc(128);
    fs.readSync(fd, tail, 0, 128, SIZE - 128);
    fs.closeSync(fd);
    for (let i = 0; i < 128; i++) {
      const at = SIZE - 128 + i;
      expect(tail[i]).toBe((at & 63) === 63 ? 10 : 97 + ((at % (1 << 20)) % 26));
    }
    expect(growth).toBeLessThan(BOUND);
  });
});
