// Both pages in Debian's Chromium (playwright-core, headless), served from 127.0.0.1 by the
// test: page 1 compiles components in the page; the csp/ page runs `weft bundle` output under a
// policy without 'wasm-unsafe-eval' or 'unsafe-eval', and shows that the policy refuses both.
// Without /usr/bin/chromium the suite skips loudly (fails with WEFT_REQUIRE_BROWSER=1).

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPages, DIST, headersFor } from '../build.ts';
import { chromiumStatus, launchChromium, SOURCE_PHASE_IMPORTS, skipBanner } from '../harness/chromium.ts';
import { type StaticServer, serveStatic } from '../harness/static-server.ts';

const status = chromiumStatus();
if (!status.available) console.warn(skipBanner('examples/browser page tests', status.reason));

/** The section's state once it settles (not idle or running), and its text. */
async function settled(page: Page, name: string, timeout = 60_000): Promise<{ state: string; text: string }> {
  const sel = `section[data-demo="${name}"]`;
  await page.waitForSelector(`${sel}:not([data-state="idle"]):not([data-state="running"])`, { timeout });
  return page.$eval(sel, (el) => ({
    state: (el as HTMLElement).dataset.state ?? '',
    text: el.querySelector('pre')?.textContent ?? '',
  }));
}

describe.skipIf(!status.available)('pages in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    await buildPages();
    server = await serveStatic(DIST, { headers: headersFor });
    browser = await launchChromium([SOURCE_PHASE_IMPORTS]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string, b = browser): Promise<Page> {
    const page = await b.newPage();
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  describe('page 1 (components compiled in the page)', () => {
    it('values: calls with strings, records, lists, and a result error as a ComponentError', async () => {
      const page = await open('/?demo=values');
      const r = await settled(page, 'values');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toContain('add(20, 22) = 42');
      expect(r.text).toContain('echo("héllo, 🌍") = "héllo, 🌍"');
      expect(r.text).toContain('translate({x: 1, y: 2}, 10, 20) = {"x":11,"y":22}');
      expect(r.text).toContain('reverse-bytes([1, 2, 3]) = [3, 2, 1]');
      expect(r.text).toMatch(/checked-div\(1, 0\) → error: ComponentError: payload ".+"/);
      await page.close();
    });

    it('streams: 32 MiB each way through stream<u8>, every byte checked', async () => {
      const page = await open('/?demo=streams');
      const r = await settled(page, 'streams');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toContain('source(33554432) → page: 33554432 bytes, each checked');
      expect(r.text).toContain('page → sink: 33554432 bytes counted by the guest');
      expect(r.text).toContain('100 concurrent async add(i, 1): sum 5050');
      await page.close();
    });

    it('trap: shown as an error on the page; the instance stays poisoned', async () => {
      const page = await open('/?demo=trap');
      const r = await settled(page, 'trap');
      expect(r.state).toBe('error');
      expect(r.text).toContain('ok() = 7');
      expect(r.text).toMatch(/boom\(\) → error: Trap: .*unreachable/);
      expect(r.text).toMatch(/ok\(\) after the trap → error: Trap: /);
      expect(r.text).toMatch(/divide\(1, 0\) on a new instance → error: Trap: .*divide by zero/);
      await page.close();
    });
  });

  describe('page 1: a wasi:cli command with an in-memory file tree', () => {
    it('reads a file of the tree and prints it (the form as the page loads it)', async () => {
      const page = await open('/?command');
      const r = await settled(page, 'command');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toBe(
        '$ command cat notes/hello.txt\nHello from an in-memory file.\n[stderr] read: ok\nexit code 0',
      );
      await page.close();
    });

    it('lists a folder of the tree', async () => {
      const page = await open(`/?command&args=${encodeURIComponent('ls notes')}`);
      const r = await settled(page, 'command');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toMatch(/hello\.txt/);
      expect(r.text).toMatch(/todo\.txt/);
      await page.close();
    });

    it('gives the command its stdin', async () => {
      const page = await open('/?command&component=guests/command.wasm&args=cat&stdin=piped%20in');
      const r = await settled(page, 'command');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toContain('piped in');
      await page.close();
    });

    it('shows a trap as an error, after what the command printed before it', async () => {
      const page = await open('/?command&component=guests/command.wasm&args=trap');
      const r = await settled(page, 'command');
      expect(r.state).toBe('error');
      expect(r.text).toContain('about to trap');
      expect(r.text).toMatch(/error: Trap: .*unreachable/);
      await page.close();
    });
  });

  describe('csp/ page (weft bundle output, strict policy)', () => {
    it('is served with a policy that refuses compiling bytes and evaluating strings', async () => {
      const page = await open('/csp/');
      const r = await settled(page, 'csp');
      expect(r.state, r.text).toBe('ok');
      expect(r.text).toContain('WebAssembly.compile of bytes: refused (CompileError:');
      expect(r.text).toContain('new Function: refused (EvalError:');
      await page.close();
    });

    it('runs the bundles there: values, streams, and a trap shown as an error', async () => {
      const page = await open('/csp/');
      expect((await settled(page, 'load')).state).toBe('ok');
      const values = await settled(page, 'values');
      expect(values.state, values.text).toBe('ok');
      expect(values.text).toContain('add(20, 22) = 42');
      expect(values.text).toMatch(/checked-div\(1, 0\) → error: ComponentError: payload ".+"/);
      const streams = await settled(page, 'streams');
      expect(streams.state, streams.text).toBe('ok');
      expect(streams.text).toContain('source(33554432) → page: 33554432 bytes, each checked');
      const trap = await settled(page, 'trap');
      expect(trap.state).toBe('error');
      expect(trap.text).toMatch(/boom\(\) → error: Trap: .*unreachable/);
      const command = await settled(page, 'command');
      expect(command.state, command.text).toBe('ok');
      expect(command.text).toContain('Hello from an in-memory file.');
      const crash = await settled(page, 'command-trap');
      expect(crash.state).toBe('error');
      expect(crash.text).toContain('about to trap');
      expect(crash.text).toMatch(/error: Trap: .*unreachable/);
      await page.close();
    });

    it('says why it cannot run where source phase imports of .wasm are off (Chromium 156 default)', async () => {
      const plain = await launchChromium();
      try {
        const page = await open('/csp/', plain);
        expect((await settled(page, 'csp')).state).toBe('ok');
        const r = await settled(page, 'load');
        expect(r.state).toBe('error');
        expect(r.text).toContain('This browser cannot run WebAssembly under this policy');
        expect((await settled(page, 'values')).state).toBe('unsupported');
      } finally {
        await plain.close();
      }
    });
  });

  it('no uncaught errors on either page', () => {
    expect(errors).toEqual([]);
  });
});
