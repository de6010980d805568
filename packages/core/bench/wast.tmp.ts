import { runWastFile } from '../../wast/src/index.ts';
for (const f of ['values/transcode.wast', 'values/realloc.wast', 'values/concat.wast', 'values/alignment.wast', 'values/strings.wast']) {
  try { const r = await runWastFile('/work/spec/test/' + f, { timeoutMs: 20000 }); console.log(f, r.passed, r.failure ? JSON.stringify(r.failure).slice(0, 300) : ''); } catch (e) { console.log(f, 'ERR', (e as Error).message.slice(0,200)); }
}
