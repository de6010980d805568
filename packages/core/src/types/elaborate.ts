// Validation as elaboration: one in-order walk over a component's definitions
// that rebuilds every index space with resolved static types (model.ts) and
// rejects invalid components with a ValidationError naming the definition.

import type {
  Alias,
  ComponentDecl,
  ComponentIR,
  CoreInstanceExpr,
  Definition,
  ExternName,
  ExternTypeIR,
  InstanceExpr,
  Sort,
  SortIdx,
} from '../binary/ir.ts';
import type { CoreInstanceType, ElaboratedComponent } from './elaborated.ts';
import type {
  ComponentType,
  CoreExternType,
  ExternType,
  FuncType,
  InstanceType,
  ResourceType,
  Type,
  ValType,
} from './model.ts';
import { Scope } from './scope.ts';
import { coreDefType, defValType, funcType, isNominal, isValType, renamed, valType } from './deftypes.ts';
import { checkCoreExtern, checkExtern, substitute, type ResourceMap } from './subtype.ts';
import { coreModuleType } from './core-module-types.ts';
import { canonicalName, checkSemver, NameSet, parseExternName, parseInterfaceName, type ParsedName } from './names.ts';
import { setToken, tokenOf, type NameToken } from './tokens.ts';
import { canonDefinition } from './canon.ts';
import { someChild } from './flatten.ts';

export { Scope };

export interface ElaborateOptions {
  /**
   * Skip WebAssembly.validate of core modules because the caller validates
   * them itself (Component.compile compiles every module anyway; validating a
   * large module twice, synchronously, was most of compile's time).
   */
  coreModulesValidatedByCaller?: boolean;
}

/**
 * Validates `ir` and returns its elaborated index spaces. `outer` is the
 * enclosing scope for a nested component (outer aliases resolve through it).
 */
export function elaborate(ir: ComponentIR, outer?: Scope, options: ElaborateOptions = {}): ElaboratedComponent {
  const s: Scope = new Scope('component', outer);
  const nested = new Map<number, ElaboratedComponent>();
  const definedResources = new Map<number, ResourceType>();
  const importedResources = new Map<number, ResourceType>();
  const ctx: DefCtx = { nested, definedResources, importedResources, options };
  for (let i = 0; i < ir.definitions.length; i++) {
    s.atDefinition(i, ir.offsets[i]);
    definition(s, ir.definitions[i]!, i, ctx);
  }
  s.where = 'end of component';
  for (let i = 0; i < s.valueConsumed.length; i++) {
    if (!s.valueConsumed[i]) s.fail(`value ${i} is not consumed exactly once`);
  }
  const type: ComponentType = {
    kind: 'component',
    imports: s.imports,
    exports: s.exports,
    importedResources: s.importedResources,
    exportedResources: concreteExportedResources(s),
  };
  return {
    ir,
    type,
    types: s.types,
    funcs: s.funcs,
    values: s.values,
    instances: s.instances,
    components: s.components,
    coreFuncs: s.coreFuncs,
    coreModules: s.coreModules,
    coreInstances: s.coreInstances,
    coreTypes: s.coreTypes,
    coreTables: s.coreTables,
    coreMemories: s.coreMemories,
    coreGlobals: s.coreGlobals,
    coreTags: s.coreTags,
    nested,
    definedResources,
    importedResources,
  };
}

interface DefCtx {
  nested: Map<number, ElaboratedComponent>;
  definedResources: Map<number, ResourceType>;
  importedResources: Map<number, ResourceType>;
  options: ElaborateOptions;
}

