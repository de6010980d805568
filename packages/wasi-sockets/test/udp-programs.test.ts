// wasi-testsuite's five udp programs (Rust, wasm32-wasip3), run in-process: each asserts the
// WIT's rules on bind, connect, send, receive and the socket options against real sockets on
// 127.0.0.1 and ::1, and a failed assertion panics the guest, which traps.
//
// The programs also import WASI 0.2 (wasi:io streams, wasi:cli stdio/exit) through Rust's std,
// only to print a panic and exit. @weft/wasi-p2 is not a dependency of this package, so those
// come from the small stand-in below, which captures what the guest prints.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Component } from '@weft/core';
import { createCli, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createRandom } from '@weft/wasi-random';
import { describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import { udpSocketClass } from '../src/udp/index.ts';

const SUITE = join(
  process.env.WEFT_CONFORMANCE_DIR ?? fileURLToPath(new URL('../../../../shared/conformance', import.meta.url)),
  'wasi-testsuite/wasm32-wasip3',
);
const HAVE_SUITE = existsSync(SUITE);

class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** WASI 0.2's stdio and exit, just enough for Rust's std to report a panic. */
function wasi02(printed: string[]) {
  const decoder = new TextDecoder();
  class Pollable {
    block(): void {}
    ready(): boolean {
      return true;
    }
  }
  class IoError {
    toDebugString(): string {
      return 'error';
    }
  }
  class InputStream {}
  class OutputStream {
    checkWrite(): bigint {
      return 65536n;
    }
    write(bytes: Uint8Array): void {
      printed.push(decoder.decode(bytes));
    }
    blockingWriteAndFlush(bytes: Uint8Array): void {
      this.write(bytes);
    }
    flush(): void {}
    blockingFlush(): void {}
    subscribe(): Pollable {
      return new Pollable();
    }
  }
  class TerminalInput {}
  class TerminalOutput {}
  const v = '0.2.4';
  return {
    [`wasi:io/poll@${v}`]: { Pollable, poll: () => new Uint32Array([0]) },
    [`wasi:io/error@${v}`]: { Error: IoError },
    [`wasi:io/streams@${v}`]: { InputStream, OutputStream },
    [`wasi:cli/stdout@${v}`]: { getStdout: () => new OutputStream() },
    [`wasi:cli/stderr@${v}`]: { getStderr: () => new OutputStream() },
    [`wasi:cli/stdin@${v}`]: { getStdin: () => new InputStream() },
    [`wasi:cli/environment@${v}`]: { getEnvironment: () => [], getArguments: () => [], initialCwd: () => undefined },
    [`wasi:cli/exit@${v}`]: {
      exit: (status: { tag: 'ok' | 'err' }) => {
        throw new Exit(status.tag === 'ok' ? 0 : 1);
      },
    },
    [`wasi:cli/terminal-input@${v}`]: { TerminalInput },
    [`wasi:cli/terminal-output@${v}`]: { TerminalOutput },
    [`wasi:cli/terminal-stdin@${v}`]: { getTerminalStdin: () => undefined },
    [`wasi:cli/terminal-stdout@${v}`]: { getTerminalStdout: () => undefined },
    [`wasi:cli/terminal-stderr@${v}`]: { getTerminalStderr: () => undefined },
  };
}

async function runProgram(name: string): Promise<{ code: number; printed: string }> {
  const printed: string[] = [];
  const imports = {
    ...wasi02(printed),
    ...createCli({ stdin: 'ignore' }),
    ...createClocks(),
    ...createRandom(),
    'wasi:sockets/types@0.3.0': { UdpSocket: udpSocketClass(createContext({ network: { inherit: true } })) },
  };
  const component = await Component.compile(readFileSync(join(SUITE, `${name}.wasm`)));
  const instance = await component.instantiate(imports);
  let code: number;
  try {
    code = await runCommand(instance);
  } catch (e) {
    if (!(e instanceof Exit)) return { code: -1, printed: `${printed.join('')}\n${String(e)}` };
    code = e.code;
  }
  return { code, printed: printed.join('') };
}

describe.skipIf(!HAVE_SUITE)(`wasi-testsuite udp programs (${SUITE})`, () => {
  it.each([
    'sockets-udp-bind',
    'sockets-udp-connect',
    'sockets-udp-properties',
    'sockets-udp-receive',
    'sockets-udp-send',
  ])('%s', async (name) => {
    expect(await runProgram(name)).toEqual({ code: 0, printed: '' });
  });
});
