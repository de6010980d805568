// A long-lived worker thread assembling text with jco under WAST_STRICT_COMPONENT_INDICES=0 (jco
// reads it once, at load), for the assembler's relaxed retry: one worker for the whole suite
// instead of one per failed assembly.

import { parentPort } from 'node:worker_threads';

const { parse } = (await import('@bytecodealliance/jco')) as { parse: (t: string) => Promise<Uint8Array> };

parentPort!.on('message', async ({ id, text }: { id: number; text: string }) => {
  try {
    parentPort!.postMessage({ id, ok: true, bytes: await parse(text) });
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