function definition(s: Scope, d: Definition, i: number, ctx: DefCtx): void {
  switch (d.kind) {
    case 'core-module': {
      if (!ctx.options.coreModulesValidatedByCaller && !WebAssembly.validate(d.module as Uint8Array<ArrayBuffer>))
        s.fail('invalid core module: WebAssembly.validate rejected it');
      try {
        s.coreModules.push(coreModuleType(d.module));
      } catch (e) {
        s.fail(`cannot read core module types: ${(e as Error).message}`);
      }
      return;
    }
    case 'core-instance':
      s.coreInstances.push(coreInstance(s, d.instance));
      return;
    case 'core-type':
      s.coreTypes.push(coreDefType(s, d.type));
      return;
    case 'component': {
      const saved = s.where;
      const el = elaborate(d.component, s, ctx.options);
      s.where = saved;
      ctx.nested.set(i, el);
      s.components.push(el.type);
      return;
    }
    case 'instance': {
      s.instances.push(instanceExpr(s, d.instance));
      s.instanceNaming.push(undefined);
      return;
    }
    case 'alias':
      alias(s, d.alias);
      return;
    case 'type': {
      if (d.type.kind === 'resource') {
        if (s.kind !== 'component') s.fail('resources can only be defined within a concrete component');
        if (d.type.rep !== 'i32') s.fail('resources can only be represented by `i32`');
        const r: ResourceType = { kind: 'resource', name: '', rep: 'i32', hasDtor: d.type.dtor !== undefined };
        if (d.type.dtor !== undefined) {
          const f = s.at(s.coreFuncs, d.type.dtor, 'function');
          if (f.params.length !== 1 || f.params[0] !== 'i32' || f.results.length !== 0) {
            s.fail('wrong signature for a destructor: expected [i32] -> []');
          }
        }
        s.localResources.add(r);
        ctx.definedResources.set(i, r);
        s.types.push(r);
        s.typeTokens.push(undefined);
        return;
      }
      pushType(s, defType(s, d.type), undefined);
      return;
    }
    case 'canon':
      canonDefinition(s, d.canon);
      return;
    case 'start': {
      const f = s.at(s.funcs, d.func, 'function');
      if (f.params.length !== d.args.length)
        s.fail(`start function expects ${f.params.length} arguments, found ${d.args.length}`);
      d.args.forEach((a, k) => {
        const v = consumeValue(s, a);
        const e = checkExtern({ kind: 'value', type: v }, { kind: 'value', type: f.params[k]!.type });
        if (e) s.fail(`type mismatch in start function argument ${k}: ${e}`);
      });
      const n = f.result ? 1 : 0;
      if (d.results !== n) s.fail(`start function returns ${n} results, but ${d.results} were declared`);
      if (f.result) {
        s.values.push(f.result);
        s.valueConsumed.push(false);
      }
      return;
    }
    case 'import': {
      const { ext, resource } = importOrExportDecl(s, d.name, d.type, 'import');
      if (resource) ctx.importedResources.set(i, resource);
      void ext;
      return;
    }
    case 'export':
      exportDefinition(s, d.name, d.sortIdx, d.type);
      return;
    case 'value': {
      const t = valType(s, d.type);
      s.values.push(t);
      s.valueConsumed.push(false);
      return;
    }
  }
}

// ---------------------------------------------------------------- types

