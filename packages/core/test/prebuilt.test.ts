// Components from core modules compiled elsewhere (issue 12, `weft bundle`): Component.coreModules
// gives the bytes to compile, Component.fromModules takes the compiled modules back without
// compiling or evaluating anything, and checks they are the binary's own.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Component, DecodeError, Trap, ValidationError } from '../src/index.ts';
import { assemble } from './helpers/wat.ts';

const valuesWasm = new Uint8Array(readFileSync(new URL('./guests/values/values.wasm', import.meta.url)));

// Three core modules in binary order: $A, then $B inside the nested component, then $C.
const NESTED = `(component
  (core module $A (func (export "seven") (result i32) (i32.const 7)))
  (component $Inner
    (core module $B
      (import "a" "seven" (func $seven (result i32)))
      (func (export "add") (param i32 i32) (result i32)
        (i32.add (i32.add (local.get 0) (local.get 1)) (call $seven))))
    (core module $A2 (func (export "seven") (result i32) (i32.const 7)))
    (core instance $a (instantiate $A2))
    (core instance $b (instantiate $B (with "a" (instance $a))))
    (func (export "add") (param "x" u32) (param "y" u32) (result u32) (canon lift (core func $b "add"))))
  (core module $C (memory (export "mem") 1) (func (export "spin") (loop $l (br $l))))
  (core instance $a (instantiate $A))
  (core instance $c (instantiate $C))
  (instance $i (instantiate $Inner))
  (alias export $i "add" (func $add))
  (export "add" (func $add))
  (func (export "seven") (result u32) (canon lift (core func $a "seven")))
  (func (export "spin") (canon lift (core func $c "spin")))
)`;

const compileAll = (mods: Uint8Array[]) => mods.map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>));

/** Runs `f` with WebAssembly.compile / instantiate / validate, `new WebAssembly.Module` and `new Function` refused. */
async function withoutCodeGeneration<T>(f: () => Promise<T> | T): Promise<T> {
  const wa = WebAssembly as unknown as Record<string, unknown>;
  const saved = { compile: wa.compile, instantiate: wa.instantiate, validate: wa.validate, Module: wa.Module };
  const savedFunction = globalThis.Function;
  const refuse = (what: string) => () => {
    throw new EvalError(`${what}: code generation disallowed (test)`);
  };
  wa.compile = refuse('WebAssembly.compile');
  wa.instantiate = refuse('WebAssembly.instantiate');
  wa.validate = refuse('WebAssembly.validate');
  wa.Module = new Proxy(saved.Module as object, { construct: refuse('new WebAssembly.Module') });
  globalThis.Function = new Proxy(savedFunction, {
    apply: refuse('Function'),
    construct: refuse('new Function'),
  });
  try {
    return await f();
  } finally {
    Object.assign(wa, saved);
    globalThis.Function = savedFunction;
  }
}

