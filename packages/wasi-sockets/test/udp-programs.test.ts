// wasi-testsuite's five udp programs (Rust, wasm32-wasip3), run in-process with createSockets:
// each asserts the WIT's rules on bind, connect, send, receive and the socket options against
// real sockets on 127.0.0.1 and ::1, and a failed assertion panics the guest, which traps.

import { describe, expect, it } from 'vitest';
import { runCommand } from '@weft/wasi-cli';
import { HAVE_SUITE, instantiateProgram, runProgram, SUITE, suitePath } from './suite-host.ts';

describe.skipIf(!HAVE_SUITE)(`wasi-testsuite udp programs (${SUITE})`, () => {
  it.each([
    'sockets-udp-bind',
    'sockets-udp-connect',
    'sockets-udp-properties',
    'sockets-udp-receive',
    'sockets-udp-send',
  ])('%s', async (name) => {
    expect(await runProgram(name)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('under the default policy (nothing allowed) the bind program fails at its first bind that should succeed', async () => {
    const { instance, stderr, drain } = await instantiateProgram(suitePath('sockets-udp-bind'), {});
    await expect(runCommand(instance, { drain })).rejects.toThrow(/unreachable/);
    await drain();
    // test_already_bound's `assert!(sock.bind(addr).is_ok())`; the wrong-family checks before it passed.
    expect(stderr.text()).toContain('sockets-udp-bind.rs:28:5');
  });
});
