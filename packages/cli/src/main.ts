// Argument handling for the `weft` command. Returns the exit code.

import { parseArgs } from 'node:util';
import { defaultJobs, wastCommand } from './commands/wast.ts';
import { inspectCommand } from './commands/inspect.ts';
import { runCommand } from './commands/run.ts';
import { UsageError, oneLine } from './errors.ts';
import { type Io, processIo } from './io.ts';

export const USAGE = `Usage: weft <command> [options]

Commands:
  weft run [--invoke 'name(args)'] COMPONENT.wasm
      Instantiate a component and call an export. Arguments and the result
      are written in WAVE (e.g. greet("World"), [1, 2], {a: 1}, some(x), ok(v)).
      Without --invoke, calls the wasi:cli/run export.
  weft inspect COMPONENT.wasm
      Print the component's imports and exports as WIT.
  weft wast [--timeout MS] [--file-timeout MS] [-j N] FILE.wast|DIR...
      Run component .wast scripts; prints PASS/FAIL per file and a summary.
      --timeout: per directive (default 10000); --file-timeout: per file in
      its worker; -j: files at once (0 = in-process, no isolation).

Options:
  -h, --help     Show this help.`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    switch (cmd) {
      case 'wast': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            timeout: { type: 'string' },
            'file-timeout': { type: 'string' },
            jobs: { type: 'string', short: 'j' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help) return help(io);
        const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
        const jobs = values.jobs === undefined ? defaultJobs() : Number(values.jobs);
        if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
          throw new UsageError('--timeout must be a positive number of ms');
        if (!Number.isInteger(jobs) || jobs < 0) throw new UsageError('-j must be a number (0 = in-process)');
        const fileTimeoutMs = values['file-timeout'] === undefined ? undefined : Number(values['file-timeout']);
        if (fileTimeoutMs !== undefined && !(fileTimeoutMs > 0))
          throw new UsageError('--file-timeout must be a positive number of ms');
        return await wastCommand({ files: positionals, timeoutMs, jobs, fileTimeoutMs }, io);
      }
      case 'run': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { invoke: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        });
        if (values.help) return help(io);
        if (positionals.length !== 1) throw new UsageError('weft run takes one component file');
        return await runCommand({ file: positionals[0]!, invoke: values.invoke }, io);
      }
      case 'inspect': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { help: { type: 'boolean', short: 'h' } },
        });
        if (values.help) return help(io);
        return await inspectCommand(positionals, io);
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`weft: ${(e as Error).message}`);
      io.err("Run 'weft --help' for usage.");
      return 2;
    }
    io.err(`weft: ${oneLine(e)}`);
    return 1;
  }
}

function help(io: Io): number {
  io.out(USAGE);
  return 0;
}
