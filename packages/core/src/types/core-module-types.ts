// Compile-time type of a core module: its imports and exports with full core
// extern types (`WebAssembly.Module.imports/exports` only give kinds). The
// sections are read by binary/core-module.ts; this resolves type indices.

import type { CoreExternType as CoreExternTypeIR, CoreFuncType as CoreFuncTypeIR } from '../binary/ir.ts';
import { readCoreModule } from '../binary/core-module.ts';
import { coreValType } from './deftypes.ts';
import { ValidationError } from '../host/errors.ts';
import type { CoreExternType, CoreFuncType, CoreModuleType } from './model.ts';

/** GC types other than plain func types are kept opaque: an empty signature no func import can match by accident. */
const OPAQUE: CoreFuncType = Object.freeze({ kind: 'func', params: [], results: [] }) as CoreFuncType;

export function coreModuleType(bytes: Uint8Array): CoreModuleType {
  const m = readCoreModule(bytes);
  const types = m.types.map((t) => (t ? funcType(t) : undefined));
  const ft = (i: number): CoreFuncType => types[i] ?? OPAQUE;
  const ext = (t: CoreExternTypeIR): CoreExternType => {
    switch (t.kind) {
      case 'func':
        return { kind: 'func', type: ft(t.typeIdx) };
      case 'tag':
        return { kind: 'tag', type: ft(t.typeIdx) };
      case 'table':
        return { ...t, elem: coreValType(t.elem) };
      case 'global':
        return { ...t, type: coreValType(t.type) };
      default:
        return t;
    }
  };
  // Names per module, not `module + name` strings: no string built per import.
  const seen = new Map<string, Set<string>>();
  const imports = m.imports.map((i) => {
    let names = seen.get(i.module);
    if (names === undefined) seen.set(i.module, (names = new Set()));
    if (names.has(i.name)) throw new ValidationError(`duplicate import name \`${i.module}:${i.name}\``);
    names.add(i.name);
    return { module: i.module, name: i.name, type: ext(i.type) };
  });
  const exports = new Map<string, CoreExternType>();
  for (const e of m.exports) {
    let t: CoreExternType | undefined;
    switch (e.kind) {
      case 0: {
        const idx = m.funcs[e.index];
        t = idx === undefined ? undefined : { kind: 'func', type: ft(idx) };
        break;
      }
      case 1:
        t = m.tables[e.index] && ext(m.tables[e.index]!);
        break;
      case 2:
        t = m.memories[e.index] && ext(m.memories[e.index]!);
        break;
      case 3:
        t = m.globals[e.index] && ext(m.globals[e.index]!);
        break;
      case 4: {
        const idx = m.tags[e.index];
        t = idx === undefined ? undefined : { kind: 'tag', type: ft(idx) };
        break;
      }
    }
    if (t) exports.set(e.name, t);
  }
  return { kind: 'module', imports, exports };
}

function funcType(t: CoreFuncTypeIR): CoreFuncType {
  return { kind: 'func', params: t.params.map(coreValType), results: t.results.map(coreValType) };
}
