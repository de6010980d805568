// `weft bundle` (issue 12): the output loads where nothing may be compiled from bytes or
// evaluated — here Node with --disallow-code-generation-from-strings and a loader that hands
// each .wasm import over as a WebAssembly.Module, as workerd does — and the component works.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Component, DecodeError } from '@weft/core';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

const VALUES = fileURLToPath(new URL('../../core/test/guests/values/values.wasm', import.meta.url));
const HELLO = fileURLToPath(new URL('../../wasi-http/test/guests/hello-c.wasm', import.meta.url));
const TRAP = fileURLToPath(new URL('../../wasi-http/test/guests/trap.wasm', import.meta.url));
const HELLO_QJS = fileURLToPath(new URL('../../wasi-http/test/guests/hello.wasm', import.meta.url));
const LOADER = fileURLToPath(new URL('./helpers/wasm-loader.mjs', import.meta.url));
const COMMAND = fileURLToPath(new URL('../../wasi-cli/test/guests/command.wasm', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-bundle-'));
  dirs.push(d);
  return d;
}

function capture(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

/** Runs `script` (an ES module in `dir`) under Node with eval refused and the .wasm loader; its stdout. */
function runScript(dir: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, 'main.mjs');
  writeFileSync(file, script);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=weft-source', '--disallow-code-generation-from-strings', '--import', LOADER, file],
      { timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('weft bundle', () => {
  it('writes the core modules, an ES module and its types; the module instantiates with no eval', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main(['bundle', VALUES, '-o', dir], io)).toBe(0);
    expect(io.errs.join('\n')).toMatch(/^weft bundle: wrote .*values\.js, .*values\.d\.ts, .*values\.core0\.wasm/);
    const core = Component.coreModules(readFileSync(VALUES));
    for (let i = 0; i < core.length; i++)
      expect(Buffer.compare(readFileSync(join(dir, `values.core${i}.wasm`)), core[i]!)).toBe(0);
    expect(existsSync(join(dir, `values.core${core.length}.wasm`))).toBe(false);
    const js = readFileSync(join(dir, 'values.js'), 'utf8');
    expect(js).toContain("import core0 from './values.core0.wasm';");
    expect(js).toContain("import { Component, registerCompiledLifts, registerJspiShims } from '@weft/core';");
    // add(u32, u32) -> u32 (with a post-return) comes compiled, as source in the module.
    expect(js).toContain('"u32,u32>u32+post": function (');
    const code = js.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/WebAssembly\.(compile|instantiate|Module)\b|Function\(|eval\(/);
    const dts = readFileSync(join(dir, 'values.d.ts'), 'utf8');
    expect(dts).toContain(
      'export declare function instantiate(imports?: Record<string, unknown>, options?: InstantiateOptions): Promise<TypedInstance>;',
    );
    expect(dts).toContain('export type TypedInstance = Instance & { readonly exports: Exports };');
    expect(dts).toContain(
      'export declare function instantiateSync(imports?: Record<string, unknown>, options?: InstantiateOptions): TypedInstance;',
    );
    expect(dts).toMatch(/concat: func\(a: string, b: string\) -> string;/);
    expect(dts).toContain(' *   export add: func(a: u32, b: u32) -> u32;');
    const r = await runScript(
      dir,
      `import { instantiate } from './values.js';
      let evalRefused = false;
      try { new Function('return 1'); } catch { evalRefused = true; }
      const inst = await instantiate({});
      const e = inst.exports;
      const api = Object.entries(e).find(([k]) => k.endsWith('/api'))[1];
      console.log(JSON.stringify({
        evalRefused,
        compiledAdd: e.add.length,
        add: e.add(2, 40),
        echo: e.echo('héllo'),
        echoBytes: [...e.echoBytes(new Uint8Array([1, 2, 255]))],
        concat: api.concat('wo', 'rld'),
        join: api.join(['a', 'b', 'c'], '-'),
        sum: api.sumBytes(new Uint8Array([1, 2, 3, 250])),
        addS64: String(api.addS64(2n ** 40n, 1n)),
      }));`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      evalRefused: true,
      compiledAdd: 2,
      add: 42,
      echo: 'héllo',
      echoBytes: [1, 2, 255],
      concat: 'world',
      join: 'a-b-c',
      sum: 256,
      addS64: String(2n ** 40n + 1n),
    });
  });

  it('the .d.ts types the exports in the host conventions, and type-checks against @weft/core', async () => {
    const dir = tmp();
    expect(await main(['bundle', VALUES, '-o', dir], capture())).toBe(0);
    const dts = readFileSync(join(dir, 'values.d.ts'), 'utf8');
    expect(dts).toContain('  add: (a: number, b: number) => number | Promise<number>;');
    expect(dts).toContain('  echoBytes: (b: Uint8Array) => Uint8Array | Promise<Uint8Array>;');
    expect(dts).toContain(
      '    nextColor: (c: "red" | "green" | "blue") => ("red" | "green" | "blue") | Promise<"red" | "green" | "blue">;',
    );
    expect(dts).toContain(
      '    checkedDiv: (a: number, b: number) => number | Promise<number> /* throws ComponentError: err */;',
    );
    expect(dts).toContain('    readCounter: (c: any /* borrow<counter> */) => number | Promise<number>;');
    writeFileSync(
      join(dir, 'use.ts'),
      `import { instantiate } from './values.js';
      const inst = await instantiate({}, { maxHandles: 10 });
      const n: number = await inst.exports.add(1, 2);
      const s: string = await inst.exports['weft-test:values/api'].concat('a', 'b');
      const shape = await inst.exports['weft-test:values/api'].makeShape(1);
      if (shape.tag === 'rect') shape.val.x satisfies number;
      // @ts-expect-error: a string is not a u32
      inst.exports.add('1', 2);
      // @ts-expect-error: not one of the enum's cases
      inst.exports['weft-test:values/api'].nextColor('purple');
      export { n, s };`,
    );
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    const ts = (await import('typescript')).default;
    const program = ts.createProgram([join(dir, 'use.ts')], {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      customConditions: ['weft-source'],
      types: [],
      baseUrl: dir,
      paths: { '@weft/core': [fileURLToPath(new URL('../../core/src/index.ts', import.meta.url))] },
    });
    // Only the generated declarations and their use: @weft/core's sources are checked with its own config.
    const diags = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diags).toEqual([]);
  });

  it('a bundled wasi:http handler serves requests through the fetch bridge; a trap is a 500 and the next request is served', async () => {
    const dir = tmp();
    expect(await main(['bundle', HELLO, '-o', dir], capture())).toBe(0);
    expect(await main(['bundle', TRAP, '-o', dir, '--name', 'trapper', '--interruptible'], capture())).toBe(0);
    expect(readFileSync(join(dir, 'trapper.js'), 'utf8')).toContain('{"interruptible":true}');
    const r = await runScript(
      dir,
      `import * as hello from './hello-c.js';
      import * as trapper from './trapper.js';
      import { toFetchHandler } from '@weft/wasi-http';
      const log = [];
      const h = toFetchHandler({ instantiate: hello.instantiate }, { log: (l) => log.push(l) });
      const t = toFetchHandler({ instantiate: trapper.instantiate }, { log: (l) => log.push(l) });
      const a = await h(new Request('http://x/'));
      const b = await t(new Request('http://x/trap'));
      const c = await t(new Request('http://x/ok'));
      console.log(JSON.stringify([a.status, a.headers.get('content-type'), await a.text(), b.status, c.status, await c.text()]));
      console.log(log.join('\\n'));
      await h.close(); await t.close();`,
    );
    expect(r.stderr).toBe('');
    const [first, ...log] = r.stdout.trim().split('\n');
    expect(JSON.parse(first!)).toEqual([200, 'text/plain', 'hello', 500, 200, 'ok']);
    // hello-c was bundled without --interruptible: the pool says what that costs; the trap is logged.
    expect(log.join('\n')).toMatch(/not compiled with \{ interruptible: true \}/);
    expect(log.join('\n')).toMatch(/GET http:\/\/x\/trap: .*unreachable/);
  });

  it('Component.stripCoreCode keeps what fromModules reads: the stripped binary loads with the modules; compile refuses it', async () => {
    const bytes = new Uint8Array(readFileSync(VALUES));
    const stripped = Component.stripCoreCode(bytes);
    expect(stripped.length).toBeLessThan(bytes.length / 10);
    const modules = Component.coreModules(bytes).map((m) => new WebAssembly.Module(m as Uint8Array<ArrayBuffer>));
    const c = Component.fromModules(stripped, modules);
    expect([...c.type.exports.keys()]).toEqual([...(await Component.compile(bytes)).type.exports.keys()]);
    expect(c.instantiateSync({}).exports.echo('ab')).toBe('ab');
    await expect(Component.compile(stripped)).rejects.toThrow(/invalid core module/);
  });

  it('--max-memory caps the memories of the written modules as compile would', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main(['bundle', VALUES, '-o', dir, '--max-memory', '64MiB'], io)).toBe(0);
    const bytes = readFileSync(VALUES);
    const capped = Component.coreModules(bytes, { maxMemoryPages: 1024 });
    const plain = Component.coreModules(bytes);
    const written = capped.map((_, i) => readFileSync(join(dir, `values.core${i}.wasm`)));
    for (const [i, w] of written.entries()) expect(Buffer.compare(w, capped[i]!), `module ${i}`).toBe(0);
    expect(written.some((w, i) => Buffer.compare(w, plain[i]!) !== 0)).toBe(true);
    // Smaller than the guest needs from the start: refused, naming the limit; nothing written.
    const small = tmp();
    expect(await main(['bundle', VALUES, '-o', small, '--max-memory', '64KiB'], io)).toBe(1);
    expect(io.errs.at(-1)).toMatch(/^weft: ValidationError: .*maxMemoryPages/);
    expect(existsSync(join(small, 'values.js'))).toBe(false);
    expect(await main(['bundle', VALUES, '-o', small, '--max-memory', 'lots'], io)).toBe(2);
  });

  it('usage errors and unreadable or invalid files', async () => {
    const io = capture();
    expect(await main(['bundle', VALUES], io)).toBe(2);
    expect(io.errs[0]).toBe('weft: weft bundle needs -o DIR');
    expect(await main(['bundle', '-o', tmp()], io)).toBe(2);
    expect(await main(['bundle', VALUES, '-o', tmp(), '--name', '../x'], io)).toBe(2);
    const dir = tmp();
    expect(await main(['bundle', '/nonexistent/x.wasm', '-o', dir], io)).toBe(1);
    expect(io.errs.at(-1)).toBe('weft: cannot read /nonexistent/x.wasm: ENOENT');
    const junk = join(dir, 'junk.wasm');
    writeFileSync(junk, new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0xff]));
    expect(await main(['bundle', junk, '-o', dir], io)).toBe(1);
    expect(io.errs.at(-1)).toMatch(/^weft: DecodeError: /);
    expect(existsSync(join(dir, 'junk.js'))).toBe(false);
    expect(DecodeError).toBeTypeOf('function');
  });

  it('weft run and weft serve take a bundle in place of the .wasm, with code generation from strings disallowed', async () => {
    const dir = tmp();
    expect(await main(['bundle', COMMAND, '-o', dir], capture())).toBe(0);
    expect(await main(['bundle', HELLO, '-o', dir], capture())).toBe(0);
    const node = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--conditions=weft-source', '--disallow-code-generation-from-strings', BIN, ...args],
          { timeout: 30_000 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const run = await node(['run', '--env', 'GREETING=hi', join(dir, 'command.js'), 'args', 'one']);
    expect(run).toMatchObject({ code: 0, stdout: 'command.js\nargs\none\n' });
    const env = await node(['run', '--env', 'GREETING=hi', join(dir, 'command.js'), 'env']);
    expect(env.stdout).toBe('GREETING=hi\ncwd=(none)\n');
    // Not a bundle: a clear error, exit 1.
    writeFileSync(join(dir, 'other.mjs'), 'export const x = 1;\n');
    const bad = await node(['run', join(dir, 'other.mjs')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/other\.mjs is not a weft bundle \(it exports no getComponent\)/);

    const child = spawn(
      process.execPath,
      [
        '--conditions=weft-source',
        '--disallow-code-generation-from-strings',
        BIN,
        'serve',
        '--addr',
        '127.0.0.1:0',
        join(dir, 'hello-c.js'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      let err = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address within 20 s: ${err}`)), 20_000);
        child.stderr!.on('data', (d: Buffer) => {
          err += d;
          const m = /Serving HTTP on (\S+)/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a componentize-qjs handler (JSPI stacks) runs from its bundle where wasm compilation at run time is refused: its shims come compiled', async () => {
    const dir = tmp();
    const io = capture();
    expect(await main(['bundle', HELLO_QJS, '-o', dir, '--interruptible'], io)).toBe(0);
    expect(io.errs.join('\n')).toMatch(/hello\.shim0\.wasm/);
    // The control: the same bundle with its shims left unregistered fails as workerd would.
    const js = readFileSync(join(dir, 'hello.js'), 'utf8');
    expect(js).toMatch(/registerJspiShims\(\{ "[dt]:/);
    writeFileSync(join(dir, 'bare.js'), js.replace(/registerJspiShims\(\{[^\n]*\}\);/, 'registerJspiShims({});'));
    const script = (bundle: string) =>
      `import * as hello from './${bundle}';
      import { toFetchHandler } from '@weft/wasi-http';
      import { createWasi } from '@weft/wasi';
      // As workerd: nothing compiles from bytes once the modules are loaded.
      const refuse = () => { throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder'); };
      const Real = WebAssembly.Module;
      function Module() { refuse(); }
      Module.prototype = Real.prototype;
      Object.setPrototypeOf(Module, Real);
      WebAssembly.Module = Module;
      WebAssembly.compile = async () => refuse();
      const log = [];
      const h = toFetchHandler({ instantiate: hello.instantiate }, {
        log: (l) => log.push(l),
        requestTimeout: 10_000,
        imports: () => createWasi({ stdin: new Uint8Array(0) }),
      });
      const a = await h(new Request('http://x/'));
      console.log(JSON.stringify([a.status, await a.text()]));
      console.log(log.join('\\n'));
      await h.close();`;
    const r = await runScript(dir, script('hello.js'));
    expect(r.stderr).toBe('');
    const [first] = r.stdout.trim().split('\n');
    expect(JSON.parse(first!), r.stdout).toEqual([200, 'hello']);
    const bare = await runScript(dir, script('bare.js'));
    const [status, ...log] = bare.stdout.trim().split('\n');
    expect(JSON.parse(status!)).toEqual([500, '500 Internal Server Error\n']);
    expect(log.join('\n')).toMatch(/disallowed by embedder/);
  });
});