describe('Component.coreModules', () => {
  it('gives every core module in binary order, nested ones in place; unchanged without instrumentation', async () => {
    const bytes = await assemble(NESTED);
    const mods = Component.coreModules(bytes);
    expect(mods).toHaveLength(4);
    const exportsOf = (b: Uint8Array) =>
      WebAssembly.Module.exports(new WebAssembly.Module(b as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    expect(mods.map(exportsOf)).toEqual([['seven'], ['add'], ['seven'], ['mem', 'spin']]);
    // The module's own bytes: a subarray of the binary.
    for (const m of mods) expect(m.buffer).toBe(bytes.buffer);
  });

  it('instruments as compile would: interruptible adds the guard imports', async () => {
    const bytes = await assemble(NESTED);
    const mods = Component.coreModules(bytes, { interruptible: true, fuel: true });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(mods[1] as Uint8Array<ArrayBuffer>));
    expect(imports.map((i) => `${i.module} ${i.name} ${i.kind}`)).toEqual([
      'a seven function',
      'weft:guard out-of-fuel function',
      'weft:guard interrupted function',
      'weft:guard fuel global',
      'weft:guard flag memory',
    ]);
  });

  it('a component with an invalid core module is a ValidationError', async () => {
    const bytes = await assemble(`(component (core module $M (func (export "f") (result i32) (i32.const 1))))`);
    // Corrupt the function body's result: i32.const becomes i64.const (0x41 -> 0x42).
    const bad = bytes.slice();
    const at = bad.lastIndexOf(0x41);
    bad[at] = 0x42;
    expect(() => Component.coreModules(bad, { interruptible: true })).toThrow(ValidationError);
    expect(() => Component.coreModules(bad)).toThrow(/invalid core module at offset \d+/);
  });
});

describe('Component.fromModules', () => {
  afterEach(() => {
    expect(WebAssembly.compile).toBeTypeOf('function');
  });

  it('instantiates and calls with no compile, no new WebAssembly.Module and no new Function (codegen: false)', async () => {
    const bytes = await assemble(NESTED);
    const modules = compileAll(Component.coreModules(bytes));
    const result = await withoutCodeGeneration(async () => {
      const c = Component.fromModules(bytes, modules);
      const inst = await c.instantiate({}, { codegen: false });
      return [inst.exports.add(1, 2), inst.exports.seven()];
    });
    expect(result).toEqual([10, 7]);
  });

  it('runs a componentize-qjs guest (strings, lists, records) the same way', async () => {
    const modules = compileAll(Component.coreModules(valuesWasm));
    const viaModules = await withoutCodeGeneration(async () => {
      const inst = Component.fromModules(valuesWasm, modules).instantiateSync({}, { codegen: false });
      return Object.keys(inst.exports).sort();
    });
    const compiled = await (await Component.compile(valuesWasm)).instantiate({});
    expect(viaModules).toEqual(Object.keys(compiled.exports).sort());
    expect(Component.fromModules(valuesWasm, modules).type.exports.size).toBe(
      (await Component.compile(valuesWasm)).type.exports.size,
    );
  });

  it('interruptible modules take instantiate options timeout: a tight loop stops', async () => {
    const bytes = await assemble(NESTED);
    const modules = compileAll(Component.coreModules(bytes, { interruptible: true }));
    const c = Component.fromModules(bytes, modules, { interruptible: true });
    const inst = await c.instantiate({}, { codegen: false, timeout: 50 });
    expect(inst.exports.add(2, 3)).toBe(12);
    expect(() => inst.exports.spin()).toThrow(Trap);
    expect(() => inst.exports.spin()).toThrow(/deadline exceeded|poison|cannot enter/);
  });

  it('a wrong number of modules is a ValidationError naming both counts', async () => {
    const bytes = await assemble(NESTED);
    const modules = compileAll(Component.coreModules(bytes));
    expect(() => Component.fromModules(bytes, modules.slice(0, 3))).toThrow(ValidationError);
    expect(() => Component.fromModules(bytes, modules.slice(0, 3))).toThrow(
      'Component.fromModules: the component defines 4 core modules, 3 given',
    );
    expect(() => Component.fromModules(bytes, [...modules, modules[0]!])).toThrow('4 core modules, 5 given');
  });

  it('modules out of order are a ValidationError naming the module and the first difference', async () => {
    const bytes = await assemble(NESTED);
    const [a, b, a2, c] = compileAll(Component.coreModules(bytes));
    expect(() => Component.fromModules(bytes, [b!, a!, a2!, c!])).toThrow(
      "Component.fromModules: modules[0] is not the component's core module 0 (at offset",
    );
    expect(() => Component.fromModules(bytes, [b!, a!, a2!, c!])).toThrow(
      /import 0: the component's module has nothing, the given module function "a" "seven"/,
    );
    // Same imports (none), different exports.
    expect(() => Component.fromModules(bytes, [a!, b!, a2!, a!])).toThrow(
      /modules\[3\].*export 0: the component's module has memory "mem", the given module function "seven"/,
    );
  });

  it('instrumentation must match: the error says which options to pass', async () => {
    const bytes = await assemble(NESTED);
    const plain = compileAll(Component.coreModules(bytes));
    const guarded = compileAll(Component.coreModules(bytes, { interruptible: true }));
    expect(() => Component.fromModules(bytes, plain, { interruptible: true })).toThrow(
      /modules\[0\].*import 0: the component's module has function "weft:guard" "interrupted", the given module nothing.*need the same fuel\/interruptible\/resettable options here \(given: interruptible\)/,
    );
    expect(() => Component.fromModules(bytes, guarded)).toThrow(
      /need the same fuel\/interruptible\/resettable options here \(given: none\)/,
    );
    expect(() => Component.fromModules(bytes, guarded, { fuel: true })).toThrow(ValidationError);
  });

  it('anything but an array of WebAssembly.Module is a TypeError', async () => {
    const bytes = await assemble(NESTED);
    const mods = Component.coreModules(bytes);
    expect(() => Component.fromModules(bytes, mods as unknown as WebAssembly.Module[])).toThrow(
      'Component.fromModules: modules[0] is not a WebAssembly.Module',
    );
    expect(() => Component.fromModules(bytes, {} as unknown as WebAssembly.Module[])).toThrow(TypeError);
    expect(() => Component.fromModules('x' as unknown as Uint8Array, [])).toThrow(TypeError);
  });
});

describe('Component.stripCoreCode', () => {
  it('keeps the sections fromModules reads, nested components included; compile refuses the result', async () => {
    const bytes = await assemble(NESTED);
    const stripped = Component.stripCoreCode(bytes);
    expect(stripped.length).toBeLessThan(bytes.length);
    const modules = compileAll(Component.coreModules(bytes));
    // The stripped modules are no longer valid (functions without code) ...
    expect(() => Component.coreModules(stripped)).toThrow(/invalid core module at offset/);
    await expect(Component.compile(stripped)).rejects.toThrow(ValidationError);
    // ... but carry every import and export fromModules checks.
    const inst = Component.fromModules(stripped, modules).instantiateSync({}, { codegen: false });
    expect([inst.exports.add(1, 2), inst.exports.seven()]).toEqual([10, 7]);
    expect(() => Component.fromModules(stripped, modules.slice(1))).toThrow('4 core modules, 3 given');
    // Stripping twice changes nothing more.
    expect(Component.stripCoreCode(stripped)).toEqual(stripped);
  });

  it('a truncated binary is a DecodeError', () => {
    expect(() => Component.stripCoreCode(new Uint8Array([0, 0x61, 0x73]))).toThrow(DecodeError);
    expect(() => Component.stripCoreCode(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, 0x20, 0]))).toThrow(
      /a section runs past its end/,
    );
  });
});

describe('JSPI shims compiled ahead of time', () => {
  it('registerJspiShims takes only shim keys and WebAssembly.Modules', async () => {
    const { registerJspiShims, recordJspiShims } = await import('../src/index.ts');
    expect(() =>
      registerJspiShims({ 'x:i32>': new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) }),
    ).toThrow(/not a JSPI shim key/);
    expect(() => registerJspiShims({ 'd:i32>': {} as WebAssembly.Module })).toThrow(/is not a WebAssembly.Module/);
    // A recording with nothing instantiated meanwhile gives nothing.
    expect(recordJspiShims().stop().size).toBe(0);
  });
});
