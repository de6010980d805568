// The csp/ page's first script: shows that its policy refuses WebAssembly compilation of bytes
// and string evaluation, then loads app.js, whose static `import source` of .wasm files is the
// only way left to get a WebAssembly.Module here. A browser without source phase imports of
// .wasm fails to load app.js; the page then says so.

import { describeError } from './demos.ts';
import { runInto, section } from './view.ts';

const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function refused(what: string, f: () => unknown): Promise<[boolean, string]> {
  try {
    await f();
    return [false, `${what}: allowed (the policy is not strict)`];
  } catch (e) {
    return [true, `${what}: refused (${describeError(e).replace(/^error: /, '')})`];
  }
}

await runInto('csp', async () => {
  const checks = [
    await refused('WebAssembly.compile of bytes', () => WebAssembly.compile(EMPTY_MODULE)),
    await refused('new WebAssembly.Module of bytes', () => new WebAssembly.Module(EMPTY_MODULE)),
    await refused('new Function', () => new Function('return 1')()),
  ];
  return { ok: checks.every(([r]) => r), lines: checks.map(([, line]) => line) };
});

await runInto('load', async () => {
  try {
    // A computed specifier, so the page bundler leaves this import to the browser.
    await import(new URL('./app.js', import.meta.url).href);
    return { ok: true, lines: ['app.js loaded: its core modules came from source phase imports'] };
  } catch (e) {
    for (const name of ['values', 'streams', 'trap', 'command', 'command-trap'])
      section(name).dataset.state = 'unsupported';
    return {
      ok: false,
      lines: [
        'This browser cannot run WebAssembly under this policy: without',
        "'wasm-unsafe-eval' it compiles no bytes, and it does not support source phase imports",
        "of .wasm (import source m from './x.wasm'), which Chromium 156 has behind",
        '--enable-features=JavaScriptSourcePhaseImports.',
        describeError(e),
      ],
    };
  }
});
