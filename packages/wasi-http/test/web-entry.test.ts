// `@weft/wasi-http/web` (issue 12): the fetch bridge and its pool for workerd and browsers.
// Nothing it loads may import a `node:` module or undici, or use Buffer, process or require:
// a bundler would pull them in and workerd would refuse the worker.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Every file `entry` imports at run time (type-only imports are erased), transitively; bare specifiers separately. */
function graph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const re =
      /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
    for (const m of text.matchAll(re)) {
      if (m[2]) continue;
      const spec = (m[3] ?? m[4])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

describe('@weft/wasi-http/web', () => {
  it('loads nothing Node-only: no node: modules, no undici, no Buffer, process or require', () => {
    const { files, bare } = graph(`${SRC}web.ts`);
    expect([...bare].sort()).toEqual(['@weft/core']);
    expect([...files].some((f) => f.endsWith('/server/fetch.ts'))).toBe(true);
    expect([...files].some((f) => f.includes('/client/'))).toBe(false);
    for (const f of files) {
      const code = readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/\bBuffer\.|\bprocess\.|\brequire\(/);
    }
    // The Node entries do load the client (lazily).
    expect([...graph(`${SRC}index.ts`).bare]).toContain('undici');
  });

  it("the web entry's createHttp sends nowhere by default, also once the Node entry loaded; the Node entry's through undici", async () => {
    const web = await import('../src/web.ts');
    const node = await import('../src/index.ts');
    const closedPort = (imports: ReturnType<typeof web.createHttp>) => {
      const { Request: Req, Fields } = imports['wasi:http/types@0.3.0'];
      const [r] = Req.new(new Fields(), undefined, Promise.resolve({ tag: 'ok', val: undefined }), undefined);
      r.setScheme({ tag: 'HTTP' });
      r.setAuthority('127.0.0.1:1');
      return imports['wasi:http/client@0.3.0'].send(r);
    };
    // Loading the Node entry changes nothing for the web entry (no state at module level).
    await expect(closedPort(web.createHttp())).rejects.toMatchObject({
      payload: { tag: 'internal-error', val: 'no client' },
    });
    // The Node entry's default: the undici client, so a closed port is a connection error.
    await expect(closedPort(node.createHttp())).rejects.toMatchObject({
      payload: { tag: expect.stringMatching(/^connection-refused|destination-unavailable|connection-terminated$/) },
    });
  });

  it('a pool whose time slicing the host refuses (no run-time wasm compilation) serves without it, with its deadline', async () => {
    const { Component } = await import('@weft/core');
    const web = await import('../src/web.ts');
    const bytes = readFileSync(new URL('./guests/hello-c.wasm', import.meta.url));
    const real = await Component.compile(bytes, { interruptible: true });
    const seen: unknown[] = [];
    // As in workerd: making JSPI stacks compiles small wasm modules, which the host refuses.
    const component = {
      instantiate(imports: Record<string, unknown>, options: Record<string, unknown> = {}) {
        seen.push({ timeSlice: options.timeSlice, signal: options.signal !== undefined });
        if (options.timeSlice)
          return Promise.reject(
            new WebAssembly.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder'),
          );
        return real.instantiate(imports, options);
      },
    };
    const log: string[] = [];
    const handler = web.toFetchHandler(component, { requestTimeout: 5000, log: (l: string) => log.push(l) });
    for (let i = 0; i < 2; i++) {
      const r = await handler(new Request('http://x/'));
      expect([r.status, await r.text()]).toEqual([200, 'hello']);
    }
    await handler.close();
    // Tried once with slicing, then without it but with the core deadline (the signal).
    expect(seen).toEqual([
      { timeSlice: true, signal: true },
      { timeSlice: false, signal: true },
    ]);
    expect(log).toEqual([
      expect.stringMatching(/^weft: time slicing is off: this host refuses to compile wasm at run time/),
    ]);
  });
});
