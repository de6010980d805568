// Replaces static resource identities (from validation) by the runtime ones
// of one instantiation, once per type, memoised per scope. Types that refer
// to no resource are returned as they are.

import type { FuncType, ResourceType, Type, ValType } from '../types/model.ts';
import { resourceFree } from '../types/resource-free.ts';
import type { LinkScope } from './runtime.ts';

export function lookupResource(scope: LinkScope | undefined, r: ResourceType): ResourceType {
  for (let s = scope; s; s = s.outer) {
    const hit = s.resources.get(r);
    if (hit) return hit as ResourceType;
  }
  return r;
}

const cache = new WeakMap<LinkScope, WeakMap<object, unknown>>();

export function substitute<T extends Type>(scope: LinkScope, t: T): T {
  let memo = cache.get(scope);
  if (!memo) cache.set(scope, (memo = new WeakMap()));
  return subst(scope, memo, t) as T;
}

function subst(scope: LinkScope, memo: WeakMap<object, unknown>, t: Type): Type {
  // Nothing to replace: keep the object, so per-type caches (abi codecs) keep hitting.
  if (resourceFree(t)) return t;
  const hit = memo.get(t);
  if (hit) return hit as Type;
  let out: Type;
  const v = (x: ValType) => subst(scope, memo, x) as ValType;
  const ov = (x: ValType | undefined) => (x ? v(x) : undefined);
  switch (t.kind) {
    case 'resource':
      out = lookupResource(scope, t);
      break;
    case 'own':
    case 'borrow': {
      const r = lookupResource(scope, t.resource);
      out = r === t.resource ? t : { kind: t.kind, resource: r };
      break;
    }
    case 'list':
      out = { ...t, elem: v(t.elem) };
      break;
    case 'record':
      out = { kind: 'record', fields: t.fields.map((f) => ({ label: f.label, type: v(f.type) })) };
      break;
    case 'tuple':
      out = { kind: 'tuple', types: t.types.map(v) };
      break;
    case 'variant':
      out = { kind: 'variant', cases: t.cases.map((c) => ({ label: c.label, type: ov(c.type) })) };
      break;
    case 'option':
      out = { kind: 'option', type: v(t.type) };
      break;
    case 'result':
      out = { kind: 'result', ok: ov(t.ok), err: ov(t.err) };
      break;
    case 'map':
      out = { kind: 'map', key: v(t.key), value: v(t.value) };
      break;
    case 'stream':
    case 'future':
      out = { kind: t.kind, elem: ov(t.elem) };
      break;
    case 'func': {
      const ft = t as FuncType;
      out = {
        kind: 'func',
        async: ft.async,
        params: ft.params.map((p) => ({ label: p.label, type: v(p.type) })),
        result: ov(ft.result),
      };
      break;
    }
    default:
      out = t; // primitives, enums, flags, instance/component types (checked structurally)
  }
  memo.set(t, out);
  return out;
}
