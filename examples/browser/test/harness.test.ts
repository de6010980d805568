// The parts that need no browser: the static server (types, per-path headers, nothing outside
// its folder), the source phase rewrite, and the command form's file list.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headersFor, STRICT_CSP } from '../build.ts';
import { sourcePhaseWasmImports } from '../harness/bundle.ts';
import { type StaticServer, serveStatic } from '../harness/static-server.ts';
import { parseFiles } from '../src/command.ts';

/** A raw GET (no URL normalisation by the client, so `..` reaches the server as sent). */
function get(url: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('serveStatic', () => {
  let dir: string;
  let server: StaticServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-static-'));
    mkdirSync(join(dir, 'site/csp'), { recursive: true });
    writeFileSync(join(dir, 'site/index.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'site/csp/index.html'), '<p>csp</p>');
    writeFileSync(join(dir, 'site/m.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    server = await serveStatic(join(dir, 'site'), { headers: headersFor });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html for a folder, .wasm as application/wasm, on 127.0.0.1', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await get(server.url, '/');
    expect(index.status).toBe(200);
    expect(index.body).toBe('<p>hi</p>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBeUndefined();
    expect((await get(server.url, '/m.wasm')).headers['content-type']).toBe('application/wasm');
  });

  it("gives the csp/ page the strict policy: no 'wasm-unsafe-eval', no 'unsafe-eval'", async () => {
    const r = await get(server.url, '/csp/');
    expect(r.body).toBe('<p>csp</p>');
    expect(r.headers['content-security-policy']).toBe(STRICT_CSP);
    expect(STRICT_CSP).toContain("script-src 'self'");
    expect(STRICT_CSP).not.toMatch(/unsafe-eval/);
  });

  it('serves nothing outside its folder, and 404 for what is missing', async () => {
    // The URL parser resolves `..` and `%2e%2e` segments; an encoded slash is the server's to refuse.
    expect((await get(server.url, '/../secret.txt')).status).toBe(404);
    expect((await get(server.url, '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get(server.url, '/..%2fsecret.txt')).status).toBe(403);
    expect((await get(server.url, '/nope.js')).status).toBe(404);
    expect((await get(server.url, '/csp')).status).toBe(404);
  });
});

describe('sourcePhaseWasmImports', () => {
  it('rewrites the .wasm default imports esbuild leaves, and only those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sp-'));
    try {
      const file = join(dir, 'app.js');
      writeFileSync(file, 'import core0 from "./a.core0.wasm";\nimport { x } from "./x.js";\nconst s = "./b.wasm";\n');
      expect(sourcePhaseWasmImports(file)).toBe(1);
      expect(readFileSync(file, 'utf8')).toBe(
        'import source core0 from "./a.core0.wasm";\nimport { x } from "./x.js";\nconst s = "./b.wasm";\n',
      );
      writeFileSync(file, "import core0 from './a.wasm';\n");
      expect(() => sourcePhaseWasmImports(file)).toThrow(/not rewritten/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseFiles', () => {
  it('makes a tree of "path: content" lines', () => {
    expect(parseFiles('a.txt: one\nnotes/b.txt: two: three\n\nnotes/deep/c.txt: ')).toEqual({
      'a.txt': 'one',
      notes: { 'b.txt': 'two: three', deep: { 'c.txt': '' } },
    });
  });

  it('names the line it cannot read', () => {
    expect(() => parseFiles('a.txt: one\nno colon')).toThrow(/line 2/);
    expect(() => parseFiles('a.txt: one\na.txt/b: two')).toThrow(/line 2: a\.txt is a file/);
  });
});
