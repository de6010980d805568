// Per-call `wasi:cli/*@0.2` objects. preview2-shim's cli module keeps stdio,
// args, env and cwd in module globals (its `_setStdout` etc. configure the
// whole process); these few getters are rebuilt per createWasiP2 call so
// two hosts in one process never share a configuration. The shim's terminal
// classes are reused so the `wasi:cli/terminal-*` types stay its own.

import { terminalInput, terminalOutput } from '@bytecodealliance/preview2-shim/cli';
import { StdinBuffer, SourceInputStream } from './input.ts';
import { SinkOutputStream } from './output.ts';
import type { P2Cli, WasiP2Imports } from './types.ts';

const TerminalInput = (terminalInput as { TerminalInput: new () => object }).TerminalInput;
const TerminalOutput = (terminalOutput as { TerminalOutput: new () => object }).TerminalOutput;

export function cliImports(cli: P2Cli, v: string): WasiP2Imports {
  const args = [...cli.args];
  const env = cli.env.map(([k, val]) => [k, val] as [string, string]);
  const cwd = cli.cwd;
  const stdin = new SourceInputStream(new StdinBuffer(cli.stdin));
  const stdout = new SinkOutputStream(cli.stdout);
  const stderr = new SinkOutputStream(cli.stderr);
  const term = cli.terminal ?? {};
  const exit = cli.exit;

  return {
    [`wasi:cli/environment@${v}`]: {
      getEnvironment: () => env,
      getArguments: () => args,
      initialCwd: () => cwd,
    },
    [`wasi:cli/exit@${v}`]: {
      exit: (status: { tag: 'ok' | 'err' }) => exit(status.tag === 'err' ? 1 : 0),
      exitWithCode: (code: number) => exit(code),
    },
    [`wasi:cli/stdin@${v}`]: { getStdin: () => stdin },
    [`wasi:cli/stdout@${v}`]: { getStdout: () => stdout },
    [`wasi:cli/stderr@${v}`]: { getStderr: () => stderr },
    [`wasi:cli/terminal-input@${v}`]: { TerminalInput },
    [`wasi:cli/terminal-output@${v}`]: { TerminalOutput },
    [`wasi:cli/terminal-stdin@${v}`]: { getTerminalStdin: () => (term.stdin ? new TerminalInput() : undefined) },
    [`wasi:cli/terminal-stdout@${v}`]: { getTerminalStdout: () => (term.stdout ? new TerminalOutput() : undefined) },
    [`wasi:cli/terminal-stderr@${v}`]: { getTerminalStderr: () => (term.stderr ? new TerminalOutput() : undefined) },
  };
}
