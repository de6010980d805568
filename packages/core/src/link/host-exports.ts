// Presents a runtime instance to the host with the jco conventions: funcs by
// name (and camelCase), interfaces as objects, resources as classes whose
// constructor/methods/statics call the guest.

import type { ResourceType } from '../types/model.ts';
import { toHostExport } from './host-convention.ts';
import { camelCase, parseFuncName, pascalCase } from './names.ts';
import type { LinkPlan } from './plan.ts';
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
export function hostExports(inst: RuntimeInstance, plan: LinkPlan): Record<string, unknown> {
  const out = presentInstance(inst, plan, true);
  inst.exports.forEach((e, n) => {
    const c = exportName(plan, n).camel;
    if (e.kind === 'func' && c !== n && !(c in out))
      Object.defineProperty(out, c, { value: out[n], enumerable: false });
  });
  return out;
}

/** An export's name read as the host sees it, once per Component and name. */
export interface ExportName {
  kind: 'plain' | 'method' | 'static' | 'constructor';
  /** The resource of a method, static or constructor. */
  resource: string | undefined;
  /** camelCase of the whole name. */
  camel: string;
  /** PascalCase of the whole name (a resource's class). */
  pascal: string;
  /** camelCase of a method's or static's own name. */
  member: string;
}

function exportName(plan: LinkPlan, n: string): ExportName {
  let x = plan.exportNames.get(n);
  if (x === undefined) {
    const p = parseFuncName(n);
    x = { kind: p.kind, resource: p.resource, camel: camelCase(n), pascal: pascalCase(n), member: camelCase(p.name) };
    plan.exportNames.set(n, x);
  }
  return x;
}

function presentInstance(inst: RuntimeInstance, plan: LinkPlan, top: boolean): Obj {
  const out: Obj = {};
  Object.defineProperty(out, INSTANCE, { value: inst });
  let classes: Map<string, Function> | undefined;
  inst.exports.forEach((e, n) => {
    if (e.kind === 'type' && e.type.kind === 'resource') {
      const cls = resourceClass(e.type as ResourceType, n);
      (classes ??= new Map()).set(n, cls);
      out[exportName(plan, n).pascal] = cls;
    }
  });
  inst.exports.forEach((e, n) => {
    if (e.kind === 'func') {
      const p = exportName(plan, n);
      const cls = p.resource ? (classes?.get(p.resource) as (Function & Obj) | undefined) : undefined;
      const fn = hostFunction(e.func);
      if (!cls || p.kind === 'plain') {
        out[top ? n : p.camel] = fn;
      } else if (p.kind === 'constructor') {
        (resourceOf(cls) as { construct?: Function }).construct = fn;
      } else if (p.kind === 'static') {
        Object.defineProperty(cls, p.member, { value: fn, configurable: true, writable: true });
      } else {
        Object.defineProperty((cls as unknown as { prototype: Obj }).prototype, p.member, {
          value: function (this: unknown, ...a: unknown[]) {
            return fn(this, ...a);
          },
          configurable: true,
          writable: true,
        });
      }
    } else if (e.kind === 'instance') {
      out[n] = presentInstance(e.instance, plan, false);
    } else if (e.kind !== 'type') {
      out[n] = presentOther(e);
    }
  });
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
