// A wasi:cli command in a page: its arguments, an in-memory file tree preopened at `/`, stdin
// as text, stdout and stderr captured (1 MiB each at most) and shown with the exit code, or the
// error (a trap) that ended it.

import { CaptureSink, createWasiHost } from '@weft/wasi';
import { type MemoryTree, memoryTree } from '@weft/wasi-fs';
import { type DemoResult, describeError, type Exports } from './demos.ts';

export interface CommandRun {
  /** The command's arguments after its name. */
  args: string[];
  /** `path: content` lines (`notes/a.txt: hello`); folders are made as needed. */
  files: string;
  stdin?: string;
}

export type InstantiateWith = (imports: Record<string, unknown>) => Promise<{ exports: Exports }>;

const OUTPUT_LIMIT = 1 << 20;

/** `a/b.txt: text` lines → `{ a: { 'b.txt': 'text' } }`; a malformed line throws, naming it. */
export function parseFiles(text: string): MemoryTree {
  const root: MemoryTree = {};
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(': ');
    if (colon <= 0) throw new TypeError(`files, line ${i + 1}: expected "path: content"`);
    const parts = line.slice(0, colon).trim().split('/').filter(Boolean);
    const name = parts.pop();
    if (!name) throw new TypeError(`files, line ${i + 1}: no file name`);
    let dir = root;
    for (const p of parts) {
      const next = (dir[p] ??= {});
      if (typeof next === 'string' || next instanceof Uint8Array)
        throw new TypeError(`files, line ${i + 1}: ${p} is a file`);
      dir = next;
    }
    dir[name] = line.slice(colon + 2);
  }
  return root;
}

export async function commandDemo(instantiate: InstantiateWith, run: CommandRun): Promise<DemoResult> {
  const stdout = new CaptureSink(OUTPUT_LIMIT);
  const stderr = new CaptureSink(OUTPUT_LIMIT);
  const host = createWasiHost({
    args: ['command', ...run.args],
    stdin: run.stdin ?? '',
    stdout,
    stderr,
    preopens: { '/': memoryTree(parseFiles(run.files)) },
  });
  let ending: string;
  let ok = false;
  try {
    const code = await host.run(await instantiate(host.imports as unknown as Record<string, unknown>));
    ending = `exit code ${code}`;
    ok = code === 0;
  } catch (e) {
    ending = describeError(e);
  }
  await host.drain().catch(() => {});
  const lines = [`$ command ${run.args.join(' ')}`, stdout.text().replace(/\n$/, '')];
  if (stderr.length > 0) lines.push(`[stderr] ${stderr.text().replace(/\n$/, '')}`);
  lines.push(ending);
  return { ok, lines };
}
