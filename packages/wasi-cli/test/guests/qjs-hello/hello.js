// QuickJS has neither console nor TextEncoder: write bytes to the 0.2 stdout stream.
import environment from 'wasi:cli/environment@0.2.0';
import stdout from 'wasi:cli/stdout@0.2.0';

function utf8(s) {
  const out = [];
  for (const ch of s) {
    let c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

export const run = {
  run() {
    const args = environment.getArguments();
    // `now`: the wall clock as the JS runtime reads it (libc → wasi:clocks/wall-clock@0.2)
    if (args[1] === 'now') {
      stdout.getStdout().blockingWriteAndFlush(utf8(`${Date.now()}\n`));
      return;
    }
    const who = args.length > 1 ? args.slice(1).join(' ') : 'componentize-qjs';
    stdout.getStdout().blockingWriteAndFlush(utf8(`hello from ${who}\n`));
  },
};
