// Argument handling for the `weft` command. Returns the exit code.

import { parseArgs } from 'node:util';
import { runCommand } from './commands/run.ts';
import { parseRunArgs } from './commands/run-args.ts';
import { shortName } from '@weft/core';
import { MAX_MESSAGE, UsageError, oneLine } from './errors.ts';
import { type Io, processIo } from './io.ts';

/** Exit status after a guest trap (as Wasmtime: 128 + SIGABRT). */
export const TRAP_EXIT = 134;

export const USAGE = `Usage: weft <command> [options]

Commands:
  weft run [--env K=V]... [--inherit-env] [--dir HOST[::GUEST]]... [--dir-ro HOST[::GUEST]]...
           [--argv0 NAME] [--fuel N] [--timeout DURATION] [--max-memory SIZE]
           [--allow-net HOST:PORTS]... [--allow-name-lookup] [--inherit-network]
           [--] COMPONENT.wasm [ARGS...]
      Run a command component's wasi:cli/run (0.3.x, else 0.2.x) with this
      process's stdin/stdout/stderr; exits with its code (0 ok, 1 err, the
      exit-with-code value; 134 after a trap). Options go before the file;
      everything after it is the component's argv, after argv[0] (the
      file's basename, or --argv0). --env K (no =) copies K from this
      process; --dir preopens a host directory for wasi:filesystem (0.3 and
      0.2) as GUEST (default: the same path), sandboxed to it; --dir-ro
      the same, read-only.
      --fuel N: the guest may run N loop iterations (and tail-calling
      function entries), then traps "fuel exhausted"; --timeout
      500ms|5s|2m: it stops with the trap "deadline exceeded" after that
      long, even in a tight loop; --max-memory 64MiB|1GiB|<bytes>: no
      memory of the component may grow past it (memory.grow fails).
      Network (wasi:sockets, wasi:http's client): none unless asked. --allow-net HOST:PORTS
      lets the guest bind, listen, connect and send to those addresses
      (HOST an IPv4 address, [IPv6], a CIDR such as 10.0.0.0/8 or
      [fd00::]/8, or *; PORTS *, N or N-M; repeatable); anything else
      is access-denied, and names do not resolve unless
      --allow-name-lookup (the host's resolver). --inherit-network: every
      address and the host's name lookup (WASI 0.2 sockets only with it).
  weft run [--invoke 'name(args)'] COMPONENT.wasm
      Instantiate a component (with the WASI imports) and call an export.
      Arguments and the result are written in WAVE (e.g. greet("World"),
      [1, 2], {a: 1}, some(x), ok(v)).
  weft serve [--addr HOST:PORT] [--env K=V]... [--inherit-env] [--dir HOST[::GUEST]]...
             [--dir-ro HOST[::GUEST]]... [--request-timeout DURATION] [--max-instances N]
             [--requests-per-instance N] [--concurrency-per-instance N] [--max-concurrent N]
             [--idle-timeout DURATION] [--max-memory SIZE] [--workers N]
             [--allow-net HOST:PORTS]... [--allow-name-lookup] [--inherit-network] COMPONENT.wasm
      Serve a wasi:http/service component (its wasi:http/handler@0.3.x) over
      HTTP/1.1; prints "Serving HTTP on http://HOST:PORT/" to stderr once
      listening (--addr default 127.0.0.1:8080; port 0 picks a free one).
      SIGINT/SIGTERM: stop accepting, finish requests in flight, exit 0.
      The guest's stdout/stderr are this process's. An instance takes up to
      --concurrency-per-instance requests at once (16) and
      --requests-per-instance in all (128); at most --max-instances live
      (64), --max-concurrent requests in flight (1000), an idle instance
      is dropped after --idle-timeout (1s). --request-timeout (60s; 0:
      none): a request whose guest work runs longer gets 504 and its
      instance is dropped (a tight loop is stopped by 1.25x the timeout);
      a trap gets 500 and drops only that instance. --workers N: N
      processes share the port (node:cluster). --allow-net,
      --allow-name-lookup and --inherit-network as for weft run, for
      every instance.
  weft inspect COMPONENT.wasm
      Print the component's imports and exports as WIT.
  weft bundle -o DIR [--name NAME] [--interruptible] [--fuel] [--max-memory SIZE] COMPONENT.wasm
      Write the component for hosts without runtime compilation or eval
      (Cloudflare's workerd, a strict Content-Security-Policy): DIR/NAME.coreN.wasm,
      its core modules; DIR/NAME.js, an ES module that imports them as
      WebAssembly.Modules and exports instantiate(imports, options) (through
      @weft/core's Component.fromModules, codegen: false); DIR/NAME.d.ts.
      NAME defaults to the file's. --interruptible / --fuel instrument the
      core modules as compile's options of those names do (instantiate's
      timeout/signal, fuel); --max-memory caps every memory of the modules
      as for weft run. weft run and weft serve also take a bundle's
      DIR/NAME.js in place of COMPONENT.wasm (its .wasm imports load as
      modules; instrumentation and limits are the bundle's own).
  weft wast [--timeout MS] [--file-timeout MS] [-j N] [--legacy-cancellable] FILE.wast|DIR...
      Run component .wast scripts; prints PASS/FAIL per file and a summary.
      --legacy-cancellable: accept the "cancellable" flag that component-model
      #716 removed (scripts written before it, e.g. the August 2026 spec tests).
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
            'legacy-cancellable': { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help) return help(io);
        const timeoutMs = intOption('--timeout', values.timeout, 1, 'a positive number of ms') ?? 10_000;
        const fileTimeoutMs = intOption('--file-timeout', values['file-timeout'], 1, 'a positive number of ms');
        const jobsOpt = intOption('-j', values.jobs, 0, 'a number (0 = in-process)');
        const legacyCancellable = values['legacy-cancellable'] === true;
        // Loaded only for its command: `weft run` should not pay for the wast runner.
        const { defaultJobs, wastCommand } = await import('./commands/wast.ts');
        const jobs = jobsOpt ?? defaultJobs();
        return await wastCommand({ files: positionals, timeoutMs, jobs, fileTimeoutMs, legacyCancellable }, io);
      }
      case 'run': {
        const args = parseRunArgs(rest);
        if (args.help) return help(io);
        try {
          return await runCommand(args, io);
        } catch (e) {
          // A guest trap: one line, and the exit status Wasmtime uses (128 + SIGABRT).
          if ((e as Error)?.name !== 'Trap') throw e;
          io.err(`weft: ${oneLine(e)}`);
          return TRAP_EXIT;
        }
      }
      case 'serve': {
        const { parseServeArgs } = await import('./commands/serve-args.ts');
        const args = parseServeArgs(rest);
        if (args.help) return help(io);
        const { serveCommand } = await import('./commands/serve.ts');
        return await serveCommand(args, io);
      }
      case 'inspect': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { help: { type: 'boolean', short: 'h' } },
        });
        if (values.help) return help(io);
        const { inspectCommand } = await import('./commands/inspect.ts');
        return await inspectCommand(positionals, io);
      }
      case 'bundle': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            out: { type: 'string', short: 'o' },
            name: { type: 'string' },
            interruptible: { type: 'boolean' },
            fuel: { type: 'boolean' },
            'max-memory': { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help) return help(io);
        if (positionals.length !== 1) throw new UsageError('weft bundle takes one component file');
        const { parseSize } = await import('./commands/run-args.ts');
        const maxMemoryPages =
          values['max-memory'] === undefined ? undefined : parseSize('--max-memory', values['max-memory']);
        if (values.out === undefined || values.out === '') throw new UsageError('weft bundle needs -o DIR');
        const { bundleCommand } = await import('./commands/bundle.ts');
        return await bundleCommand(
          {
            file: positionals[0]!,
            outDir: values.out,
            name: values.name,
            interruptible: values.interruptible === true,
            fuel: values.fuel === true,
            maxMemoryPages,
          },
          io,
        );
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs' messages run over several lines: keep them, on one.
      io.err(`weft: ${shortName((e as Error).message.replace(/\s*\n\s*/g, ' '), MAX_MESSAGE)}`);
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

/** An integer option of at least `min`, or undefined when absent; anything else is a usage error. */
function intOption(flag: string, value: string | undefined, min: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*$/.test(value) ? Number.NaN : Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be ${what}, not ${JSON.stringify(value)}`);
  return n;
}
