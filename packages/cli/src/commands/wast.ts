// `weft wast FILE|DIR...`: runs component .wast scripts, one line per file.

import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runWastFile, runWastFileInWorker, type WastOptions, type WastResult } from '@weft/wast';
import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';

export interface WastCommandOptions {
  files: string[];
  /** Per-directive timeout, ms. */
  timeoutMs: number;
  /** Files run at once; 0 runs in-process, one by one (no isolation). */
  jobs: number;
  /** Hard limit for a whole file in a worker (stops synchronous hangs); default max(60 s, 12 × timeoutMs). */
  fileTimeoutMs?: number;
  /** Accept the `cancellable` flag removed by component-model #716 (scripts from before it). */
  legacyCancellable?: boolean;
}

async function expand(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) {
      const entries = (await readdir(p, { recursive: true })).filter((e) => e.endsWith('.wast')).sort();
      out.push(...entries.map((e) => join(p, e)));
    } else {
      out.push(p);
    }
  }
  return out;
}

export function formatResult(r: WastResult): string {
  if (r.passed) return `PASS ${r.file}`;
  const f = r.failure!;
  const where = f.line > 0 ? `${f.directive} at line ${f.line}` : f.directive;
  return `FAIL ${r.file}: ${where}: ${f.reason.replaceAll('\n', ' ')}`;
}

export async function wastCommand(opts: WastCommandOptions, io: Io): Promise<number> {
  if (opts.files.length === 0) throw new UsageError('weft wast needs at least one file');
  const files = await expand(opts.files);
  const runOptions: WastOptions = { timeoutMs: opts.timeoutMs, legacyCancellable: opts.legacyCancellable };
  const results: (WastResult | undefined)[] = new Array(files.length);
  let printed = 0;
  const flush = () => {
    while (printed < files.length && results[printed]) io.out(formatResult(results[printed++]!));
  };
  if (opts.jobs === 0) {
    // A guest's background task failing must not end the whole run.
    const ignore = () => {};
    process.on('unhandledRejection', ignore);
    try {
      for (let i = 0; i < files.length; i++) {
        results[i] = await runWastFile(files[i]!, runOptions);
        flush();
      }
    } finally {
      process.off('unhandledRejection', ignore);
    }
  } else {
    let next = 0;
    const lane = async () => {
      while (next < files.length) {
        const i = next++;
        results[i] = await runWastFileInWorker(
          files[i]!,
          runOptions,
          opts.fileTimeoutMs ?? Math.max(60_000, opts.timeoutMs * 12),
        );
        flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.jobs, files.length) }, lane));
  }
  const passed = results.filter((r) => r?.passed).length;
  const failed = files.length - passed;
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

export const defaultJobs = (): number => Math.max(1, Math.min(availableParallelism(), 8));
