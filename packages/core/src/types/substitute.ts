// Substitution of type identities (resources, and the imported types
// instantiation replaces) in resolved types, sharing every unchanged subtree.

import type {
  CaseType,
  ComponentType,
  ExternType,
  FieldType,
  FuncType,
  InstanceType,
  ParamType,
  Type,
  ValType,
} from './model.ts';
import { isPrim } from './model.ts';
import { copyToken } from './tokens.ts';
import { viaOrigins } from './deftypes.ts';

/** Identity substitution: mostly resources, but instantiation also replaces imported (eq-bound) types. */
export type ResourceMap = Map<object, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Replaces resource identities per `map`, sharing every unchanged subtree. With `renamedToo`, a
 * renamed copy of a mapped type (the same type under another name) is replaced as well.
 */
export function substitute<T extends Type | ExternType>(
  t: T,
  map: ResourceMap,
  memo?: Map<object, object>,
  renamedToo = false,
): T {
  if (map.size === 0) return t;
  const lookup = renamedToo ? (x: object) => viaOrigins(x, (o) => map.get(o)) : (x: object) => map.get(x);
  return subst(t, { map, memo: memo ?? new Map(), lookup }) as T;
}

interface SubstCtx {
  map: ResourceMap;
  memo: Map<object, object>;
  lookup: (t: object) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function subst(t: Type | ExternType, c: SubstCtx): Type | ExternType {
  // Leaves are replaced only when mapped themselves: no memo entry for them.
  if (isLeaf(t)) return c.lookup(t) ?? t;
  const hit = c.memo.get(t) ?? c.lookup(t);
  if (hit) return hit as Type;
  const r = substUncached(t, c);
  copyToken(t, r);
  c.memo.set(t, r);
  return r;
}

function isLeaf(t: Type | ExternType): boolean {
  switch (t.kind) {
    case 'resource':
    case 'enum':
    case 'flags':
    case 'module':
      return true;
    default:
      return isPrim(t);
  }
}

function substOpt<U extends Type>(u: U | undefined, c: SubstCtx): U | undefined {
  return u === undefined ? u : (subst(u, c) as U);
}

function substUncached(t: Type | ExternType, c: SubstCtx): Type | ExternType {
  const map = c.map;
  switch (t.kind) {
    case 'resource':
      return map.get(t) ?? t;
    case 'own':
    case 'borrow': {
      const r = map.get(t.resource);
      return r ? { kind: t.kind, resource: r } : t;
    }
    case 'list': {
      const e = subst(t.elem, c) as ValType;
      return e === t.elem ? t : { ...t, elem: e };
    }
    case 'option': {
      const e = subst(t.type, c) as ValType;
      return e === t.type ? t : { ...t, type: e };
    }
    case 'stream':
    case 'future': {
      const e = substOpt(t.elem, c);
      return e === t.elem ? t : { ...t, elem: e };
    }
    case 'result': {
      const ok = substOpt(t.ok, c),
        err = substOpt(t.err, c);
      return ok === t.ok && err === t.err ? t : { ...t, ok, err };
    }
    case 'map': {
      const key = subst(t.key, c) as ValType,
        value = subst(t.value, c) as ValType;
      return key === t.key && value === t.value ? t : { ...t, key, value };
    }
    case 'tuple': {
      let types: ValType[] | undefined;
      for (let i = 0; i < t.types.length; i++) {
        const x = t.types[i]!;
        const y = subst(x, c) as ValType;
        if (y !== x && !types) types = t.types.slice(0, i);
        if (types) types.push(y);
      }
      return types ? { ...t, types } : t;
    }
    case 'record': {
      let fields: FieldType[] | undefined;
      for (let i = 0; i < t.fields.length; i++) {
        const f = t.fields[i]!;
        const y = subst(f.type, c) as ValType;
        if (y !== f.type && !fields) fields = t.fields.slice(0, i).map((g) => ({ label: g.label, type: g.type }));
        if (fields) fields.push({ label: f.label, type: y });
      }
      return fields ? { ...t, fields } : t;
    }
    case 'variant': {
      let cases: CaseType[] | undefined;
      for (let i = 0; i < t.cases.length; i++) {
        const k = t.cases[i]!;
        const y = k.type ? (subst(k.type, c) as ValType) : undefined;
        if (y !== k.type && !cases) cases = t.cases.slice(0, i);
        if (cases) cases.push(y === k.type ? k : { label: k.label, type: y });
      }
      return cases ? { ...t, cases } : t;
    }
    case 'func':
      if ('params' in t) {
        let params: ParamType[] | undefined;
        for (let i = 0; i < t.params.length; i++) {
          const p = t.params[i]!;
          const y = subst(p.type, c) as ValType;
          if (y !== p.type && !params) params = t.params.slice(0, i).map((q) => ({ label: q.label, type: q.type }));
          if (params) params.push({ label: p.label, type: y });
        }
        const result = substOpt(t.result, c);
        if (result === t.result && !params) return t;
        return {
          kind: 'func',
          async: t.async,
          params: params ?? t.params.map((q) => ({ label: q.label, type: q.type })),
          result,
        };
      } else {
        const type = subst(t.type, c) as FuncType;
        return type === t.type ? t : { kind: 'func', type };
      }
    case 'instance':
      if ('exports' in t) {
        const exports = substMap(t.exports, c);
        if (!exports) return t;
        const it: InstanceType = { kind: 'instance', exports };
        if (t.exportedResources) it.exportedResources = t.exportedResources.map((r) => map.get(r) ?? r);
        return it;
      } else {
        const type = subst(t.type, c) as InstanceType;
        return type === t.type ? t : { kind: 'instance', type };
      }
    case 'component':
      if ('exports' in t) {
        const imports = substMap(t.imports, c),
          exports = substMap(t.exports, c);
        if (!imports && !exports) return t;
        const ct: ComponentType = { ...t, imports: imports ?? t.imports, exports: exports ?? t.exports };
        return ct;
      } else {
        const type = subst(t.type, c) as ComponentType;
        return type === t.type ? t : { kind: 'component', type };
      }
    case 'value': {
      const type = subst(t.type, c) as ValType;
      return type === t.type ? t : { kind: 'value', type };
    }
    case 'type': {
      const type = subst(t.type, c) as Type;
      return type === t.type ? t : { kind: 'type', type };
    }
    default:
      return t;
  }
}

function substMap(m: Map<string, ExternType>, c: SubstCtx): Map<string, ExternType> | undefined {
  let out: Map<string, ExternType> | undefined;
  m.forEach((v, k) => {
    const nv = subst(v, c) as ExternType;
    if (nv !== v && !out) {
      out = new Map();
      for (const k2 of m.keys()) {
        if (k2 === k) break;
        out.set(k2, m.get(k2)!);
      }
    }
    if (out) out.set(k, nv);
  });
  return out;
}
