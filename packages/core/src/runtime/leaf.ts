// Core functions that cannot call out of wasm: exports of a core instance whose module imports
// nothing but memories (no functions, tables, globals or tags: nothing a call could reach host
// code through, a funcref global or table included). While such a function runs no JS runs, so
// nothing can observe the running frame or try to reenter its instance: a sync lift of one can
// skip setting them (canon/lift-codegen.ts, the `+leaf` shapes). The linker notes each core
// instance it makes (link/instantiate.ts).

/** Whether a module imports only memories (kept per module: Module.imports allocates). */
const leafModules = new WeakMap<WebAssembly.Module, boolean>();
const leafFuncs = new WeakSet<Function>();

function isLeafModule(m: WebAssembly.Module): boolean {
  let leaf = leafModules.get(m);
  if (leaf === undefined) {
    leaf = WebAssembly.Module.imports(m).every((i) => i.kind === 'memory');
    leafModules.set(m, leaf);
  }
  return leaf;
}

/** Notes the exported functions of a core instance of `module` that cannot call out. */
export function noteCoreInstance(module: WebAssembly.Module, exports: WebAssembly.Exports): void {
  if (!isLeafModule(module)) return;
  for (const k in exports) {
    const v = exports[k];
    if (typeof v === 'function') leafFuncs.add(v);
  }
}

/** `f` is a core function that cannot call out of wasm (see noteCoreInstance). */
export function cannotCallOut(f: unknown): boolean {
  return typeof f === 'function' && leafFuncs.has(f);
}
