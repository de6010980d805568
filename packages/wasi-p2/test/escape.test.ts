// The guest-level escape suite (issue 10): a WASI 0.2 C guest against the raw
// canonical ABI (test/guests/escape/escape.c) tries every way out of its
// preopen, on a NodeBackend over a temp dir (with files outside it that the
// guest must not reach) and on a MemoryBackend. The same guest against
// preview2-shim's filesystem shows that the suite sees an escape when there is one.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as shimFs from '@bytecodealliance/preview2-shim/filesystem';
import { Component } from '@weft/core';
import { type Backend, MemoryBackend, NodeBackend } from '@weft/wasi-fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasiP2, WASI_P2_VERSION } from '../src/index.ts';
import { capture, makeCli } from './helpers.ts';

const compiled = Component.compile(readFileSync(new URL('./guests/escape/escape.wasm', import.meta.url)));
const RUN = 'wasi:cli/run@0.2.3';

/**
 * Outside the preopen T/x/y/z/sandbox: T/x/y/z/secret (what `../secret` names) and T/etc/hostname
 * (what `../../../../etc`, from the sandbox, names). Inside: `hostlink`, an absolute symlink to T/etc.
 */
function hostTree() {
  const top = mkdtempSync(join(tmpdir(), 'weft-p2-escape-'));
  const sandbox = join(top, 'x/y/z/sandbox');
  mkdirSync(sandbox, { recursive: true });
  mkdirSync(join(top, 'etc'));
  writeFileSync(join(top, 'etc/hostname'), 'DECOY-HOSTNAME');
  writeFileSync(join(top, 'x/y/z/secret'), 'SECRET-SIBLING');
  symlinkSync(join(top, 'etc'), join(sandbox, 'hostlink'));
  return { top, sandbox };
}

let tops: string[] = [];
afterEach(() => {
  for (const t of tops) rmSync(t, { recursive: true, force: true });
  tops = [];
});

async function runGuest(imports: Record<string, object>): Promise<string[]> {
  const c = capture();
  const inst = await (await compiled).instantiate({ ...createWasiP2(makeCli(c)), ...imports });
  inst.exports[RUN].run();
  return c.text('stdout').trimEnd().split('\n');
}

async function runOn(backend: Backend): Promise<string[]> {
  const imps = createWasiP2(makeCli(capture()), { preopens: [{ guestPath: '/sandbox', backend }] });
  const v = WASI_P2_VERSION;
  return runGuest({
    [`wasi:filesystem/types@${v}`]: imps[`wasi:filesystem/types@${v}`]!,
    [`wasi:filesystem/preopens@${v}`]: imps[`wasi:filesystem/preopens@${v}`]!,
  });
}

/** What the guest must see; `hostlink` (the host's absolute symlink) exists only on the Node backend. */
function expected(node: boolean): string[] {
  return [
    'preopen is a directory: ok',
    'write note: ok',
    'read note: ok inside the sandbox',
    'read ../secret: not-permitted',
    'mkdir dir: ok',
    'read dir/../../secret: not-permitted',
    'stat ..: not-permitted',
    'rename dir to ../dir: not-permitted',
    'read /etc/hostname: not-permitted',
    'stat /: not-permitted',
    'symlink abs -> /etc: not-permitted',
    `read hostlink/hostname: ${node ? 'not-permitted' : 'no-entry'}`,
    'symlink out -> ../../../../etc: ok',
    'readlink out: ok ../../../../etc',
    'read out/hostname: not-permitted',
    'stat out: not-permitted',
    'open out as directory: not-permitted',
    'open out without following: loop',
    'create out/pwned: not-permitted',
    'link out/hostname to hardlink: not-permitted',
    'symlink s -> ../secret: ok',
    'read s: not-permitted',
    'mkdir sub: ok',
    'write sub/inner: ok',
    'open sub: ok',
    'open sub for changes: ok',
    'rename sub to sub-moved: ok',
    'symlink sub -> ../../../../etc: ok',
    'held sub: read hostname: no-entry',
    'held sub: read inner: ok inner file',
    'held sub: list: ok inner',
    'held sub: create pwned: read-only',
    'held sub: read ../secret: not-permitted',
    'held sub for changes: create made: ok',
    'read sub-moved/made: ok written through the held descriptor',
    `list sandbox: ok dir ${node ? 'hostlink ' : ''}note.txt out s sub sub-moved`,
  ];
}

describe('a WASI 0.2 guest trying every escape route', () => {
  it('NodeBackend over a temp dir: every route is refused, nothing outside is read or written', async () => {
    const { top, sandbox } = hostTree();
    tops.push(top);
    const lines = await runOn(new NodeBackend(sandbox));
    expect(lines).toEqual(expected(true));
    expect(lines.join('\n')).not.toMatch(/DECOY|SECRET/);
    // Outside: untouched. Inside: the file the held descriptor made is in the renamed directory.
    expect(readdirSync(join(top, 'etc'))).toEqual(['hostname']);
    expect(readdirSync(join(top, 'x/y/z')).sort()).toEqual(['sandbox', 'secret']);
    expect(readdirSync(top).sort()).toEqual(['etc', 'x']);
    expect(readdirSync(join(sandbox, 'sub-moved')).sort()).toEqual(['inner', 'made']);
    expect(readFileSync(join(sandbox, 'sub-moved/made'), 'utf8')).toBe('written through the held descriptor');
    expect(existsSync('/etc/pwned')).toBe(false);
  });

  it('MemoryBackend: every route is refused', async () => {
    const backend = new MemoryBackend();
    const lines = await runOn(backend);
    expect(lines).toEqual(expected(false));
    const root = backend.root();
    expect(backend.readDirectory(root).map((e) => e.name)).toEqual(['dir', 'note.txt', 'out', 's', 'sub', 'sub-moved']);
    expect(backend.readDirectory(backend.openAt(root, 'sub-moved', {}, {}, { read: true })).map((e) => e.name)).toEqual(
      ['inner', 'made'],
    );
  });

  it("the suite detects an escape: against preview2-shim 0.26's filesystem the held descriptor gets out", async () => {
    const { top, sandbox } = hostTree();
    tops.push(top);
    const createFilesystem = (
      shimFs as unknown as {
        createFilesystem(c: { preopens: Record<string, string> }): { types: object; preopens: object };
      }
    ).createFilesystem;
    const shim = createFilesystem({ preopens: { '/sandbox': sandbox } });
    const v = WASI_P2_VERSION;
    const lines = await runGuest({
      [`wasi:filesystem/types@${v}`]: shim.types,
      [`wasi:filesystem/preopens@${v}`]: shim.preopens,
    });
    // The escape of issue 10, as this guest performs it: through the descriptor it holds, it
    // reads the file outside and creates one there.
    expect(lines).toContain('held sub: read hostname: ok DECOY-HOSTNAME');
    expect(lines).toContain('held sub: create pwned: ok');
    expect(readFileSync(join(top, 'etc/pwned'), 'utf8')).toBe('written through the held descriptor');
    const diff = lines.filter((l) => !expected(true).includes(l));
    expect(diff.length).toBeGreaterThan(0);
  });
});
