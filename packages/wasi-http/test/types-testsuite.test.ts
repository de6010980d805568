// wasi-testsuite's command programs for wasi:http/types (Rust, wasm32-wasip3): every `fields`,
// `request`, `response` and `request-options` rule they assert, run in-process against
// createHttp beside a WASI host. A failed assertion panics the guest, which traps.

import { describe, expect, it } from 'vitest';
import { HAVE_SUITE, runProgram, SUITE, suiteUrl } from './types-host.ts';

describe.skipIf(!HAVE_SUITE)(`wasi-testsuite wasi:http/types programs (${SUITE})`, () => {
  it.each(['http-fields', 'http-request', 'http-response', 'http-request-options'])('%s', async (name) => {
    const r = await runProgram(suiteUrl(name));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
