#!/usr/bin/env node
import module from 'node:module';

// Cache compiled (and type-stripped) modules across runs: it cuts cold start
// several-fold when running from the TypeScript sources.
module.enableCompileCache?.();

const { main, TRAP_EXIT } = await import('./main.ts');
let running = true;
// Node has nothing left to run while a command still waits: a host stream or
// future that can never settle. Say so and exit as after a trap, never with
// Node's "unsettled top-level await" (13).
process.on('beforeExit', () => {
  if (!running) return;
  process.stderr.write(
    'weft: Trap: wasm trap: deadlock detected: the component waits on host work that can never finish\n',
  );
  process.exit(TRAP_EXIT);
});
const code = await main(process.argv.slice(2));
running = false;
if (process.argv[2] === 'run') {
  // A command's exit ends the process even if the guest left work behind
  // (a read on stdin, a timer); its output was flushed before main returned.
  process.exit(code);
}
process.exitCode = code;
