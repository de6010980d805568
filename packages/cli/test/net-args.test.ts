// `--allow-net` and `--inherit-network` on `weft run` and `weft serve`: parsing and usage errors.

import { describe, expect, it } from 'vitest';
import { networkOptions, parseAllowNet } from '../src/commands/net-args.ts';
import { parseRunArgs } from '../src/commands/run-args.ts';
import { parseServeArgs } from '../src/commands/serve-args.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

async function weft(...argv: string[]) {
  const errs: string[] = [];
  const io: Io = { out: () => {}, err: (l) => errs.push(l) };
  return { code: await main(argv, io), errs };
}

describe('--allow-net SPEC', () => {
  it.each([
    '127.0.0.1:8080',
    '127.0.0.1:*',
    '127.0.0.1:8000-9000',
    '10.0.0.0/8:443',
    '0.0.0.0/0:0-65535',
    '[::1]:8080',
    '[fd00::]/8:*',
    '[::ffff:127.0.0.1]:80',
    '*:*',
    '*:53',
  ])('accepts %s', (spec) => {
    expect(parseAllowNet(spec)).toBe(spec);
  });

  it.each([
    ['127.0.0.1', 'expected HOST:PORTS'],
    ['localhost:80', "'localhost' is not an IPv4 address, [IPv6], CIDR or '*' (host names are not allowed"],
    ['example.com:*', "'example.com' is not an IPv4 address"],
    ['::1:80', 'write an IPv6 address in brackets'],
    ['[::1:80', "'[' without ']'"],
    ['[::1]x:80', "unexpected 'x' after the IPv6 address"],
    ['[127.0.0.1]:80', "'127.0.0.1' is not an IPv6 address"],
    ['[fe80::1%eth0]:80', "a zone id ('%') is not allowed"],
    ['256.0.0.1:80', "'256.0.0.1' is not an IPv4 address"],
    ['10.0.0.0/33:80', "prefix length '/33' is not from 0 to 32"],
    ['[fd00::]/129:80', "prefix length '/129' is not from 0 to 128"],
    ['10.0.0.0/:80', "prefix length '/' is not from 0 to 32"],
    ['10.0.0.0/8/32:80', "more than one '/' in '10.0.0.0/8/32'"],
    [':80', 'the host is empty'],
    ['127.0.0.1:', "port '' is not a number from 0 to 65535"],
    ['127.0.0.1:http', "port 'http' is not a number"],
    ['127.0.0.1:65536', "port '65536' is not a number from 0 to 65535"],
    ['127.0.0.1:9000-8000', 'port range 9000-8000 is empty'],
    ['127.0.0.1:-5', "port '' is not a number"],
  ])('rejects %s', (spec, why) => {
    expect(() => parseAllowNet(spec)).toThrow(why);
    expect(() => parseAllowNet(spec)).toThrow(`--allow-net ${JSON.stringify(spec)}: `);
  });
});

describe('weft run / weft serve network flags', () => {
  it('weft run collects --allow-net (repeatable, also --allow-net=SPEC) and --inherit-network before the file', () => {
    const r = parseRunArgs([
      '--allow-net',
      '127.0.0.1:80',
      '--allow-net=[::1]:*',
      '--inherit-network',
      'app.wasm',
      '--allow-net',
      'x',
    ]);
    expect(r).toMatchObject({
      file: 'app.wasm',
      allowNet: ['127.0.0.1:80', '[::1]:*'],
      inheritNetwork: true,
      args: ['--allow-net', 'x'],
    });
    expect(networkOptions(r)).toEqual({ inherit: true, allow: ['127.0.0.1:80', '[::1]:*'] });
  });

  it('--allow-name-lookup turns on the host resolver (lookup), alone or with rules', () => {
    expect(networkOptions(parseRunArgs(['--allow-name-lookup', 'app.wasm']))).toEqual({
      inherit: false,
      allow: [],
      lookup: true,
    });
    expect(parseServeArgs(['--allow-name-lookup', 'app.wasm']).allowNameLookup).toBe(true);
  });

  it('no flag: no network options (the guest gets none)', () => {
    expect(networkOptions(parseRunArgs(['app.wasm']))).toBeUndefined();
    expect(networkOptions(parseRunArgs(['--allow-net', '*:443', 'app.wasm']))).toEqual({
      inherit: false,
      allow: ['*:443'],
    });
  });

  it('weft serve takes them anywhere', () => {
    const r = parseServeArgs(['app.wasm', '--inherit-network', '--allow-net', '10.0.0.0/8:5432']);
    expect(r).toMatchObject({ file: 'app.wasm', inheritNetwork: true, allowNet: ['10.0.0.0/8:5432'] });
  });

  it('a bad spec is a usage error (exit 2) that names the flag, the value and the grammar', async () => {
    for (const cmd of ['run', 'serve']) {
      const { code, errs } = await weft(cmd, '--allow-net', 'localhost:80', 'app.wasm');
      expect(code).toBe(2);
      expect(errs[0]).toMatch(/^weft: --allow-net "localhost:80": 'localhost' is not an IPv4 address/);
      expect(errs[0]).toContain('expected HOST:PORTS');
      expect(errs[1]).toBe("Run 'weft --help' for usage.");
    }
    expect((await weft('run', '--allow-net')).errs[0]).toBe('weft: --allow-net needs a value');
  });

  it('the help text lists both flags for run and serve', async () => {
    const outs: string[] = [];
    await main(['--help'], { out: (l) => outs.push(l), err: () => {} });
    const text = outs.join('\n');
    expect(text.match(/\[--allow-net HOST:PORTS\]\.\.\. \[--allow-name-lookup\] \[--inherit-network\]/g)).toHaveLength(
      2,
    );
  });
});