export function defType(s: Scope, d: Exclude<import('../binary/ir.ts').DefType, { kind: 'resource' }>): Type {
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

function pushType(s: Scope, t: Type, token: NameToken | undefined): void {
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

function componentType(parent: Scope, decls: ComponentDecl[]): ComponentType {
  const s = typeScopeDecls(parent, decls, true);
  return {
    kind: 'component',
    imports: s.imports,
    exports: s.exports,
    importedResources: s.importedResources,
    exportedResources: s.exportedResources,
  };
}

function instanceType(parent: Scope, decls: ComponentDecl[]): InstanceType {
  const s = typeScopeDecls(parent, decls, false);
  return { kind: 'instance', exports: s.exports, exportedResources: s.exportedResources };
}

/** Fresh identities for an instance type's abstract resources (each import/export of the type is distinct). */
function freshen(it: InstanceType): InstanceType {
  if (!it.exportedResources?.length) return it;
  const map: ResourceMap = new Map();
  for (const r of it.exportedResources) map.set(r, { kind: 'resource', name: r.name });
  const out = substitute(it, map);
  if (out === it) return { ...it, exportedResources: it.exportedResources.map((r) => map.get(r)!) };
  return out;
}

// ---------------------------------------------------------------- imports / exports

function externTypeOf(
  s: Scope,
  et: ExternTypeIR,
  name: string,
  mode: 'import' | 'export',
): { ext: ExternType; fresh?: ResourceType; eqIdx?: number } {
  switch (et.kind) {
    case 'module': {
      const t = s.at(s.coreTypes, et.typeIdx, 'core type');
      if (t.kind !== 'module') s.fail(`core type index ${et.typeIdx} is not a module type`);
      return { ext: { kind: 'module', type: t } };
    }
    case 'func': {
      const t = s.at(s.types, et.typeIdx, 'type');
      if (t.kind !== 'func') s.fail(`type index ${et.typeIdx} is not a function type`);
      return { ext: { kind: 'func', type: t } };
    }
    case 'component': {
      const t = s.at(s.types, et.typeIdx, 'type');
      if (t.kind !== 'component') s.fail(`type index ${et.typeIdx} is not a component type`);
      return { ext: { kind: 'component', type: t } };
    }
    case 'instance': {
      const t = s.at(s.types, et.typeIdx, 'type');
      if (t.kind !== 'instance') s.fail(`type index ${et.typeIdx} is not an instance type`);
      return { ext: { kind: 'instance', type: t } };
    }
    case 'value': {
      if (et.bound.kind === 'eq') return { ext: { kind: 'value', type: s.at(s.values, et.bound.idx, 'value') } };
      return { ext: { kind: 'value', type: valType(s, et.bound.type) } };
    }
    case 'type': {
      if (et.bound.kind === 'sub-resource') {
        const r: ResourceType = { kind: 'resource', name: labelOf(name) };
        return { ext: { kind: 'type', type: r }, fresh: r };
      }
      const t = s.at(s.types, et.bound.idx, 'type');
      void mode;
      return { ext: { kind: 'type', type: t }, eqIdx: et.bound.idx };
    }
  }
}

function labelOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const at = name.indexOf('@', slash);
  return slash >= 0 ? name.slice(slash + 1, at >= 0 ? at : undefined) : name;
}

function checkName(s: Scope, en: ExternName, ext: ExternType, mode: 'import' | 'export', names: NameSet): ParsedName {
  let parsed: ParsedName;
  try {
    parsed = parseExternName(en.name);
  } catch (msg) {
    s.fail(`${mode} name \`${en.name}\` is not a valid extern name: ${msg as string}`);
  }
  if (en.duplicateAttribute) s.fail(`attribute \`${en.duplicateAttribute}\` is specified more than once`);
  if (en.implements !== undefined) {
    if (ext.kind !== 'instance') s.fail(`name \`${en.name}\` is not valid: only instances can have an \`implements\``);
    if (parsed.kind !== 'plain') s.fail(`name \`${en.name}\` is not valid with \`implements\``);
    try {
      parseInterfaceName(en.implements);
    } catch (msg) {
      s.fail(`\`implements\` value \`${en.implements}\` must be an interface name: ${msg as string}`);
    }
  }
  if (en.versionSuffix !== undefined) {
    const v = parsed.kind === 'interface' ? parsed.version : undefined;
    if (v === undefined || !CANON_VERSION.test(v)) {
      s.fail(`\`versionsuffix\` on \`${en.name}\` requires an interface version matching \`canonversion\``);
    }
    const e = checkSemver(v + en.versionSuffix);
    if (e) s.fail(`\`versionsuffix\` \`${en.versionSuffix}\` does not form a valid semver: ${e}`);
  }
  const prev = names.add(en.name);
  if (prev !== undefined) {
    const dup = prev === en.name ? `; ${mode} name \`${en.name}\` already defined` : '';
    s.fail(
      `${mode} name \`${en.name}\` conflicts with previous name \`${prev}\`${dup}${mode === 'import' ? ` (duplicate import name \`${en.name}\`)` : ''}`,
    );
  }
  return parsed;
}

export const CANON_VERSION = /^(?:[1-9][0-9]*|0\.[1-9][0-9]*|0\.0\.[1-9][0-9]*|0\.0\.0)$/;

/** `[constructor]`/`[method]`/`[static]` rules (Binary.md import/export notes). */
function checkAnnotated(
  s: Scope,
  p: ParsedName,
  name: string,
  ext: ExternType,
  mode: 'import' | 'export',
  scopeKey: object,
  resourceNames: Set<string>,
): void {
  if (p.kind === 'plain' || p.kind === 'interface') return;
  if (ext.kind !== 'func') s.fail(`item \`${name}\` is not a func: \`[${p.kind}]\` names must be functions`);
  const ft = ext.type;
  const checkRes = (node: ValType) => {
    const tok = tokenOf(node);
    if (!tok || tok.scope !== scopeKey || !tok.root || tok.mode !== mode) {
      s.fail(`resource used in function does not have a name in this context (\`${name}\`)`);
    }
    if (tok.name !== p.resource)
      s.fail(`function does not match expected resource name \`${tok.name}\` (\`${name}\` names \`${p.resource}\`)`);
  };
  if (p.kind === 'constructor') {
    const r = ft.result;
    const own = r?.kind === 'own' ? r : r?.kind === 'result' && r.ok?.kind === 'own' ? r.ok : undefined;
    if (!own) s.fail(`function should return \`(own $T)\` or \`(result (own $T))\` (\`${name}\`)`);
    checkRes(own);
  } else if (p.kind === 'method') {
    const first = ft.params[0];
    if (!first) s.fail(`function should have at least one argument (\`${name}\`)`);
    if (first.label !== 'self') s.fail(`function should have a first argument called \`self\` (\`${name}\`)`);
    if (first.type.kind !== 'borrow') s.fail(`function should take a first argument of \`(borrow $T)\` (\`${name}\`)`);
    checkRes(first.type);
  } else {
    if (!resourceNames.has(p.resource)) s.fail(`static resource name is not known in this context (\`${name}\`)`);
  }
}

function resourceNamesOf(s: Scope): { import: Set<string>; export: Set<string> } {
  return (s.resourceNames ??= { import: new Set(), export: new Set() });
}

/**
 * External visibility (Explainer "External Visibility of Types"): every
 * resource handle and record/variant/enum/flags type reachable from an import
 * or export must have been referenced through an imported/exported name, and
 * imports may not depend on exports of the same scope.
 */
function checkVisible(s: Scope, ext: ExternType, mode: 'import' | 'export'): boolean {
  if (ext.kind === 'instance') nameInstanceTypes(s, ext.type);
  const seen = new Set<object>();
  const ok = (node: object): boolean => {
    if (s.namedObjects.has(node)) return true;
    if ((node as ValType).kind === 'own' || (node as ValType).kind === 'borrow') {
      if (s.namedObjects.has((node as ValType & { resource: object }).resource)) return true;
    }
    const tok = tokenOf(node);
    if (!tok) return false;
    // Names given in an enclosing (or sibling) component don't count here; names
    // inside type definitions travel with the type.
    if (tok.scope !== s && !(tok.scope instanceof Scope && tok.scope.kind === 'type')) return false;
    return !(mode === 'import' && tok.scope === s && tok.mode === 'export');
  };
  const notVal = (c: ValType): boolean => !val(c, false);
  const val = (t: ValType, top: boolean): boolean => {
    if (seen.has(t)) return true;
    seen.add(t);
    if (t.kind === 'own' || t.kind === 'borrow') return ok(t);
    if (!top && isNominal(t)) return ok(t);
    return !someChild(t, notVal);
  };
  const func = (f: FuncType): boolean =>
    f.params.every((p) => val(p.type, false)) && (!f.result || val(f.result, false));
  const ext1 = (e: ExternType): boolean => {
    switch (e.kind) {
      case 'func':
        return func(e.type);
      case 'value':
        return val(e.type, false);
      case 'type':
        return typ(e.type);
      case 'instance':
        return allExterns(e.type.exports, ext1);
      case 'component':
        return allExterns(e.type.imports, ext1) && allExterns(e.type.exports, ext1);
      case 'module':
        return true;
    }
  };
  const typ = (t: Type): boolean => {
    if (t.kind === 'resource') return true;
    if (t.kind === 'func') return func(t);
    if (t.kind === 'instance') return ext1({ kind: 'instance', type: t });
    if (t.kind === 'component') return ext1({ kind: 'component', type: t });
    return val(t, true);
  };
  return ext1(ext);
}

function allExterns(m: Map<string, ExternType>, f: (e: ExternType) => boolean): boolean {
  for (const e of m.values()) if (!f(e)) return false;
  return true;
}

function nameInstanceTypes(s: Scope, it: InstanceType): void {
  for (const e of it.exports.values()) {
    if (e.kind === 'type') s.namedObjects.add(e.type);
    else if (e.kind === 'instance') nameInstanceTypes(s, e.type);
  }
}

/** An import definition, or an import/export declaration inside a component/instance type. */
function importOrExportDecl(
  s: Scope,
  en: ExternName,
  et: ExternTypeIR,
  mode: 'import' | 'export',
): { ext: ExternType; resource?: ResourceType } {
  let { ext, fresh, eqIdx } = externTypeOf(s, et, en.name, mode);
  const parsed = checkName(s, en, ext, mode, mode === 'import' ? s.importNames : s.exportNames);
  if (ext.kind === 'instance') {
    ext = { kind: 'instance', type: freshen(ext.type) };
    for (const r of ext.type.exportedResources ?? [])
      (mode === 'import' ? s.importedResources : s.exportedResources).push(r);
  }
  if (!s.deferVisibility && !checkVisible(s, ext, mode)) {
    s.fail(
      `${sortName(ext)} not valid to be used as ${mode}: its type transitively refers to resources or named types without an externally visible name in this context`,
    );
  }
  checkAnnotated(s, parsed, en.name, ext, mode, s, resourceNamesOf(s)[mode]);
  const token: NameToken = { name: en.name, mode, scope: s, root: true };
  if (fresh) {
    (mode === 'import' ? s.importedResources : s.exportedResources).push(fresh);
  }
  addToSpace(s, ext, token, eqIdx !== undefined || fresh !== undefined, mode);
  (mode === 'import' ? s.imports : s.exports).set(
    en.name,
    ext.kind === 'type' ? { kind: 'type', type: s.types[s.types.length - 1]! } : ext,
  );
  if (ext.kind === 'type' && ext.type.kind === 'resource') resourceNamesOf(s)[mode].add(en.name);
  return fresh ? { ext, resource: fresh } : { ext };
}

function sortName(e: ExternType): string {
  return e.kind === 'module' ? 'module' : e.kind;
}

/** Appends the item an import/export introduces; named type indices get a token (and a renamed copy of nominal types). */
function addToSpace(
  s: Scope,
  ext: ExternType,
  token: NameToken | undefined,
  named: boolean,
  naming: 'import' | 'export' | undefined,
): void {
  switch (ext.kind) {
    case 'module':
      s.coreModules.push(ext.type);
      break;
    case 'func':
      s.funcs.push(ext.type);
      break;
    case 'value':
      s.values.push(ext.type);
      s.valueConsumed.push(s.kind === 'type');
      break;
    case 'instance':
      s.instances.push(ext.type);
      s.instanceNaming.push(naming);
      break;
    case 'component':
      s.components.push(ext.type);
      break;
    case 'type': {
      const t = named ? renamed(ext.type) : ext.type;
      if (t !== ext.type && token) setToken(t, token);
      s.types.push(t);
      s.typeTokens.push(token);
      break;
    }
  }
}

function exportDefinition(s: Scope, en: ExternName, si: SortIdx, ascribed: ExternTypeIR | undefined): void {
  let ext = externOfSortIdx(s, si);
  if (ascribed) {
    const asc = externTypeOf(s, ascribed, en.name, 'export');
    const want = asc.ext;
    if (asc.fresh) {
      // `(sub resource)` ascription: any resource will do; outside it becomes a new abstract type.
      if (ext.kind !== 'type' || ext.type.kind !== 'resource')
        s.fail("ascribed type of export is not compatible with item's type: expected resource");
      asc.fresh.aliasOf = ext.type.aliasOf ?? ext.type;
      if (!asc.fresh.name) asc.fresh.name = ext.type.name || labelOf(en.name);
      ext = want;
    }
    const e = checkExtern(ext, want);
    if (e) s.fail(`ascribed type of export is not compatible with item's type: ${e}`);
    ext = want;
  }
  const parsed = checkName(s, en, ext, 'export', s.exportNames);
  if (!checkVisible(s, ext, 'export')) {
    s.fail(
      `${sortName(ext)} not valid to be used as export: its type transitively refers to resources or named types without an externally visible name`,
    );
  }
  checkAnnotated(s, parsed, en.name, ext, 'export', s, resourceNamesOf(s).export);
  const token: NameToken = { name: en.name, mode: 'export', scope: s, root: true };
  if (ext.kind === 'type' && ext.type.kind === 'resource') {
    if (!ext.type.name) ext.type.name = labelOf(en.name);
    resourceNamesOf(s).export.add(en.name);
  }
  addToSpace(s, ext, token, true, 'export');
  s.exports.set(en.name, ext.kind === 'type' ? { kind: 'type', type: s.types[s.types.length - 1]! } : ext);
}

function consumeValue(s: Scope, idx: number): ValType {
  const v = s.at(s.values, idx, 'value');
  if (s.valueConsumed[idx]) s.fail(`value ${idx} cannot be used more than once`);
  s.valueConsumed[idx] = true;
  return v;
}

function externOfSortIdx(s: Scope, si: SortIdx): ExternType {
  const { sort, idx } = si;
  if (typeof sort === 'object') {
    if (sort.core !== 'module') s.fail(`core ${sort.core} not valid to be used as export or instantiation argument`);
    return { kind: 'module', type: s.at(s.coreModules, idx, 'module') };
  }
  switch (sort) {
    case 'func':
      return { kind: 'func', type: s.at(s.funcs, idx, 'function') };
    case 'value':
      return { kind: 'value', type: consumeValue(s, idx) };
    case 'type':
      return { kind: 'type', type: s.at(s.types, idx, 'type') };
    case 'instance':
      return { kind: 'instance', type: s.at(s.instances, idx, 'instance') };
    case 'component':
      return { kind: 'component', type: s.at(s.components, idx, 'component') };
  }
}

function sortString(sort: Sort): string {
  return typeof sort === 'object' ? `core ${sort.core}` : sort;
}

// ---------------------------------------------------------------- instances

function instanceExpr(s: Scope, e: InstanceExpr): InstanceType {
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
    // Type imports are replaced by the supplied types in everything after them.
    if (imp.kind === 'type' && arg.kind === 'type' && imp.type !== arg.type && !map.has(imp.type))
      map.set(imp.type, arg.type);
  }
  const fresh: ResourceType[] = [];
  for (const r of c.exportedResources ?? []) {
    const n: ResourceType = { kind: 'resource', name: r.name };
    map.set(r, n);
    fresh.push(n);
  }
  const exports = new Map<string, ExternType>();
  const memo = new Map<object, object>(); // one memo, so a type shared by several exports stays one object
  for (const [name, ext] of c.exports) exports.set(name, substitute(ext, map, memo));
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

function coreInstance(s: Scope, e: CoreInstanceExpr): CoreInstanceType {
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

// ---------------------------------------------------------------- aliases

function alias(s: Scope, a: Alias): void {
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

/** A concrete component's exported abstract resources: every non-imported resource its exports mention. */
function concreteExportedResources(s: Scope): ResourceType[] {
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
