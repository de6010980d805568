// Folders run one way: core's folders are layers, each importing only the
// ones below it, and no runtime import cycle between folders (`import type`
// does not count: it is erased before anything runs). docs/architecture.md
// draws the same layers.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/**
 * core's folders, bottom to top (definitions.py's order: the runtime state
 * it defines first, then lifting and lowering, then the canon definitions);
 * `(root)` is component.ts and index.ts.
 */
const LAYERS = ['host', 'binary', 'instrument', 'types', 'runtime', 'abi', 'canon', 'link', '(root)'];

/** Files that may import each other in a loop: the codecs of recursive types build each other's. */
const FILE_CYCLES_ALLOWED = /^abi\/codecs\//;

const folderOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '(root)');

/** file → files it imports at run time (paths relative to src/). */
function fileGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const importRe = /^(?:import|export)\s+(?!type\s)([^'"]*?)\s*from\s*'(\.[^']+)'/gm;
  for (const f of files) {
    const rel = f.split('\\').join('/');
    const out: string[] = [];
    const src = readFileSync(join(root, f), 'utf8');
    for (const m of src.matchAll(importRe)) {
      const names = m[1]!.trim();
      // `import { type A, type B } from` is erased too
      if (
        /^\{[^}]*\}$/.test(names) &&
        names
          .slice(1, -1)
          .split(',')
          .every((n) => /^\s*(type\s|$)/.test(n))
      )
        continue;
      out.push(
        relative(root, resolve(dirname(join(root, f)), m[2]!))
          .split('\\')
          .join('/'),
      );
    }
    graph.set(rel, out);
  }
  return graph;
}

/** folder → folders it imports at run time, with one importing file per edge for the message. */
function folderGraph(files: Map<string, string[]>): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const [rel, targets] of files) {
    const from = folderOf(rel);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      let out = graph.get(from);
      if (out === undefined) graph.set(from, (out = new Map()));
      if (!out.has(to)) out.set(to, `${rel} → ${target}`);
    }
  }
  return graph;
}

/** Every cycle's shortest witness, as "a → b → a" (with the importing files, if `witness` gives them). */
function cycles(graph: Map<string, Iterable<string>>, witness?: (from: string, to: string) => string): string[] {
  const found: string[] = [];
  for (const start of graph.keys()) {
    // breadth-first from start back to start
    const prev = new Map<string, string>();
    const queue = [start];
    let hit: string | undefined;
    while (queue.length > 0 && hit === undefined) {
      const n = queue.shift()!;
      for (const m of graph.get(n) ?? []) {
        if (m === start) {
          hit = n;
          break;
        }
        if (!prev.has(m)) {
          prev.set(m, n);
          queue.push(m);
        }
      }
    }
    if (hit === undefined) continue;
    const path = [start];
    for (let n: string | undefined = hit; n !== undefined && n !== start; n = prev.get(n)) path.splice(1, 0, n);
    path.push(start);
    const files =
      witness === undefined
        ? ''
        : ` (${path
            .slice(1)
            .map((to, i) => witness(path[i]!, to))
            .join('; ')})`;
    found.push(`${path.join(' → ')}${files}`);
  }
  return found;
}

describe('core folder layers', () => {
  const files = fileGraph(SRC);
  const folders = folderGraph(files);

  it('has no runtime import cycle between folders', () => {
    const keys = new Map([...folders].map(([k, v]) => [k, [...v.keys()]]));
    expect(cycles(keys, (a, b) => folders.get(a)!.get(b)!)).toEqual([]);
  });

  it('imports only downwards, in the declared order of layers', () => {
    const present = new Set([...files.keys()].map(folderOf));
    expect(
      [...present].filter((f) => !LAYERS.includes(f)),
      'folders missing from LAYERS',
    ).toEqual([]);
    const upward: string[] = [];
    for (const [from, out] of folders) {
      for (const [to, witness] of out) {
        if (LAYERS.indexOf(to) >= LAYERS.indexOf(from)) upward.push(`${from} → ${to} (${witness})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no runtime import cycle between files (but the codecs of recursive types)', () => {
    const checked = new Map<string, string[]>();
    for (const [f, targets] of files) {
      if (FILE_CYCLES_ALLOWED.test(f)) continue;
      checked.set(f, targets);
    }
    expect(cycles(checked)).toEqual([]);
  });
});
