// wasi-testsuite's P3 tcp programs (Rust, wasm32-wasip3) run in-process with --inherit-network's
// policy. A failed assertion panics the guest, which traps. sockets-echo prints its address and
// waits for a client, as the testsuite's runner plays it (see sockets-echo.json).

import { connect } from 'node:net';
import { runCommand } from '@weft/wasi-cli';
import { describe, expect, it } from 'vitest';
import { sleep, within } from './helpers.ts';
import { HAVE_SUITE, instantiateProgram, runProgram, SUITE, suitePath } from './suite-host.ts';

describe.skipIf(!HAVE_SUITE)(`wasi-testsuite tcp programs (${SUITE})`, () => {
  it.each([
    'sockets-tcp-bind',
    'sockets-tcp-connect',
    'sockets-tcp-listen',
    'sockets-tcp-properties',
    'sockets-tcp-receive',
    'sockets-tcp-send',
  ])('%s', async (name) => {
    expect(await within(runProgram(name), 30000)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('sockets-echo', async () => {
    const { instance, stdout, drain } = await instantiateProgram(suitePath('sockets-echo'), {
      network: { inherit: true },
    });
    const run = runCommand(instance, { drain });
    let line = '';
    for (let i = 0; i < 200 && !line.includes('\n'); i++) {
      await sleep(10);
      line = stdout.text();
    }
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)\n$/.exec(line);
    expect(m).not.toBeNull();
    const client = connect({ host: m![1]!, port: Number(m![2]) });
    const got: Buffer[] = [];
    client.on('data', (d) => got.push(d));
    const ended = new Promise((r) => client.once('end', r));
    client.write('Hello, world');
    await within(ended, 10000);
    expect(Buffer.concat(got).toString()).toBe('Hello, world');
    client.destroy();
    expect(await within(run, 10000)).toBe(0);
  });
});
