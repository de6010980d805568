// Runs a WASI 0.3 command component inside a program: its stdout is captured
// in memory and its clock is virtual, so an hour-long sleep takes no time.
// Uses only @weft/core, @weft/wasi-cli and @weft/wasi-clocks.
//
//   node --conditions=weft-source embed.ts

import { readFile } from 'node:fs/promises';
import { Component } from '@weft/core';
import { CaptureSink, createCliHost, runCommand } from '@weft/wasi-cli';
import { createClocks, VirtualClock } from '@weft/wasi-clocks';

const bytes = await readFile(new URL('../../packages/wasi-cli/test/guests/command.wasm', import.meta.url));
const component = await Component.compile(bytes);

const stdout = new CaptureSink();
const clock = new VirtualClock();
const cli = createCliHost({
  args: ['command', 'sleep', String(60 * 60 * 1000)], // sleep for an hour
  env: { APP_MODE: 'embedded' },
  stdin: 'ignore',
  stdout,
  stderr: (chunk) => process.stderr.write(chunk),
});

// The guest also imports wasi:random/random; any object with the right
// functions serves (here the platform's crypto).
const random = {
  'wasi:random/random@0.3.0': {
    getRandomBytes: (n: bigint) => crypto.getRandomValues(new Uint8Array(Number(n < 65536n ? n : 65536n))),
    getRandomU64: () => crypto.getRandomValues(new BigUint64Array(1))[0],
  },
};

const instance = await component.instantiate({ ...cli.imports, ...createClocks({ virtual: clock }), ...random });
const done = runCommand(instance, { drain: cli.drain });

// The guest is now parked in wait-for. Move time forward a minute at a time.
const started = performance.now();
let minutes = 0;
while (stdout.length === 0 && minutes < 120) {
  await new Promise((r) => setImmediate(r));
  clock.advance(60_000_000_000n);
  minutes++;
}
const code = await done;
console.log(`exit code: ${code}`);
console.log(`captured stdout: ${JSON.stringify(stdout.text())}`);
console.log(`virtual time advanced: ${minutes} min, real time: ${(performance.now() - started).toFixed(1)} ms`);
