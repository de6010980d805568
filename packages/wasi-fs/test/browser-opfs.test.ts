// loadOpfs / saveOpfs over a stand-in for the origin-private file system (the File System
// Access handle shapes, in memory; Node has no OPFS). Checked against Chromium's by hand.

import { describe, expect, it } from 'vitest';
import { loadOpfs, memoryTree, type OpfsDirectory, type OpfsFile, readAt, saveOpfs } from '../src/browser.ts';

type Node = Map<string, Node> | Uint8Array;

/** A directory handle over `node`, as navigator.storage.getDirectory() gives (kinds may not change in place). */
function dirHandle(node: Map<string, Node>): OpfsDirectory {
  const notFound = () => Object.assign(new Error('not found'), { name: 'NotFoundError' });
  const mismatch = () => Object.assign(new Error('type mismatch'), { name: 'TypeMismatchError' });
  return {
    kind: 'directory',
    async *entries() {
      for (const [name, n] of [...node]) yield [name, n instanceof Map ? dirHandle(n) : fileHandle(node, name)];
    },
    async getDirectoryHandle(name, o) {
      let n = node.get(name);
      if (n === undefined && o?.create) node.set(name, (n = new Map()));
      if (n === undefined) throw notFound();
      if (!(n instanceof Map)) throw mismatch();
      return dirHandle(n);
    },
    async getFileHandle(name, o) {
      const n = node.get(name);
      if (n === undefined && o?.create) node.set(name, new Uint8Array(0));
      else if (n === undefined) throw notFound();
      else if (n instanceof Map) throw mismatch();
      return fileHandle(node, name);
    },
    async removeEntry(name, o) {
      const n = node.get(name);
      if (n === undefined) throw notFound();
      if (n instanceof Map && n.size > 0 && !o?.recursive) throw new Error('not empty');
      node.delete(name);
    },
  };
}

function fileHandle(parent: Map<string, Node>, name: string): OpfsFile {
  return {
    kind: 'file',
    async getFile() {
      const data = parent.get(name) as Uint8Array;
      return { size: data.length, arrayBuffer: async () => data.slice().buffer };
    },
    async createWritable() {
      const parts: Uint8Array[] = [];
      return {
        write: async (d: Uint8Array) => void parts.push(d.slice()),
        close: async () => {
          const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            all.set(p, at);
            at += p.length;
          }
          parent.set(name, all);
        },
      };
    },
  };
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Node | undefined) => new TextDecoder().decode(b as Uint8Array);

describe('OPFS snapshots', () => {
  it('loadOpfs copies files and directories into a MemoryBackend, bounded', async () => {
    const opfs = new Map<string, Node>([
      ['a.txt', enc('alpha')],
      [
        'sub',
        new Map<string, Node>([
          ['b.bin', new Uint8Array([1, 2, 3])],
          ['deeper', new Map()],
        ]),
      ],
    ]);
    const fs = await loadOpfs(dirHandle(opfs));
    const root = fs.root();
    expect(fs.readDirectory(root).map((e) => e.name)).toEqual(['a.txt', 'sub']);
    const b = fs.openAt(root, 'sub/b.bin', {}, {}, { read: true });
    expect(readAt(fs, b, 0n, 10)).toEqual(new Uint8Array([1, 2, 3]));
    expect(fs.statAt(root, {}, 'sub/deeper').type).toBe('directory');
    await expect(loadOpfs(dirHandle(opfs), { maxBytes: 7 })).rejects.toThrow(RangeError);
    await expect(loadOpfs(dirHandle(opfs), { quota: 4 })).rejects.toThrow(RangeError);
  });

  it('saveOpfs mirrors the backend: writes, replaces kinds, removes what is gone, skips links', async () => {
    const opfs = new Map<string, Node>([
      ['old.txt', enc('gone soon')],
      ['flip', enc('a file that becomes a directory')],
      ['keep', new Map<string, Node>([['x', enc('old x')]])],
    ]);
    const fs = memoryTree({
      flip: { 'in.txt': 'inside' },
      keep: { x: 'new x' },
      'big.bin': new Uint8Array(3 << 20).fill(7),
    });
    const root = fs.root();
    fs.symlinkAt(root, 'keep/x', 'link');
    const r = await saveOpfs(fs, dirHandle(opfs));
    expect(r.skipped).toEqual(['/link']);
    expect([...opfs.keys()].sort()).toEqual(['big.bin', 'flip', 'keep']);
    expect(dec((opfs.get('flip') as Map<string, Node>).get('in.txt'))).toBe('inside');
    expect(dec((opfs.get('keep') as Map<string, Node>).get('x'))).toBe('new x');
    expect((opfs.get('big.bin') as Uint8Array).length).toBe(3 << 20);
    // A round trip gives the same tree back.
    const again = await loadOpfs(dirHandle(opfs));
    const r2 = again.root();
    const f = again.openAt(r2, 'flip/in.txt', {}, {}, { read: true });
    expect(new TextDecoder().decode(readAt(again, f, 0n, 64))).toBe('inside');
  });
});
