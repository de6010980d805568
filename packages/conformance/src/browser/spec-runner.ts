// Runs .wast files in Debian's Chromium: page.ts bundled with @weft/wast and @weft/core (from
// source), served from 127.0.0.1, one page for all files. The Node side reads each file and
// assembles its text (assembler.ts: jco, as @weft/wast does on Node); everything else (parsing the
// script, compiling, linking, calls, assertions) runs in the page. A file that does not finish in
// time fails, and the page is replaced (a guest stuck in a synchronous loop holds it).
//
// The browser harness (Chromium launch, static server, esbuild) is examples/browser's.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WastOptions, WastResult } from '@weft/wast';
import { bundlePage } from '../../../../examples/browser/harness/bundle.ts';
import { type Browser, launchChromium, type Page } from '../../../../examples/browser/harness/chromium.ts';
import { type StaticServer, serveStatic } from '../../../../examples/browser/harness/static-server.ts';
import { Assembler } from './assembler.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

const PAGE = `<!doctype html><meta charset="utf-8"><title>weft wast</title><script type="module" src="page.js"></script>`;

export class BrowserWastRunner {
  private page: Page | undefined;
  private readonly browser: Browser;
  private readonly server: StaticServer;
  private readonly dir: string;
  private readonly assembler: Assembler;

  private constructor(browser: Browser, server: StaticServer, dir: string, assembler: Assembler) {
    this.browser = browser;
    this.server = server;
    this.dir = dir;
    this.assembler = assembler;
  }

  /** Builds the page, serves it, launches Chromium (at most a minute in all). */
  static async start(): Promise<BrowserWastRunner> {
    const dir = await mkdtemp(join(tmpdir(), 'weft-wast-browser-'));
    try {
      await bundlePage({
        entry: join(here, 'page.ts'),
        outfile: join(dir, 'page.js'),
        replace: {
          '@bytecodealliance/jco': join(here, 'jco-shim.ts'),
          'node:worker_threads': join(here, 'worker-threads-shim.ts'),
          'node:fs/promises': join(here, 'fs-shim.ts'),
        },
      });
      await writeFile(join(dir, 'index.html'), PAGE);
      const server = await serveStatic(dir);
      try {
        return new BrowserWastRunner(await launchChromium(), server, dir, await Assembler.create());
      } catch (e) {
        await server.close();
        throw e;
      }
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private async openPage(): Promise<Page> {
    const page = await this.browser.newPage();
    await page.exposeFunction('weftAssemble', async (text: string) =>
      Buffer.from(await this.assembler.assemble(text)).toString('base64'),
    );
    await page.goto(`${this.server.url}/`);
    await page.waitForFunction(() => typeof globalThis.weftRunWast === 'function', null, { timeout: 30_000 });
    return page;
  }

  /** Runs one file (read here) in the page; fails it after `fileTimeoutMs`. */
  async run(file: string, options: WastOptions, fileTimeoutMs = 60_000): Promise<WastResult> {
    const failed = (reason: string): WastResult => ({
      file,
      passed: false,
      failure: { directive: 'file', line: 0, reason },
      directives: 0,
    });
    const text = await readFile(file, 'utf8');
    this.page ??= await this.openPage();
    const page = this.page;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<WastResult>((resolve) => {
      timer = setTimeout(() => resolve(failed(`timed out after ${fileTimeoutMs} ms in Chromium`)), fileTimeoutMs);
    });
    const result = await Promise.race([
      page
        .evaluate(([name, t, o]) => globalThis.weftRunWast(name, t, o), [file, text, options] as [
          string,
          string,
          WastOptions,
        ])
        .catch((e: Error) => failed(`the page failed: ${e.message.split('\n')[0]}`)),
      limit,
    ]);
    clearTimeout(timer);
    if (!result.passed && result.failure?.directive === 'file') {
      // A stuck or crashed page serves no further file.
      this.page = undefined;
      await page.close().catch(() => {});
    }
    return result;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.server.close();
    await this.assembler.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
