// Replaces static resource identities (from validation) by the runtime ones
// of one instantiation. Types that refer to no resource are returned as they
// are; the others are memoised on the component's LinkPlan by the runtime
// resources they are bound to, so instances given the same resources (host
// classes) share the substituted type object and every cache keyed on it.

import type { FuncType, ResourceType, Type, ValType } from '../types/model.ts';
import { shareLayoutFacts } from '../abi/layout.ts';
import { resourceFree } from '../types/resource-free.ts';
import type { LinkPlan } from './plan.ts';
import type { LinkScope } from './runtime.ts';

export function lookupResource(scope: LinkScope | undefined, r: ResourceType): ResourceType {
  for (let s = scope; s; s = s.outer) {
    const hit = s.resources.get(r);
    if (hit) return hit as ResourceType;
  }
  return r;
}

export function substitute<T extends Type>(scope: LinkScope, t: T): T {
  return subst(scope, t) as T;
}

function subst(scope: LinkScope, t: Type): Type {
  // Nothing to replace: keep the object, so per-type caches (abi codecs) keep hitting.
  if (resourceFree(t)) return t;
  if (t.kind === 'resource') return lookupResource(scope, t);
  if (!STRUCTURAL.has(t.kind)) return t; // instance/component types (checked structurally)
  const plan = scope.plan;
  const statics = resourcesOf(plan, t);
  let node = plan.substituted.get(t);
  if (node === undefined) plan.substituted.set(t, (node = new WeakMap()));
  const last = statics.length - 1;
  for (let i = 0; i < last; i++) {
    const rt = lookupResource(scope, statics[i] as ResourceType);
    let next = node.get(rt) as WeakMap<object, unknown> | undefined;
    if (next === undefined) node.set(rt, (next = new WeakMap()));
    node = next;
  }
  const rt = lookupResource(scope, statics[last] as ResourceType);
  let out = node.get(rt) as Type | undefined;
  if (out === undefined) {
    out = build(scope, t);
    if (out !== t && out.kind !== 'own' && out.kind !== 'borrow')
      shareLayoutFacts(t as ValType | FuncType, out as ValType | FuncType);
    node.set(rt, out);
  }
  return out;
}

/** Kinds whose parts are substituted (the others are kept as they are). */
const STRUCTURAL = new Set<string>([
  'own',
  'borrow',
  'list',
  'record',
  'tuple',
  'variant',
  'option',
  'result',
  'map',
  'stream',
  'future',
  'func',
]);

/** The distinct static resources `t` mentions (through the kinds `build` substitutes). */
function resourcesOf(plan: LinkPlan, t: Type): readonly object[] {
  let rs = plan.resourcesIn.get(t);
  if (rs === undefined) {
    const found = new Set<object>();
    collect(t, found);
    rs = [...found];
    plan.resourcesIn.set(t, rs);
  }
  return rs;
}

function collect(t: Type | undefined, out: Set<object>): void {
  if (t === undefined || resourceFree(t)) return;
  switch (t.kind) {
    case 'resource':
      out.add(t);
      return;
    case 'own':
    case 'borrow':
      out.add(t.resource);
      return;
    case 'list':
      return collect(t.elem, out);
    case 'record':
      for (const f of t.fields) collect(f.type, out);
      return;
    case 'tuple':
      for (const x of t.types) collect(x, out);
      return;
    case 'variant':
      for (const c of t.cases) collect(c.type, out);
      return;
    case 'option':
      return collect(t.type, out);
    case 'result':
      collect(t.ok, out);
      return collect(t.err, out);
    case 'map':
      collect(t.key, out);
      return collect(t.value, out);
    case 'stream':
    case 'future':
      return collect(t.elem, out);
    case 'func':
      for (const p of (t as FuncType).params) collect(p.type, out);
      return collect((t as FuncType).result, out);
  }
}

function build(scope: LinkScope, t: Type): Type {
  const v = (x: ValType) => subst(scope, x) as ValType;
  const ov = (x: ValType | undefined) => (x ? v(x) : undefined);
  switch (t.kind) {
    case 'own':
    case 'borrow': {
      const r = lookupResource(scope, t.resource);
      return r === t.resource ? t : { kind: t.kind, resource: r };
    }
    case 'list':
      return { ...t, elem: v(t.elem) };
    case 'record':
      return { kind: 'record', fields: t.fields.map((f) => ({ label: f.label, type: v(f.type) })) };
    case 'tuple':
      return { kind: 'tuple', types: t.types.map(v) };
    case 'variant':
      return { kind: 'variant', cases: t.cases.map((c) => ({ label: c.label, type: ov(c.type) })) };
    case 'option':
      return { kind: 'option', type: v(t.type) };
    case 'result':
      return { kind: 'result', ok: ov(t.ok), err: ov(t.err) };
    case 'map':
      return { kind: 'map', key: v(t.key), value: v(t.value) };
    case 'stream':
    case 'future':
      return { kind: t.kind, elem: ov(t.elem) };
    case 'func': {
      const ft = t as FuncType;
      return {
        kind: 'func',
        async: ft.async,
        params: ft.params.map((p) => ({ label: p.label, type: v(p.type) })),
        result: ov(ft.result),
      };
    }
    default:
      return t;
  }
}
