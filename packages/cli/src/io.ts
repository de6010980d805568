import type { CliOptions } from '@weft/wasi-cli';

/** Where a command writes; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** The guest's stdio under `weft run` (default: the process's). */
  stdio?: Pick<CliOptions, 'stdin' | 'stdout' | 'stderr'>;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
