// Component instance definitions: `(instantiate ...)` of a component with
// arguments, and instances built from inline exports.

import type { InstanceExpr } from '../binary/ir.ts';
import type { ExternType, InstanceType, ResourceType } from './model.ts';
import type { Scope } from './scope.ts';
import { type ResourceMap, substitute } from './substitute.ts';
import { checkExtern } from './subtype.ts';
import { canonicalName, NameSet } from './names.ts';
import { checkAnnotated, checkName, externOfSortIdx } from './externs.ts';

export function instanceExpr(s: Scope, e: InstanceExpr): InstanceType {
  if (e.kind === 'exports') {
    const names = new NameSet();
    const exports = new Map<string, ExternType>();
    const bag = {};
    const bagResources = new Set<string>();
    for (const x of e.exports) {
      const ext = externOfSortIdx(s, x.sortIdx);
      const parsed = checkName(s, x.name, ext, 'export', names);
      checkAnnotated(s, parsed, x.name.name, ext, 'export', bag, bagResources);
      if (ext.kind === 'type' && ext.type.kind === 'resource') bagResources.add(x.name.name);
      exports.set(x.name.name, ext);
    }
    return { kind: 'instance', exports };
  }
  const c = s.at(s.components, e.component, 'component');
  const args = new Map<string, ExternType>();
  const argNames = new Map<string, string>();
  for (const a of e.args) {
    const canon = canonicalName(a.name);
    const prev = argNames.get(canon);
    if (prev !== undefined) s.fail(`instantiation argument \`${a.name}\` conflicts with previous argument \`${prev}\``);
    argNames.set(canon, a.name);
    args.set(a.name, externOfSortIdx(s, a.sortIdx));
  }
  const imported = new Set(c.importedResources ?? []);
  const map: ResourceMap = new Map();
  for (const [name, imp] of c.imports) {
    const arg = args.get(name);
    if (!arg) s.fail(`missing import named \`${name}\``);
    bindResources(s, imp, arg, imported, map, name);
    const want = substitute(imp, map);
    const err = checkExtern(arg, want);
    if (err) s.fail(`type mismatch for component instantiation argument \`${name}\`: ${err}`);
    // Type imports, and the types exported by imported instances, are replaced by the supplied
    // types in everything after them.
    bindTypes(imp, arg, map);
  }
  const fresh: ResourceType[] = [];
  for (const r of c.exportedResources ?? []) {
    const n: ResourceType = { kind: 'resource', name: r.name };
    map.set(r, n);
    fresh.push(n);
  }
  const exports = new Map<string, ExternType>();
  const memo = new Map<object, object>(); // one memo, so a type shared by several exports stays one object
  for (const [name, ext] of c.exports) exports.set(name, substitute(ext, map, memo, true));
  return { kind: 'instance', exports, exportedResources: fresh };
}

/** Binds the component's abstract imported resources to the supplied argument's resources, by name. */
function bindResources(
  s: Scope,
  want: ExternType,
  got: ExternType,
  abstract: Set<ResourceType>,
  map: ResourceMap,
  path: string,
): void {
  if (want.kind === 'type' && want.type.kind === 'resource' && abstract.has(want.type) && !map.has(want.type)) {
    if (got.kind !== 'type')
      s.fail(`type mismatch for component instantiation argument \`${path}\`: expected type, found ${got.kind}`);
    if (got.type.kind !== 'resource')
      s.fail(`type mismatch for component instantiation argument \`${path}\`: expected resource, found defined type`);
    map.set(want.type, got.type);
  } else if (want.kind === 'instance' && got.kind === 'instance') {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g) bindResources(s, w, g, abstract, map, `${path}.${n}`);
    }
  }
}

/** Maps the component's imported types (a type import, or an imported instance's type exports) to the argument's. */
function bindTypes(want: ExternType, got: ExternType, map: ResourceMap): void {
  if (want.kind === 'type' && got.kind === 'type') {
    if (want.type !== got.type && !map.has(want.type)) map.set(want.type, got.type);
  } else if (want.kind === 'instance' && got.kind === 'instance') {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g) bindTypes(w, g, map);
    }
  }
}
