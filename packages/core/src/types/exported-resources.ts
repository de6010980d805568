// A concrete component type's exported abstract resources.

import type { ExternType, ResourceType, Type, ValType } from './model.ts';
import type { Scope } from './scope.ts';
import { someChild } from './predicates.ts';

/** A concrete component's exported abstract resources: every non-imported resource its exports mention. */
export function concreteExportedResources(s: Scope): ResourceType[] {
  const imported = new Set(s.importedResources);
  const out = new Set<ResourceType>();
  const seen = new Set<object>();
  const walkChild = (c: ValType): boolean => {
    walk(c);
    return false;
  };
  const walk = (t: Type | ExternType): void => {
    if (seen.has(t)) return;
    seen.add(t);
    switch (t.kind) {
      case 'resource':
        if (!imported.has(t)) out.add(t);
        return;
      case 'own':
      case 'borrow':
        walk(t.resource);
        return;
      case 'func':
        if ('params' in t) {
          for (const p of t.params) walk(p.type);
          if (t.result) walk(t.result);
        } else walk(t.type);
        return;
      case 'instance':
        if ('exports' in t) t.exports.forEach(walk);
        else walk(t.type);
        return;
      case 'component':
        return; // a component type's resources are its own parameters
      case 'value':
      case 'type':
        walk(t.type);
        return;
      case 'module':
        return;
      default:
        someChild(t, walkChild);
    }
  };
  s.exports.forEach(walk);
  return [...out];
}
