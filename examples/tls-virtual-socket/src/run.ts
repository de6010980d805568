// Runs the example's guest (guest/http-get.wasm, `http-get HOST PORT [PATH]`) under Weft with a
// virtual network, as `weft run` would run it, capturing what it prints.

import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';
import { CaptureSink, createWasiHost } from '@weft/wasi';
import type { VirtualNetwork } from '@weft/wasi-sockets';

export const GUEST = new URL('../guest/http-get.wasm', import.meta.url);

export interface GuestRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `http-get host port path` with only `network` to reach: no allow rules, no host resolver. */
export async function runHttpGet(network: VirtualNetwork, host: string, port: number, path = '/'): Promise<GuestRun> {
  const component = await Component.compile(await readFile(GUEST));
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const wasi = createWasiHost({
    args: ['http-get', host, String(port), path],
    stdin: 'ignore',
    stdout,
    stderr,
    network: { virtual: network },
    p2: false,
  });
  const instance = await component.instantiate(wasi.imports);
  const code = await wasi.run(instance);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
