// Type definitions: turns `DefType` IR into resolved model types within a
// scope, checking the defvaltype/functype rules of Binary.md.

import type {
  CoreDefType,
  CoreExternType as CoreExternTypeIR,
  CoreValType as CoreValTypeIR,
  DefType,
  DefValType,
  FuncTypeIR,
  ValTypeRef,
} from '../binary/ir.ts';
import type { CoreExternType, CoreModuleType, CoreValType, FuncType, ResourceType, Type, ValType } from './model.ts';
import { PRIMS } from './model.ts';
import { checkLabel, NameSet } from './names.ts';
import { elemSize } from './layout.ts';
import { containsBorrow, typeDepth } from './predicates.ts';
import type { CoreTypeEntry, Scope } from './scope.ts';
import { setToken, tokenOf } from './tokens.ts';

const VALTYPE_KINDS = new Set([
  'bool',
  's8',
  'u8',
  's16',
  'u16',
  's32',
  'u32',
  's64',
  'u64',
  'f32',
  'f64',
  'char',
  'string',
  'error-context',
  'list',
  'record',
  'tuple',
  'variant',
  'enum',
  'option',
  'result',
  'flags',
  'map',
  'own',
  'borrow',
  'stream',
  'future',
]);

export function isValType(t: Type): t is ValType {
  return VALTYPE_KINDS.has(t.kind);
}

/** Record, variant, enum and flags types need an external name when used in imports/exports. */
export function isNominal(t: Type): boolean {
  return t.kind === 'record' || t.kind === 'variant' || t.kind === 'enum' || t.kind === 'flags';
}

export function valType(s: Scope, ref: ValTypeRef): ValType {
  if (typeof ref === 'string') return PRIMS[ref];
  const t = s.at(s.types, ref, 'type');
  if (!isValType(t)) s.fail(`type index ${ref} is not a defined type`);
  return t;
}

function resourceAt(s: Scope, idx: number): ResourceType {
  const t = s.at(s.types, idx, 'type');
  if (t.kind !== 'resource') s.fail(`type index ${idx} is not a resource type`);
  return t;
}

/** Each label well-formed and strongly unique (one shared set, emptied per use: this never re-enters). */
function labels<T>(s: Scope, items: readonly T[], nameOf: (x: T) => string, what: string, prevWhat: string): void {
  if (items.length === 1) {
    const e = checkLabel(nameOf(items[0]!), what);
    if (e) s.fail(e);
    return;
  }
  const set = labelSet;
  set.clear();
  for (let i = 0; i < items.length; i++) {
    const n = nameOf(items[i]!);
    const e = checkLabel(n, what);
    if (e) s.fail(e);
    const prev = set.add(n);
    if (prev !== undefined) s.fail(`${what} name \`${n}\` conflicts with previous ${prevWhat} name \`${prev}\``);
  }
}

const labelSet = new NameSet();
const nameOf = (x: { name: string }): string => x.name;
const itself = (x: string): string => x;

const MAX_TYPE_SIZE = 2 ** 28;

export function defValType(s: Scope, d: DefValType): ValType {
  const t = defValTypeUnchecked(s, d);
  if (typeDepth(t) > s.maxTypeDepth)
    s.fail(`type nesting is too deep (more than ${s.maxTypeDepth} levels; compile option maxTypeDepth)`);
  if (elemSize(t, 'i64') >= MAX_TYPE_SIZE)
    s.fail(`value type exceeds maximum byte size (elem_size must be less than 2^28)`);
  return t;
}

function defValTypeUnchecked(s: Scope, d: DefValType): ValType {
  const v = (r: ValTypeRef) => valType(s, r);
  switch (d.kind) {
    case 'prim':
      return PRIMS[d.type];
    case 'record':
      if (d.fields.length === 0) s.fail('record type must have at least one field');
      labels(s, d.fields, nameOf, 'record field', 'field');
      return { kind: 'record', fields: d.fields.map((f) => ({ label: f.name, type: v(f.type) })) };
    case 'variant':
      if (d.cases.length === 0) s.fail('variant type must have at least one case');
      labels(s, d.cases, nameOf, 'variant case', 'case');
      if (d.cases.some((c) => c.refines !== undefined)) s.fail('variant case `refines` is not supported');
      return {
        kind: 'variant',
        cases: d.cases.map((c) => (c.type === undefined ? { label: c.name } : { label: c.name, type: v(c.type) })),
      };
    case 'list': {
      if (d.length !== undefined && d.length === 0) s.fail('fixed size list length must be greater than 0');
      const elem = v(d.elem);
      return d.length === undefined ? { kind: 'list', elem } : { kind: 'list', elem, length: d.length };
    }
    case 'tuple':
      if (d.types.length === 0) s.fail('tuple type must have at least one type');
      return { kind: 'tuple', types: d.types.map(v) };
    case 'flags':
      if (d.names.length === 0) s.fail('flags must have at least one entry');
      if (d.names.length > 32) s.fail('cannot have more than 32 flags');
      labels(s, d.names, itself, 'flag', 'flag');
      return { kind: 'flags', labels: d.names };
    case 'enum':
      if (d.names.length === 0) s.fail('enum type must have at least one variant');
      labels(s, d.names, itself, 'enum tag', 'tag');
      return { kind: 'enum', labels: d.names };
    case 'option':
      return { kind: 'option', type: v(d.type) };
    case 'result': {
      const r: ValType = { kind: 'result' };
      if (d.ok !== undefined) r.ok = v(d.ok);
      if (d.err !== undefined) r.err = v(d.err);
      return r;
    }
    case 'own':
    case 'borrow': {
      const node: ValType = { kind: d.kind, resource: resourceAt(s, d.type) };
      setToken(node, s.typeTokens[d.type]);
      return node;
    }
    case 'stream':
    case 'future': {
      if (d.elem === undefined) return { kind: d.kind };
      const elem = v(d.elem);
      if (containsBorrow(elem)) s.fail(`${d.kind} element type cannot contain a \`borrow\` type`);
      if (d.kind === 'stream' && elem.kind === 'char')
        s.fail('`stream<char>` is not supported (use `stream<u8>` or `string`)');
      return { kind: d.kind, elem };
    }
    case 'map':
      return { kind: 'map', key: v(d.key), value: v(d.value) };
  }
}

