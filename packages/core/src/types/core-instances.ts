// Core instance definitions: core module instantiation (imports matched
// against the argument instances' exports) and inline-export core instances.

import type { CoreInstanceExpr } from '../binary/ir.ts';
import type { CoreInstanceType } from './elaborated.ts';
import type { CoreExternType } from './model.ts';
import type { Scope } from './scope.ts';
import { checkCoreExtern } from './subtype.ts';

export function coreInstance(s: Scope, e: CoreInstanceExpr): CoreInstanceType {
  if (e.kind === 'exports') {
    const exports = new Map<string, CoreExternType>();
    for (const x of e.exports) {
      if (exports.has(x.name)) s.fail(`export name \`${x.name}\` already defined`);
      exports.set(x.name, coreItem(s, x.sortIdx.sort, x.sortIdx.idx));
    }
    return { kind: 'core-instance', exports };
  }
  const m = s.at(s.coreModules, e.module, 'module');
  const args = new Map<string, CoreInstanceType>();
  for (const a of e.args) {
    if (args.has(a.name)) s.fail(`duplicate module instantiation argument named \`${a.name}\``);
    args.set(a.name, s.at(s.coreInstances, a.instance, 'core instance'));
  }
  for (const imp of m.imports) {
    const inst = args.get(imp.module);
    if (!inst) s.fail(`missing module instantiation argument named \`${imp.module}\``);
    const got = inst.exports.get(imp.name);
    if (!got) s.fail(`module instantiation argument \`${imp.module}\` does not export an item named \`${imp.name}\``);
    const err = checkCoreExtern(got, imp.type);
    if (err)
      s.fail(`type mismatch for export \`${imp.name}\` of module instantiation argument \`${imp.module}\`: ${err}`);
  }
  return { kind: 'core-instance', exports: m.exports };
}

function coreItem(s: Scope, sort: string, idx: number): CoreExternType {
  switch (sort) {
    case 'func':
      return { kind: 'func', type: s.at(s.coreFuncs, idx, 'function') };
    case 'table':
      return s.at(s.coreTables, idx, 'table');
    case 'memory':
      return s.at(s.coreMemories, idx, 'memory');
    case 'global':
      return s.at(s.coreGlobals, idx, 'global');
    case 'tag':
      return s.at(s.coreTags, idx, 'tag');
    default:
      s.fail(`core ${sort} cannot be exported from a core instance`);
  }
}
