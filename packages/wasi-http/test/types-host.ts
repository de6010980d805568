// Test support: a whole WASI host (0.3 cli, clocks, random; 0.2 for the Rust and QuickJS
// runtimes' libc) with createHttp spread in, as @weft/wasi's createWasi serves it (that package
// depends on this one, so the tests compose it here).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Component, type Instance } from '@weft/core';
import { CaptureSink, createCliHost, runCommand } from '@weft/wasi-cli';
import { createClocks } from '@weft/wasi-clocks';
import { createWasiP2 } from '@weft/wasi-p2';
import { createRandom } from '@weft/wasi-random';
import { createHttp, type HttpOptions } from '../src/imports.ts';

/** wasi-testsuite's programs, beside the repository as the conformance package finds them. */
export const SUITE = join(
  process.env.WEFT_CONFORMANCE_DIR ?? fileURLToPath(new URL('../../../../shared/conformance', import.meta.url)),
  'wasi-testsuite/wasm32-wasip3',
);
/** Whether they are there (tests that need them are skipped otherwise). */
export const HAVE_SUITE = existsSync(SUITE);
export const suiteUrl = (name: string) => `${SUITE}/${name}.wasm`;

const compiled = new Map<string, Promise<Component>>();

/** A component compiled once per test file. */
export function compile(path: string | URL): Promise<Component> {
  const key = String(path);
  let c = compiled.get(key);
  if (c === undefined) {
    c = Component.compile(readFileSync(path));
    compiled.set(key, c);
  }
  return c;
}

export interface GuestHost {
  imports: Record<string, unknown>;
  stdout: CaptureSink;
  stderr: CaptureSink;
  drain(): Promise<void>;
}

export function guestHost(http: HttpOptions = {}, env: [string, string][] = []): GuestHost {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const cli = createCliHost({ stdin: 'ignore', stdout, stderr, env: Object.fromEntries(env) });
  const random = createRandom();
  const imports = {
    ...createWasiP2(cli.resolved, { random }),
    ...createClocks(),
    ...random,
    ...cli.imports,
    ...createHttp(http),
  };
  return { imports, stdout, stderr, drain: () => cli.drain() };
}

export async function instantiate(
  path: string | URL,
  http: HttpOptions = {},
  env: [string, string][] = [],
): Promise<[Instance, GuestHost]> {
  const host = guestHost(http, env);
  const instance = await (await compile(path)).instantiate(host.imports);
  return [instance, host];
}

/** A guest's exported wasi:http handler. */
export function handleOf(instance: Instance): (request: unknown) => Promise<never> {
  const iface = instance.exports['wasi:http/handler@0.3.0'] as { handle: (request: unknown) => Promise<never> };
  return iface.handle;
}

/** Runs a command component; its exit code and output. */
export async function runProgram(path: string | URL, http: HttpOptions = {}) {
  const [instance, host] = await instantiate(path, http);
  const code = await runCommand(instance, { drain: host.drain });
  return { code, stdout: host.stdout.text(), stderr: host.stderr.text() };
}
