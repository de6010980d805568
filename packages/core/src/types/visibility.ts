// External visibility of types (Explainer "External Visibility of Types").

import type { ExternType, FuncType, InstanceType, Type, ValType } from './model.ts';
import { Scope } from './scope.ts';
import { isNominal } from './deftypes.ts';
import { someChild } from './predicates.ts';
import { tokenOf } from './tokens.ts';
import { isPrim } from './model.ts';

/**
 * External visibility (Explainer "External Visibility of Types"): every
 * resource handle and record/variant/enum/flags type reachable from an import
 * or export must have been referenced through an imported/exported name, and
 * imports may not depend on exports of the same scope.
 */
export function checkVisible(s: Scope, ext: ExternType, mode: 'import' | 'export'): boolean {
  if (ext.kind === 'instance') nameInstanceTypes(s, ext.type);
  scope = s;
  importing = mode === 'import';
  try {
    return externVisible(ext);
  } finally {
    seen.clear();
  }
}

// One walk at a time (it never re-enters), so its state lives here rather
// than in closures and a fresh Set per import/export.
let scope: Scope;
let importing = false;
const seen = new Set<object>();

function named(node: object): boolean {
  const s = scope;
  if (s.namedObjects.has(node)) return true;
  const k = (node as ValType).kind;
  if ((k === 'own' || k === 'borrow') && s.namedObjects.has((node as ValType & { resource: object }).resource))
    return true;
  const tok = tokenOf(node);
  if (!tok) return false;
  // Names given in an enclosing (or sibling) component don't count here; names
  // inside type definitions travel with the type.
  if (tok.scope !== s && !(tok.scope instanceof Scope && tok.scope.kind === 'type')) return false;
  return !(importing && tok.scope === s && tok.mode === 'export');
}

function notVisible(c: ValType): boolean {
  return !valVisible(c, false);
}

function valVisible(t: ValType, top: boolean): boolean {
  if (isPrim(t) || seen.has(t)) return true;
  seen.add(t);
  if (t.kind === 'own' || t.kind === 'borrow') return named(t);
  if (!top && isNominal(t)) return named(t);
  return !someChild(t, notVisible);
}

function funcVisible(f: FuncType): boolean {
  for (let i = 0; i < f.params.length; i++) if (!valVisible(f.params[i]!.type, false)) return false;
  return !f.result || valVisible(f.result, false);
}

function externVisible(e: ExternType): boolean {
  switch (e.kind) {
    case 'func':
      return funcVisible(e.type);
    case 'value':
      return valVisible(e.type, false);
    case 'type':
      return typeVisible(e.type);
    case 'instance':
      return allExterns(e.type.exports, externVisible);
    case 'component':
      return allExterns(e.type.imports, externVisible) && allExterns(e.type.exports, externVisible);
    case 'module':
      return true;
  }
}

function typeVisible(t: Type): boolean {
  switch (t.kind) {
    case 'resource':
      return true;
    case 'func':
      return funcVisible(t);
    case 'instance':
      return allExterns(t.exports, externVisible);
    case 'component':
      return allExterns(t.imports, externVisible) && allExterns(t.exports, externVisible);
    default:
      return valVisible(t, true);
  }
}

export function allExterns(m: Map<string, ExternType>, f: (e: ExternType) => boolean): boolean {
  for (const e of m.values()) if (!f(e)) return false;
  return true;
}

function nameInstanceTypes(s: Scope, it: InstanceType): void {
  for (const e of it.exports.values()) {
    if (e.kind === 'type') s.namedObjects.add(e.type);
    else if (e.kind === 'instance') nameInstanceTypes(s, e.type);
  }
}
