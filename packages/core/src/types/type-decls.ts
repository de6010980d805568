// Component and instance type definitions: each `(component ...)` or
// `(instance ...)` type is validated in its own, initially empty, scope
// (Binary.md) by walking its declarations.

import type { ComponentDecl, DefType } from '../binary/ir.ts';
import type { ComponentType, InstanceType, Type } from './model.ts';
import { Scope } from './scope.ts';
import { coreDefType, defValType, funcType } from './deftypes.ts';
import type { NameToken } from './tokens.ts';
import { alias } from './aliases.ts';
import { importOrExportDecl } from './externs.ts';

export function defType(s: Scope, d: Exclude<DefType, { kind: 'resource' }>): Type {
  switch (d.kind) {
    case 'func':
      return funcType(s, d);
    case 'component':
      return componentType(s, d.decls);
    case 'instance':
      return instanceType(s, d.decls);
    default:
      return defValType(s, d);
  }
}

export function pushType(s: Scope, t: Type, token: NameToken | undefined): void {
  s.types.push(t);
  s.typeTokens.push(token);
}

function typeScopeDecls(parent: Scope, decls: ComponentDecl[], allowImports: boolean): Scope {
  const s: Scope = new Scope('type', parent);
  s.deferVisibility = !allowImports;
  const where = parent.where;
  decls.forEach((decl, j) => {
    s.atDeclaration(j, where);
    switch (decl.kind) {
      case 'core-type':
        s.coreTypes.push(coreDefType(s, decl.type));
        break;
      case 'type':
        if (decl.type.kind === 'resource') s.fail('resources can only be defined within a concrete component');
        pushType(s, defType(s, decl.type), undefined);
        break;
      case 'alias': {
        const a = decl.alias;
        if (a.kind === 'export' && a.sort !== 'instance' && a.sort !== 'type') {
          s.fail('export aliases in type declarations may only refer to types or instances');
        }
        if (a.kind === 'outer' && a.sort !== 'type' && !(typeof a.sort === 'object' && a.sort.core === 'type')) {
          s.fail(
            'outer aliases in type declarations may only refer to types (or core types); export aliases may only refer to types or instances',
          );
        }
        if (a.kind === 'core-export') s.fail('core export aliases are not allowed in type declarations');
        alias(s, a);
        break;
      }
      case 'import':
        if (!allowImports) s.fail('instance types cannot contain imports');
        importOrExportDecl(s, decl.name, decl.type, 'import');
        break;
      case 'export':
        importOrExportDecl(s, decl.name, decl.type, 'export');
        break;
    }
  });
  parent.where = where;
  return s;
}

export function componentType(parent: Scope, decls: ComponentDecl[]): ComponentType {
  const s = typeScopeDecls(parent, decls, true);
  return {
    kind: 'component',
    imports: s.imports,
    exports: s.exports,
    importedResources: s.importedResources,
    exportedResources: s.exportedResources,
  };
}

export function instanceType(parent: Scope, decls: ComponentDecl[]): InstanceType {
  const s = typeScopeDecls(parent, decls, false);
  return { kind: 'instance', exports: s.exports, exportedResources: s.exportedResources };
}
