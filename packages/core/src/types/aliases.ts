// Alias definitions: core instance exports, instance exports, and outer
// aliases (which may not smuggle resources across a component boundary).

import type { Alias, Sort } from '../binary/ir.ts';
import type { ExternType, Type } from './model.ts';
import type { Scope } from './scope.ts';
import { isValType } from './deftypes.ts';
import { someChild } from './predicates.ts';
import type { NameToken } from './tokens.ts';
import { addToSpace } from './externs.ts';
import { allExterns } from './visibility.ts';

export function alias(s: Scope, a: Alias): void {
  if (a.kind === 'core-export') {
    const inst = s.at(s.coreInstances, a.instance, 'core instance');
    const x = inst.exports.get(a.name);
    if (!x) s.fail(`core instance ${a.instance} has no export named \`${a.name}\``);
    const sort = typeof a.sort === 'object' ? a.sort.core : a.sort;
    if (x.kind !== sort) s.fail(`export \`${a.name}\` for core instance ${a.instance} is not a ${sort}`);
    switch (x.kind) {
      case 'func':
        s.coreFuncs.push(x.type);
        break;
      case 'table':
        s.coreTables.push(x);
        break;
      case 'memory':
        s.coreMemories.push(x);
        break;
      case 'global':
        s.coreGlobals.push(x);
        break;
      case 'tag':
        s.coreTags.push(x);
        break;
    }
    return;
  }
  if (a.kind === 'export') {
    const inst = s.at(s.instances, a.instance, 'instance');
    const x = inst.exports.get(a.name);
    if (!x) s.fail(`instance ${a.instance} has no export named \`${a.name}\``);
    const want = typeof a.sort === 'object' ? (a.sort.core === 'module' ? 'module' : `core ${a.sort.core}`) : a.sort;
    if (x.kind !== want) s.fail(`export \`${a.name}\` for instance ${a.instance} is not a ${want}`);
    // Aliases of an imported or exported instance's exports have an external name; others don't.
    const naming = s.instanceNaming[a.instance];
    const token: NameToken | undefined = naming && { name: a.name, mode: naming, scope: s, root: false };
    addToSpace(s, x, token, token !== undefined, naming);
    return;
  }
  // outer
  let target: Scope | undefined = s;
  let crossesComponent = false;
  for (let k = 0; k < a.count; k++) {
    if (!target) break;
    if (target.kind === 'component') crossesComponent = true;
    target = target.parent;
  }
  if (!target) s.fail(`invalid outer alias count of ${a.count}`);
  const sort = a.sort;
  if (sort === 'type') {
    const t = s.at(target.types, a.idx, 'type');
    if (crossesComponent && refersToResource(t)) {
      s.fail(
        `outer alias of type ${a.idx} refers to resources not defined in the current component (it transitively refers to resources)`,
      );
    }
    s.types.push(t);
    s.typeTokens.push(target.typeTokens[a.idx]);
  } else if (sort === 'component') {
    s.components.push(s.at(target.components, a.idx, 'component'));
  } else if (typeof sort === 'object' && sort.core === 'type') {
    s.coreTypes.push(s.at(target.coreTypes, a.idx, 'core type'));
  } else if (typeof sort === 'object' && sort.core === 'module') {
    s.coreModules.push(s.at(target.coreModules, a.idx, 'module'));
  } else {
    s.fail(`outer aliases may only refer to modules, types, or components, not ${sortString(sort)}`);
  }
}

function refersToResource(t: Type, seen = new Set<object>()): boolean {
  if (seen.has(t)) return false;
  seen.add(t);
  switch (t.kind) {
    case 'resource':
    case 'own':
    case 'borrow':
      return true;
    case 'func':
      return t.params.some((p) => refersToResource(p.type, seen)) || (!!t.result && refersToResource(t.result, seen));
    case 'instance':
      return !allExterns(t.exports, (e) => !externRefersToResource(e, seen));
    case 'component': {
      const free = (e: ExternType) => !externRefersToResource(e, seen);
      return !allExterns(t.imports, free) || !allExterns(t.exports, free);
    }
    default:
      return isValType(t) && someChild(t, (c) => refersToResource(c, seen));
  }
}

function externRefersToResource(e: ExternType, seen: Set<object>): boolean {
  return e.kind !== 'module' && refersToResource(e.type, seen);
}

function sortString(sort: Sort): string {
  return typeof sort === 'object' ? `core ${sort.core}` : sort;
}
