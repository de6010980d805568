// Runs an ES module in a child Node process (the TS sources, bounded to 10 s) to watch when it
// exits: what the lifetime tests use to see whether a socket holds the event loop.

import { spawn } from 'node:child_process';

export function runModule(script: string): Promise<{ code: number | null; out: string; ms: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--conditions=weft-source', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10_000,
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, out: out.trim(), ms: performance.now() - start })),
  );
}
