// Component text → binary through jco's assembler (wasm-tools).

import { Worker } from 'node:worker_threads';
import { patchCancellable, stripCancellable } from './cancellable.ts';
import type { SList } from './sexpr.ts';

type ParseFn = (text: string) => Promise<Uint8Array>;
let jcoParse: ParseFn | undefined;

async function getParse(): Promise<ParseFn> {
  if (!jcoParse) {
    const jco = (await import('@bytecodealliance/jco')) as { parse: ParseFn };
    jcoParse = jco.parse;
  }
  return jcoParse;
}

/** jco errors are Rust debug dumps; pull out the human part. */
export function cleanAssemblerError(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  const custom = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(s);
  if (custom) return custom[1]!.replace(/\\"/g, '"');
  const lex = /kind: Lex\(([^)]*)\)/.exec(s);
  if (lex) return `lex error: ${lex[1]}`;
  return s.split('\n')[0]!.slice(0, 300);
}

/**
 * Assembles component (or core module) text. Strict component index checks
 * first; some tests need the relaxed mode, so retry with it off.
 */
export async function assembleText(text: string): Promise<Uint8Array> {
  const parse = await getParse();
  try {
    return await parse(text);
  } catch (first) {
    try {
      return await relaxedParse(text);
    } catch {
      throw new Error(cleanAssemblerError(first));
    }
  }
}

/** jco reads WAST_STRICT_COMPONENT_INDICES once at load, so the relaxed retry runs in a worker with it set. */
function relaxedParse(text: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./relaxed-worker.ts', import.meta.url), {
      workerData: text,
      execArgv: [],
      env: { ...process.env, WAST_STRICT_COMPONENT_INDICES: '0' },
    });
    w.once('message', (m: { ok: boolean; bytes?: Uint8Array; message?: string }) => {
      void w.terminate();
      if (m.ok) resolve(m.bytes!);
      else reject(new Error(m.message));
    });
    w.once('error', reject);
  });
}

/**
 * Assembles a top-level `(component ...)` form given as text `text` (its
 * source slice with any `definition` keyword removed), handling the
 * `cancellable` immediates jco does not know.
 */
export async function assembleComponentForm(
  src: string,
  form: SList,
  cutStart?: number,
  cutEnd?: number,
): Promise<Uint8Array> {
  let text: string;
  let flags: boolean[] = [];
  if (src.slice(form.start, form.end).includes('cancellable')) {
    const s = stripCancellable(src, form);
    text = s.text;
    flags = s.flags;
    // stripCancellable works on the whole form; re-apply the `definition` cut by text search.
    if (cutStart !== undefined) text = removeFirstDefinition(text);
  } else {
    text =
      cutStart !== undefined && cutEnd !== undefined
        ? src.slice(form.start, cutStart) + src.slice(cutEnd, form.end)
        : src.slice(form.start, form.end);
  }
  const bytes = await assembleText(text);
  return patchCancellable(bytes, flags);
}

function removeFirstDefinition(text: string): string {
  return text.replace(/^\(\s*component\s+((?:\$\S+\s+)?)definition\b/, '(component $1');
}
