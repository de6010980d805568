// Stands in for node:worker_threads in the browser page. @weft/wast retries a failed assembly in
// a worker with relaxed component index checks; the Node side's assembler (@weft/wast's
// assembleText) has already tried that mode, so the retry here fails at once and the runner
// reports the first error, as on Node.

type Listener = (m: unknown) => void;

export class Worker {
  once(event: string, f: Listener): this {
    if (event === 'message') queueMicrotask(() => f({ ok: false, message: 'relaxed mode: tried by the host' }));
    return this;
  }
  on(event: string, f: Listener): this {
    return this.once(event, f);
  }
  terminate(): Promise<number> {
    return Promise.resolve(0);
  }
}

export const parentPort = null;
export const workerData = undefined;
