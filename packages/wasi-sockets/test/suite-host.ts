// Test support: wasi-testsuite's P3 socket programs run in-process with wasi:cli, clocks and
// random at 0.3 (and 0.2 for libc) and createSockets, as @weft/wasi's createWasi composes them.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Component, type Instance } from '@weft/core';
import { CaptureSink, createCliHost, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createRandom } from '@weft/wasi-random';
// Rust's wasm32-wasip3 libc still imports WASI 0.2 (wasi:io/poll, cli, ...): a dev dependency.
import { createWasiP2 } from '@weft/wasi-p2';
import { createSockets } from '../src/index.ts';
import type { SocketsOptions } from '../src/options.ts';

/** wasi-testsuite's programs, beside the repository as the conformance package finds them. */
export const SUITE = join(
  process.env.WEFT_CONFORMANCE_DIR ?? fileURLToPath(new URL('../../../../shared/conformance', import.meta.url)),
  'wasi-testsuite/wasm32-wasip3',
);
export const HAVE_SUITE = existsSync(SUITE);
export const suitePath = (name: string) => `${SUITE}/${name}.wasm`;

export async function instantiateProgram(
  path: string,
  sockets: SocketsOptions,
): Promise<{ instance: Instance; stdout: CaptureSink; stderr: CaptureSink; drain(): Promise<void> }> {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const cli = createCliHost({ stdin: 'ignore', stdout, stderr, env: {} });
  const random = createRandom();
  const imports = {
    ...createWasiP2(cli.resolved, { random }),
    ...createClocks(),
    ...random,
    ...cli.imports,
    ...createSockets(sockets),
  };
  const instance = await (await Component.compile(readFileSync(path))).instantiate(imports);
  return { instance, stdout, stderr, drain: () => cli.drain() };
}

/** Runs a command program; its exit code and output. */
export async function runProgram(name: string, sockets: SocketsOptions = { network: { inherit: true } }) {
  const { instance, stdout, stderr, drain } = await instantiateProgram(suitePath(name), sockets);
  const code = await runCommand(instance, { drain });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
