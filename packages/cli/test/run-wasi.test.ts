// `weft run` on command components (the C guest and the componentize-qjs
// guest built in packages/wasi-cli/test/guests).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureSink } from '@weft/wasi-cli';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../src/commands/run-args.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const guest = (n: string) => fileURLToPath(new URL(`../../wasi-cli/test/guests/${n}`, import.meta.url));
const C = guest('command.wasm');
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

async function weft(argv: string[], stdin: string | 'ignore' = 'ignore') {
  const stdout = new CaptureSink();
  const stderr = new CaptureSink();
  const errs: string[] = [];
  const io: Io = {
    out: (l) => stdout.write(new TextEncoder().encode(`${l}\n`)),
    err: (l) => errs.push(l),
    stdio: { stdin, stdout, stderr },
  };
  const code = await main(['run', ...argv], io);
  return { code, out: stdout.text(), err: stderr.text(), errs };
}

describe('weft run', () => {
  it('parses options before the file and passes the rest to the guest', () => {
    const r = parseRunArgs(['--env', 'A=1', '--env=B', '--inherit-env', '--dir', '/tmp::/t', 'app.wasm', '--env', 'x']);
    expect(r).toMatchObject({
      file: 'app.wasm',
      args: ['--env', 'x'],
      env: [
        ['A', '1'],
        ['B', undefined],
      ],
      inheritEnv: true,
      dirs: [{ host: '/tmp', guest: '/t', readOnly: false }],
    });
    expect(parseRunArgs(['--', '-odd.wasm', 'a']).file).toBe('-odd.wasm');
    // --dir-ro is read-only; `::` separates (the last one), a single `:` belongs to the path
    expect(parseRunArgs(['--dir-ro', 'C:\\x::/ro', '--dir=/a:b', 'f.wasm']).dirs).toEqual([
      { host: 'C:\\x', guest: '/ro', readOnly: true },
      { host: '/a:b', guest: '/a:b', readOnly: false },
    ]);
    expect(() => parseRunArgs(['--dir', '/a::/x', '--dir-ro', '/b::/x', 'f.wasm'])).toThrow(/given twice/);
  });

  it('runs wasi:cli/run@0.3 with args and env, exit code 0', async () => {
    const r = await weft(['--env', 'GREETING=hi', C, 'args', 'one', '--two']);
    // argv[0] is the file's basename, never the host path (as wasmtime run)
    expect(r).toMatchObject({ code: 0, out: 'command.wasm\nargs\none\n--two\n' });
    expect((await weft(['--argv0', 'tool', C, 'args'])).out).toBe('tool\nargs\n');
    const e = await weft(['--env', 'GREETING=hi', C, 'env']);
    expect(e.out).toBe('GREETING=hi\ncwd=(none)\n');
  });

  it('copies stdin to stdout', async () => {
    expect((await weft([C, 'cat'], 'line 1\nline 2\n')).out).toBe('line 1\nline 2\n');
  });

  it('exits with the component code: err → 1, exit-with-code → its value', async () => {
    expect((await weft([C, 'err'])).code).toBe(1);
    expect((await weft([C, 'exit', '9'])).code).toBe(9);
  });

  it('reports a trap on one line with a non-zero code', async () => {
    const r = await weft([C, 'trap']);
    expect(r.code).toBe(134);
    expect(r.out).toBe('about to trap\n');
    expect(r.errs).toEqual(['weft: Trap: wasm trap: wasm `unreachable` instruction executed']);
  });

  it('runs a componentize-qjs command (wasi:cli/run@0.2)', async () => {
    const r = await weft([guest('qjs-hello.wasm'), 'Weft']);
    expect(r).toMatchObject({ code: 0, out: 'hello from Weft\n' });
  });

  it('lets a WASI 0.2 guest block on stdin that arrives later', async () => {
    const p2 = fileURLToPath(new URL('../../wasi-p2/test/guests/hello-p2/hello-p2-sync.wasm', import.meta.url));
    async function* slowStdin() {
      await new Promise((r) => setTimeout(r, 50));
      yield new TextEncoder().encode('late line\n');
    }
    const stdout = new CaptureSink();
    const stderr = new CaptureSink();
    const io: Io = { out: () => {}, err: () => {}, stdio: { stdin: slowStdin(), stdout, stderr } };
    expect(await main(['run', p2, '--cat'], io)).toBe(0);
    expect(stdout.text()).toContain('late line\ndone\n');
  });

  it('--dir and --dir-ro preopen a sandboxed host directory (the 0.2 escape guest of wasi-p2)', async () => {
    const escapeGuest = fileURLToPath(new URL('../../wasi-p2/test/guests/escape/escape.wasm', import.meta.url));
    const top = mkdtempSync(join(tmpdir(), 'weft-cli-dir-'));
    try {
      const sandbox = join(top, 'x/y/z/sandbox');
      mkdirSync(sandbox, { recursive: true });
      mkdirSync(join(top, 'etc'));
      writeFileSync(join(top, 'etc/hostname'), 'DECOY');
      const rw = await weft(['--dir', `${sandbox}::/sandbox`, escapeGuest]);
      expect(rw.code).toBe(0);
      expect(rw.out).toContain('read note: ok inside the sandbox\n');
      expect(rw.out).toContain('held sub: read hostname: no-entry\n');
      expect(rw.out).toContain('read out/hostname: not-permitted\n');
      expect(readdirSync(join(top, 'etc'))).toEqual(['hostname']);
      rmSync(sandbox, { recursive: true });
      mkdirSync(sandbox);
      const ro = await weft(['--dir-ro', `${sandbox}::/sandbox`, escapeGuest]);
      expect(ro.out).toMatch(/^preopen is a directory: ok\nwrite note: read-only\n/);
      expect(readdirSync(sandbox)).toEqual([]);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });

  it('--invoke still works, with WASI imports available', async () => {
    const r = await weft(['--invoke', 'nope()', C]);
    expect(r.code).toBe(1);
    expect(r.errs[0]).toMatch(/no exported function "nope"/);
  });

  it('streams stdout and ends cleanly when the reader closes the pipe (| head -1)', async () => {
    const child = spawn(process.execPath, ['--conditions=weft-source', BIN, 'run', C, 'lines'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const first = await new Promise<string>((resolve) => {
      let got = '';
      const onData = (d: Buffer) => {
        got += d.toString();
        if (!got.includes('\n')) return;
        child.stdout.off('data', onData);
        child.stdout.destroy();
        resolve(got.split('\n')[0]!);
      };
      child.stdout.on('data', onData);
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(first).toBe('line 0');
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
