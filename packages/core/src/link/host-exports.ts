// Presents a runtime instance to the host with the jco conventions: funcs by
// name (and camelCase), interfaces as objects, resources as classes whose
// constructor/methods/statics call the guest.

import type { ResourceType } from '../types/model.ts';
import { toHostExport } from './host-convention.ts';
import { camelCase, parseFuncName, pascalCase } from './names.ts';
import { resourceClass } from './resources.ts';
import {
  FUNC,
  INSTANCE,
  RESOURCE,
  TYPE,
  type ComponentFunc,
  type RuntimeExtern,
  type RuntimeInstance,
} from './runtime.ts';

type Obj = Record<string | symbol, unknown>;

export function hostFunction(f: ComponentFunc): Function {
  const fn = toHostExport(f.type, f.call) as unknown as Function & Obj;
  Object.defineProperty(fn, FUNC, { value: f });
  Object.defineProperty(fn, TYPE, { value: f.type });
  return fn;
}

/** Top level: export names are kept as written, with a camelCase alias for funcs. */
export function hostExports(inst: RuntimeInstance): Record<string, unknown> {
  const out = presentInstance(inst, (n) => n);
  for (const [n, e] of inst.exports) {
    const c = camelCase(n);
    if (e.kind === 'func' && c !== n && !(c in out))
      Object.defineProperty(out, c, { value: out[n], enumerable: false });
  }
  return out;
}

function presentInstance(inst: RuntimeInstance, funcKey: (n: string) => string): Obj {
  const out: Obj = {};
  Object.defineProperty(out, INSTANCE, { value: inst });
  const classes = new Map<string, Function>();
  for (const [n, e] of inst.exports) {
    if (e.kind === 'type' && e.type.kind === 'resource') {
      const cls = resourceClass(e.type as ResourceType, n);
      classes.set(n, cls);
      out[pascalCase(n)] = cls;
    }
  }
  for (const [n, e] of inst.exports) {
    if (e.kind === 'func') {
      const p = parseFuncName(n);
      const cls = p.resource ? (classes.get(p.resource) as (Function & Obj) | undefined) : undefined;
      const fn = hostFunction(e.func);
      if (!cls || p.kind === 'plain') {
        out[funcKey(n)] = fn;
      } else if (p.kind === 'constructor') {
        (resourceOf(cls) as { construct?: Function }).construct = fn;
      } else if (p.kind === 'static') {
        Object.defineProperty(cls, camelCase(p.name), { value: fn, configurable: true, writable: true });
      } else {
        Object.defineProperty((cls as unknown as { prototype: Obj }).prototype, camelCase(p.name), {
          value: function (this: unknown, ...a: unknown[]) {
            return fn(this, ...a);
          },
          configurable: true,
          writable: true,
        });
      }
    } else if (e.kind === 'instance') {
      out[n] = presentInstance(e.instance, camelCase);
    } else if (e.kind !== 'type') {
      out[n] = presentOther(e);
    }
  }
  return out;
}

function presentOther(e: RuntimeExtern): unknown {
  switch (e.kind) {
    case 'module':
      return e.module;
    case 'value':
      return e.value;
    default:
      return e;
  }
}

function resourceOf(cls: Function): unknown {
  return (cls as unknown as Obj)[RESOURCE];
}
