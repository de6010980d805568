// The page the spec's .wast suite runs in (bundled for Chromium by spec-runner.ts): @weft/wast's
// own runner with @weft/core, everything but assembling text in the browser. Text is assembled
// by the Node side (the same jco assembler as on Node) through the page's `weftAssemble`.

import { runWast, type WastOptions, type WastResult } from '@weft/wast';

declare global {
  var weftRunWast: (name: string, text: string, options: WastOptions) => Promise<WastResult>;
}

globalThis.weftRunWast = (name, text, options) => runWast(text, name, options);
document.title = 'weft wast ready';
