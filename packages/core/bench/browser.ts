// The bench's Chromium section: the same Weft figures as on Node (sync call, async call round
// trip, stream<u8> both ways) measured in Debian's headless Chromium (browser-page.ts), printed
// next to Node's from this run. Skipped, with the reason, where /usr/bin/chromium is missing.
// The browser harness (launch, static server, esbuild) is examples/browser's.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage } from '../../../examples/browser/harness/bundle.ts';
import { chromiumStatus, launchChromium } from '../../../examples/browser/harness/chromium.ts';
import { serveStatic } from '../../../examples/browser/harness/static-server.ts';

/** A figure of Node's run, by case (see CASES): ns per call or MiB/s. */
export type NodeFigures = Partial<Record<string, number | string>>;

const CASES = [
  { name: 'sync-minimal', op: 'add(u32, u32), minimal guest', unit: 'ns' },
  { name: 'sync-values', op: 'add(u32, u32), values guest (QuickJS)', unit: 'ns' },
  { name: 'async-add', op: 'async call round trip add(u32, u32)', unit: 'ns' },
  { name: 'sink', op: 'stream<u8> host→guest, 64 KiB chunks', unit: 'MiB/s' },
  { name: 'source-for-await', op: 'stream<u8> guest→host (for await)', unit: 'MiB/s' },
  { name: 'source-read-into', op: 'stream<u8> guest→host (readInto)', unit: 'MiB/s' },
] as const;

export type BrowserCase = (typeof CASES)[number]['name'];

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>weft bench</title><script type="module" src="page.js"></script>';

/** Runs the cases in Chromium and prints them beside `node`'s; never throws. */
export async function runBrowserBench(
  guests: { minimal: Uint8Array; values: Uint8Array; streams: Uint8Array },
  node: NodeFigures,
): Promise<void> {
  let status: ReturnType<typeof chromiumStatus>;
  try {
    status = chromiumStatus();
  } catch (e) {
    status = { available: false, reason: (e as Error).message };
  }
  if (!status.available) {
    console.log(`\nchromium: skipped (${status.reason})`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'weft-bench-browser-'));
  const results = new Map<string, number | string>();
  let version = '';
  try {
    await bundlePage({
      entry: fileURLToPath(new URL('./browser-page.ts', import.meta.url)),
      outfile: join(dir, 'page.js'),
    });
    await writeFile(join(dir, 'index.html'), PAGE);
    for (const [name, bytes] of Object.entries(guests)) await writeFile(join(dir, `${name}.wasm`), bytes);
    const server = await serveStatic(dir);
    const browser = await launchChromium();
    try {
      version = browser.version();
      const page = await browser.newPage();
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => 'weftBench' in globalThis, null, { timeout: 30_000 });
      for (const c of CASES) {
        try {
          const r = await page.evaluate(
            (name) =>
              (globalThis as unknown as { weftBench: (n: string) => Promise<{ value: number }> }).weftBench(name),
            c.name,
          );
          results.set(c.name, r.value);
        } catch (e) {
          results.set(c.name, `error (${(e as Error).message.split('\n')[0]!.slice(0, 60)})`);
        }
      }
    } finally {
      await browser.close();
      await server.close();
    }
  } catch (e) {
    console.log(`\nchromium: failed (${(e as Error).message.split('\n')[0]})`);
    return;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  printTable(version, node, results);
}

function fmt(v: number | string | undefined, unit: string): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (unit === 'MiB/s') return `${v.toFixed(0)} MiB/s`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ns`;
}

function printTable(version: string, node: NodeFigures, chromium: Map<string, number | string>): void {
  console.log(`\nweft in Chromium ${version} (headless) vs Node ${process.version}, same run`);
  const table = [
    ['op', 'node', 'chromium', 'chromium vs node'],
    ...CASES.map((c) => {
      const n = node[c.name];
      const b = chromium.get(c.name);
      const ratio =
        typeof n === 'number' && typeof b === 'number'
          ? c.unit === 'ns'
            ? `${(b / n).toFixed(2)}× the time`
            : `${(b / n).toFixed(2)}× the rate`
          : '-';
      return [c.op, fmt(n, c.unit), fmt(b, c.unit), ratio];
    }),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(table[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table.slice(1)) console.log(line(r));
}
