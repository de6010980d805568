// "Refers to no resource": memoised per type object. Substitution (validation's
// and the linker's) returns such types as they are, so they keep their identity
// (and every cache keyed on it, e.g. abi codecs) across instantiations.

import type { ExternType, Type, ValType } from './model.ts';
import { isPrim } from './model.ts';

const memo = new WeakMap<object, boolean>();

/** True when no resource (or own/borrow handle) is reachable from `t`. */
export function resourceFree(t: Type | ExternType): boolean {
  switch (t.kind) {
    case 'resource':
    case 'own':
    case 'borrow':
      return false;
    case 'enum':
    case 'flags':
    case 'module':
      return true;
  }
  if (isPrim(t)) return true;
  let r = memo.get(t);
  if (r === undefined) {
    r = compute(t);
    memo.set(t, r);
  }
  return r;
}

function opt(t: ValType | undefined): boolean {
  return t === undefined || resourceFree(t);
}

function compute(t: Type | ExternType): boolean {
  switch (t.kind) {
    case 'list':
      return resourceFree(t.elem);
    case 'option':
      return resourceFree(t.type);
    case 'stream':
    case 'future':
      return opt(t.elem);
    case 'result':
      return opt(t.ok) && opt(t.err);
    case 'map':
      return resourceFree(t.key) && resourceFree(t.value);
    case 'tuple':
      for (let i = 0; i < t.types.length; i++) if (!resourceFree(t.types[i]!)) return false;
      return true;
    case 'record':
      for (let i = 0; i < t.fields.length; i++) if (!resourceFree(t.fields[i]!.type)) return false;
      return true;
    case 'variant':
      for (let i = 0; i < t.cases.length; i++) if (!opt(t.cases[i]!.type)) return false;
      return true;
    case 'func':
      if ('params' in t) {
        for (let i = 0; i < t.params.length; i++) if (!resourceFree(t.params[i]!.type)) return false;
        return opt(t.result);
      }
      return resourceFree(t.type);
    case 'instance':
      if ('exports' in t) {
        if (t.exportedResources?.length) return false;
        for (const e of t.exports.values()) if (!resourceFree(e)) return false;
        return true;
      }
      return resourceFree(t.type);
    case 'component':
      if ('exports' in t) {
        if (t.importedResources?.length || t.exportedResources?.length) return false;
        for (const e of t.imports.values()) if (!resourceFree(e)) return false;
        for (const e of t.exports.values()) if (!resourceFree(e)) return false;
        return true;
      }
      return resourceFree(t.type);
    case 'value':
    case 'type':
      return resourceFree(t.type);
    default:
      return true;
  }
}
