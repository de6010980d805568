import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Component, LinkError } from '@weft/core';
import { assembleText } from '@weft/wast';
import { beforeAll, describe, expect, it } from 'vitest';
import { shortName } from '@weft/core';
import { MAX_MESSAGE } from '../src/errors.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

function capture(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

async function weft(...argv: string[]) {
  const io = capture();
  const code = await main(argv, io);
  return { code, out: io.outs, err: io.errs };
}

const usage = "Run 'weft --help' for usage.";

let dir = '';
let file = '';
let wasm = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-input-'));
  file = join(dir, 'plain.txt');
  writeFileSync(file, 'not a directory');
  wasm = join(dir, 'hello.wasm');
  writeFileSync(wasm, await assembleText('(component)'));
});

describe('weft run --dir', () => {
  it('a missing HOST is a usage error naming the flag and path (exit 2)', async () => {
    expect(await weft('run', '--dir', '/nonexistent', wasm)).toEqual({
      code: 2,
      out: [],
      err: ['weft: --dir "/nonexistent": no such directory', usage],
    });
    expect((await weft('run', '--dir=/nonexistent::/data', wasm)).err[0]).toBe(
      'weft: --dir "/nonexistent": no such directory',
    );
  });
  it('a HOST that is a file is a usage error (exit 2)', async () => {
    expect(await weft('run', '--dir', `${file}::/f`, wasm)).toEqual({
      code: 2,
      out: [],
      err: [`weft: --dir ${JSON.stringify(file)}: not a directory`, usage],
    });
  });
  it("an empty HOST ('') is a usage error (exit 2)", async () => {
    expect(await weft('run', '--dir', '', wasm)).toEqual({
      code: 2,
      out: [],
      err: ['weft: --dir "": the host path is empty', usage],
    });
    expect((await weft('run', '--dir', '::/g', wasm)).err[0]).toBe('weft: --dir "": the host path is empty');
    expect((await weft('run', '--dir', `${dir}::`, wasm)).code).toBe(2);
  });
  it('an existing directory passes the check', async () => {
    // The component has no wasi:cli/run: a usage error of its own, after the --dir check.
    const r = await weft('run', '--dir', `${dir}::/d`, wasm);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/exports no wasi:cli\/run/);
  });
});

describe('malformed flags exit 2', () => {
  it.each([
    [['run', '--bogus', 'x.wasm'], /^weft: unknown option --bogus$/],
    [['run', '--env'], /^weft: --env needs a value$/],
    [['run', '--env', '', 'x.wasm'], /^weft: --env "": the variable needs a name$/],
    [['run', '--env', '=1', 'x.wasm'], /^weft: --env "=1": the variable needs a name$/],
    [['run', '--dir'], /^weft: --dir needs a value$/],
    [['inspect', '--bogus', 'x.wasm'], /^weft: Unknown option '--bogus'/],
    [['wast', '--bogus', 'a.wast'], /^weft: Unknown option '--bogus'/],
    [['wast', '--timeout'], /^weft: Option '--timeout <value>' argument missing/],
    [['wast', '--timeout', 'soon', 'a.wast'], /^weft: --timeout must be a positive number of ms, not "soon"$/],
    [['wast', '--timeout', '0', 'a.wast'], /^weft: --timeout must be/],
    [['wast', '--file-timeout', '', 'a.wast'], /^weft: --file-timeout must be a positive number of ms, not ""$/],
    [['wast', '--file-timeout', '2.5', 'a.wast'], /^weft: --file-timeout must be/],
    [['wast', '-j', '', 'a.wast'], /^weft: -j must be a number \(0 = in-process\), not ""$/],
    [['wast', '--jobs=-1', 'a.wast'], /^weft: -j must be a number \(0 = in-process\), not "-1"$/],
    [['wast', '-j', '-1', 'a.wast'], /^weft: Option '-j' argument is ambiguous\. Did you forget/],
    [['wast', '-j', 'two', 'a.wast'], /^weft: -j must be/],
  ])('%j', async (argv, message) => {
    const r = await weft(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(2);
    expect(r.err[0]).toMatch(message);
    expect(r.err[1]).toBe(usage);
  });
  it('a huge bad option is printed elided, on one line', async () => {
    const r = await weft('run', `--${'x'.repeat(1_000_000)}`, 'x.wasm');
    expect(r.code).toBe(2);
    expect(r.err[0]!.length).toBeLessThan(MAX_MESSAGE + 100);
    expect(r.err[0]).toMatch(/^weft: unknown option --x+…\(\d+ more\)…x+$/);
  });
});

describe('huge guest names are elided in messages', () => {
  // A func import named `a-a-a-…`, 2 MiB long: valid kebab-case, missing from the host.
  const name = `a${'-a'.repeat(1 << 20)}`;
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await assembleText(`(component (import "${name}" (func)))`);
  });

  it('the LinkError quotes the name shortened and says how much was left out', async () => {
    const component = await Component.compile(bytes);
    const e = await Promise.resolve()
      .then(() => component.instantiate({}))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LinkError);
    const msg = (e as LinkError).message;
    expect(msg.length).toBeLessThan(2048);
    expect(msg).toContain(`missing import \`${name.slice(0, 512)}…(${name.length - 512 - 102} more)…`);
    expect(msg).toMatch(/a`: expected a function, but the import object has no such key$/);
  });

  it('weft run prints it on one short line (exit 1)', async () => {
    const path = join(dir, 'huge-import.wasm');
    writeFileSync(path, bytes);
    const r = await weft('run', path);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]!.length).toBeLessThan(2048);
    expect(r.err[0]).toMatch(/^weft: LinkError: missing import `a-a-a.*…\(\d+ more\)…/);
  });

  it('shortName keeps the head and the tail, never splitting a surrogate pair', () => {
    for (const s of ['', 'short', 'x'.repeat(1024)]) expect(shortName(s)).toBe(s);
    expect(shortName('q'.repeat(5000))).toBe(`${'q'.repeat(512)}…(4386 more)…${'q'.repeat(102)}`);
    // (Here both cut points fall inside a pair: `x` shifts the pairs by one, `y` the tail.)
    const pairs = shortName(`x${'😀'.repeat(3000)}y`);
    expect(pairs).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});
