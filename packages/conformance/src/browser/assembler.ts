// The Node side's assembler for the browser page: what @weft/wast's assembleText does (jco's
// strict component index checks, then a relaxed retry), with the relaxed mode in one long-lived
// worker and every result kept, since both modes of the suite assemble the same texts. A failure
// rejects with jco's first (strict) message, which the page's runner cleans as on Node.

import { Worker } from 'node:worker_threads';

type Parse = (text: string) => Promise<Uint8Array>;

export class Assembler {
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly strict: Parse;

  private constructor(strict: Parse) {
    this.strict = strict;
  }

  static async create(): Promise<Assembler> {
    const jco = (await import('@bytecodealliance/jco')) as { parse: Parse };
    return new Assembler(jco.parse);
  }

  assemble(text: string): Promise<Uint8Array> {
    let p = this.cache.get(text);
    if (!p) {
      p = this.strict(text).catch((first: unknown) =>
        this.relaxed(text).catch(() => {
          throw first instanceof Error ? first : new Error(String(first));
        }),
      );
      this.cache.set(text, p);
    }
    return p;
  }

  private relaxed(text: string): Promise<Uint8Array> {
    if (!this.worker) {
      const w = new Worker(new URL('./relaxed-worker.ts', import.meta.url), {
        execArgv: [],
        env: { ...process.env, WAST_STRICT_COMPONENT_INDICES: '0' },
      });
      w.on('message', (m: { id: number; ok: boolean; bytes?: Uint8Array; message?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.bytes!);
        else p?.reject(new Error(m.message));
      });
      w.on('error', (e) => this.failAll(e));
      w.on('exit', () => {
        this.worker = undefined;
        this.failAll(new Error('the relaxed assembler exited'));
      });
      w.unref();
      this.worker = w;
    }
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, text });
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
