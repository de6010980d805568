#!/usr/bin/env node
import { main } from './main.ts';

const code = await main(process.argv.slice(2));
if (process.argv[2] === 'run') {
  // A command's exit ends the process even if the guest left work behind
  // (a read on stdin, a timer); its output was flushed before main returned.
  process.exit(code);
}
process.exitCode = code;
