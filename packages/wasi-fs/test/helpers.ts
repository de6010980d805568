import { type Backend, type Datetime, FsError, type Handle, readAt } from '../src/index.ts';

/** The error code `f` throws as an FsError (anything else is rethrown). */
export function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

/** A tree to start from: path → file text, `{ dir }` or `{ link: target }` (parents listed first). */
export type Tree = Record<string, string | Uint8Array | { dir: true } | { link: string }>;

/** `n` bytes that differ from position to position (to check chunked copies). */
export function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/**
 * The tree every backend of the shared suite starts with: for memory and node it is written
 * through the backend, for the overlays it is the lower layer. No test of the suite uses these
 * names for anything else.
 */
export const SEED: Tree = {
  'readme.txt': 'top of the seed',
  seed: { dir: true },
  'seed/hello.txt': 'hello from the seed',
  'seed/empty': '',
  'seed/big.bin': pattern(200_000),
  'seed/docs': { dir: true },
  'seed/docs/a.md': 'A',
  'seed/docs/b.md': 'B',
  'seed/docs/deep': { dir: true },
  'seed/docs/deep/c.md': 'C',
  'seed/link': { link: 'hello.txt' },
  'seed/dirlink': { link: 'docs' },
};

const RW = { read: true, write: true };

/** Writes `tree` into `b` through the Backend interface; returns `b`. */
export function populate<B extends Backend>(b: B, tree: Tree = SEED): B {
  const root = b.root();
  for (const [p, v] of Object.entries(tree)) {
    if (typeof v === 'string' || v instanceof Uint8Array) {
      const h = b.openAt(root, p, {}, { create: true, exclusive: true }, RW);
      b.write(h, 0n, typeof v === 'string' ? new TextEncoder().encode(v) : v);
      b.close(h);
    } else if ('dir' in v) b.createDirectoryAt(root, p);
    else b.symlinkAt(root, v.link, p);
  }
  b.close(root);
  return b;
}

/** Everything under `dir` (not following links): path → text, `<dir>` or `-> target`. */
export function dump(b: Backend, dir: Handle = b.root({ read: true }), prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of b.readDirectory(dir)) {
    const p = prefix + e.name;
    if (e.type === 'directory') {
      out[p] = '<dir>';
      const d = b.openAt(dir, e.name, {}, { directory: true }, { read: true });
      Object.assign(out, dump(b, d, `${p}/`));
      b.close(d);
    } else if (e.type === 'symbolic-link') out[p] = `-> ${b.readlinkAt(dir, e.name)}`;
    else {
      const h = b.openAt(dir, e.name, {}, {}, { read: true });
      const bytes = readAt(b, h, 0n, Number(b.stat(h).size));
      b.close(h);
      out[p] =
        bytes.length > 64
          ? `${bytes.length} bytes, sum ${bytes.reduce((s, x) => s + x, 0)}`
          : new TextDecoder().decode(bytes);
    }
  }
  return out;
}

export function toNs(t: Datetime | undefined): bigint {
  if (t === undefined) throw new Error('no timestamp');
  return t.seconds * 1_000_000_000n + BigInt(t.nanoseconds);
}

/**
 * Whether two times are the same within `tolNs`: a NodeBackend passes times to the host as
 * seconds in a double, which keeps them to about a tenth of a microsecond.
 */
export function near(a: Datetime | undefined, b: Datetime | undefined, tolNs = 1000n): boolean {
  const d = toNs(a) - toNs(b);
  return d <= tolNs && d >= -tolNs;
}
