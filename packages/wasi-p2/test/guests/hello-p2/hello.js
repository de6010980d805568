// A WASI 0.2 command guest for @weft/wasi-p2's tests, built by ./build.sh with
// componentize-qjs (no --stub-wasi, so its libc imports WASI 0.2 too).
//
// componentize-qjs provides no `console` and no TextEncoder, so this defines
// console.log / console.error over wasi:cli/stdout and stderr@0.2.
import environment from 'wasi:cli/environment@0.2.12';
import stdin from 'wasi:cli/stdin@0.2.12';
import stdout from 'wasi:cli/stdout@0.2.12';
import stderr from 'wasi:cli/stderr@0.2.12';

function utf8(s) {
  const bin = unescape(encodeURIComponent(s));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function printer(getStream) {
  return (...parts) => getStream().blockingWriteAndFlush(utf8(`${parts.map(String).join(' ')}\n`));
}

globalThis.console = { log: printer(stdout.getStdout), error: printer(stderr.getStderr) };

export const run = {
  run() {
    const args = environment.getArguments();
    const env = environment.getEnvironment();
    console.log(`args ${JSON.stringify(args)}`);
    for (const [k, v] of env) if (k.startsWith('HELLO_')) console.log(`env ${k}=${v}`);
    console.log(`cwd ${environment.initialCwd() ?? '(none)'}`);
    for (let i = 1; i <= 3; i++) {
      console.log(`out ${i}`);
      console.error(`err ${i}`);
    }
    if (args.includes('--cat')) {
      // Echo stdin to stdout until it closes (blocking-read throws `closed`).
      const input = stdin.getStdin();
      const output = stdout.getStdout();
      for (;;) {
        let chunk;
        try {
          chunk = input.blockingRead(65536); // u64 is a JS number in componentize-qjs
        } catch (e) {
          // componentize-qjs throws an Error whose payload is the stream-error.
          if (e?.payload?.tag === 'closed') break;
          throw e;
        }
        output.blockingWriteAndFlush(chunk);
      }
    }
    if (args.includes('--fail')) throw 'asked to fail';
    console.log('done');
  },
};