export function funcType(s: Scope, d: FuncTypeIR): FuncType {
  labels(s, d.params, nameOf, 'function parameter', 'parameter');
  const params = d.params.map((p) => ({ label: p.name, type: valType(s, p.type) }));
  const ft: FuncType = { kind: 'func', async: d.async, params };
  if (d.result !== undefined) {
    ft.result = valType(s, d.result);
    if (containsBorrow(ft.result)) s.fail('function result cannot contain a `borrow` type');
  }
  return ft;
}

/** Shallow copy of a nominal type for a newly named index, so the old index stays unnamed. */
export function renamed(t: Type): Type {
  if (!isNominal(t)) return t;
  const c = { ...t } as Type;
  origins.set(c, t);
  return c;
}

/** A renamed copy's original: the same type, reached through another name. */
const origins = new WeakMap<object, object>();

/** `t`, or the type it is a renamed copy of (transitively) for which `pick` gives something. */
export function viaOrigins<V>(t: object, pick: (o: object) => V | undefined): V | undefined {
  for (let o: object | undefined = t; o; o = origins.get(o)) {
    const v = pick(o);
    if (v !== undefined) return v;
  }
  return undefined;
}

export { tokenOf };

// ---- core types ----

export function coreValType(v: CoreValTypeIR): CoreValType {
  return typeof v === 'string' ? v : `(${v.ref})`;
}

export function coreExternType(s: Scope, local: CoreTypeEntry[], t: CoreExternTypeIR): CoreExternType {
  switch (t.kind) {
    case 'func':
    case 'tag': {
      const ft = s.at(local, t.typeIdx, 'core type');
      if (ft.kind !== 'func') s.fail(`core type index ${t.typeIdx} is not a function type`);
      return { kind: t.kind, type: ft };
    }
    case 'table': {
      const r: CoreExternType = { kind: 'table', elem: coreValType(t.elem), min: t.min };
      if (t.max !== undefined) r.max = t.max;
      return r;
    }
    case 'memory': {
      if (!t.memory64 && (t.min > 65536 || (t.max ?? 0) > 65536))
        s.fail('memory size must be at most 65536 pages (4GiB)');
      const r: CoreExternType = { kind: 'memory', min: t.min, shared: t.shared, memory64: t.memory64 };
      if (t.max !== undefined) r.max = t.max;
      return r;
    }
    case 'global':
      return { kind: 'global', type: coreValType(t.type), mutable: t.mutable };
  }
}

export function coreDefType(s: Scope, d: CoreDefType): CoreTypeEntry {
  if (d.kind === 'func')
    return { kind: 'func', params: d.params.map(coreValType), results: d.results.map(coreValType) };
  if (d.kind === 'other') return { kind: 'other' };
  const local: CoreTypeEntry[] = [];
  const mt: CoreModuleType = { kind: 'module', imports: [], exports: new Map() };
  for (const decl of d.decls) {
    switch (decl.kind) {
      case 'type':
        if (decl.type.kind === 'module') s.fail('module types cannot be nested inside module types');
        local.push(coreDefType(s, decl.type));
        break;
      case 'alias': {
        let target: Scope | undefined = s;
        if (decl.count === 0) s.fail('outer alias count 0 inside a module type refers to the module type itself');
        for (let k = 1; k < decl.count && target; k++) target = target.parent;
        if (!target) s.fail(`invalid outer alias count of ${decl.count}`);
        local.push(s.at(target.coreTypes, decl.idx, 'core type'));
        break;
      }
      case 'import':
        if (mt.imports.some((i) => i.module === decl.import.module && i.name === decl.import.name)) {
          s.fail(`duplicate import name \`${decl.import.module}:${decl.import.name}\``);
        }
        mt.imports.push({
          module: decl.import.module,
          name: decl.import.name,
          type: coreExternType(s, local, decl.import.type),
        });
        break;
      case 'export':
        if (mt.exports.has(decl.name)) s.fail(`export name \`${decl.name}\` already defined`);
        mt.exports.set(decl.name, coreExternType(s, local, decl.type));
        break;
    }
  }
  return mt;
}

export type { DefType };
