// Imports and exports: extern types of import/export declarations, name
// rules (grammar, strong uniqueness, `[constructor]`/`[method]`/`[static]`),
// and appending the item each one introduces to its index space.

import type { ExternName, ExternTypeIR, SortIdx } from '../binary/ir.ts';
import type { ExternType, InstanceType, ResourceType, ValType } from './model.ts';
import type { Scope } from './scope.ts';
import { renamed, valType } from './deftypes.ts';
import { type ResourceMap, substitute } from './substitute.ts';
import { checkExtern } from './subtype.ts';
import { checkSemver, type NameSet, parseExternName, parseInterfaceName, type ParsedName } from './names.ts';
import { setToken, tokenOf, type NameToken } from './tokens.ts';
import { checkVisible } from './visibility.ts';

/** Fresh identities for an instance type's abstract resources (each import/export of the type is distinct). */
export function freshen(it: InstanceType): InstanceType {
  if (!it.exportedResources?.length) return it;
  const map: ResourceMap = new Map();
  for (const r of it.exportedResources) map.set(r, { kind: 'resource', name: r.name });
  const out = substitute(it, map);
  if (out === it) return { ...it, exportedResources: it.exportedResources.map((r) => map.get(r)!) };
  return out;
}

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

export function labelOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const at = name.indexOf('@', slash);
  return slash >= 0 ? name.slice(slash + 1, at >= 0 ? at : undefined) : name;
}

export function checkName(
  s: Scope,
  en: ExternName,
  ext: ExternType,
  mode: 'import' | 'export',
  names: NameSet,
): ParsedName {
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
export function checkAnnotated(
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

/** An import definition, or an import/export declaration inside a component/instance type. */
export function importOrExportDecl(
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
export function addToSpace(
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

export function exportDefinition(s: Scope, en: ExternName, si: SortIdx, ascribed: ExternTypeIR | undefined): void {
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

export function consumeValue(s: Scope, idx: number): ValType {
  const v = s.at(s.values, idx, 'value');
  if (s.valueConsumed[idx]) s.fail(`value ${idx} cannot be used more than once`);
  s.valueConsumed[idx] = true;
  return v;
}

export function externOfSortIdx(s: Scope, si: SortIdx): ExternType {
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
