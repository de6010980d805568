// Debian's Chromium driven by playwright-core: no browser download, headless, and none of the
// background connections (sync, component updates, QUIC) a closed network makes fail.
//
// Browser tests call `chromiumStatus()` first: without /usr/bin/chromium they skip with a loud
// message, unless WEFT_REQUIRE_BROWSER=1 (CI), where a missing Chromium fails them.

import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type { Browser, Page } from 'playwright-core';

/** WEFT_CHROMIUM overrides (another build of Chromium or Chrome). */
export const CHROMIUM_PATH = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Source phase imports of `.wasm` (`import source m from './x.wasm'`: TC39 source phase imports
 * with the WebAssembly/ESM integration), the only way Chromium 156 makes a `WebAssembly.Module`
 * on a page whose CSP lacks 'wasm-unsafe-eval': the module is fetched and compiled as a script,
 * under script-src. Off by default in Chromium 156.
 */
export const SOURCE_PHASE_IMPORTS = '--enable-features=JavaScriptSourcePhaseImports';

export type ChromiumStatus = { available: true } | { available: false; reason: string };

/** Whether browser tests can run; throws when WEFT_REQUIRE_BROWSER=1 and they cannot. */
export function chromiumStatus(): ChromiumStatus {
  if (existsSync(CHROMIUM_PATH)) return { available: true };
  const reason = `${CHROMIUM_PATH} not found (apt-get install chromium)`;
  if (process.env.WEFT_REQUIRE_BROWSER === '1')
    throw new Error(`browser tests need Chromium and WEFT_REQUIRE_BROWSER=1: ${reason}`);
  return { available: false, reason };
}

/** The loud line a skipped browser test prints. */
export function skipBanner(what: string, reason: string): string {
  const line = '!'.repeat(78);
  return `\n${line}\n!! SKIPPED: ${what}: ${reason}.\n!! Set WEFT_REQUIRE_BROWSER=1 to make this a failure (CI does).\n${line}\n`;
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
}
