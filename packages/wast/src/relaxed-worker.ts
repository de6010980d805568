// Runs jco's assembler with WAST_STRICT_COMPONENT_INDICES=0. jco reads its
// environment once when it loads, so the relaxed mode needs its own thread.

import { parentPort, workerData } from 'node:worker_threads';

const { parse } = (await import('@bytecodealliance/jco')) as { parse: (t: string) => Promise<Uint8Array> };
try {
  const bytes = await parse(workerData as string);
  parentPort!.postMessage({ ok: true, bytes });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
}
