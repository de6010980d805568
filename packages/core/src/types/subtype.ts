// Subtyping between resolved types (Explainer "Type checking" / wasm-tools'
// rules): function types match exactly, instance types by width (the subtype
// may export more), component types contravariantly in imports, value types
// structurally, resource types by identity. Each check returns a message or
// undefined so callers can wrap it with context.

import type {
  ComponentType,
  CoreExternType,
  CoreModuleType,
  ExternType,
  FuncType,
  InstanceType,
  Type,
  ValType,
} from './model.ts';
import { coreFuncTypeEquals, showCoreFuncType } from './flatten.ts';
import { isPrim } from './model.ts';
import { type ResourceMap, substitute } from './substitute.ts';

function describe(t: Type | ExternType): string {
  switch (t.kind) {
    case 'resource':
      return 'resource';
    case 'func':
      return 'func';
    case 'instance':
      return 'instance';
    case 'component':
      return 'component';
    case 'module':
      return 'module';
    case 'value':
      return 'value';
    case 'type':
      return 'type';
    case 'record':
    case 'variant':
    case 'list':
    case 'tuple':
    case 'flags':
    case 'enum':
    case 'option':
    case 'result':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
    case 'map':
      return t.kind;
    default:
      return t.kind;
  }
}

/** Value types are equal structurally (no width subtyping for values yet). */
export function checkValType(a: ValType, b: ValType): string | undefined {
  if (a === b) return undefined;
  if (isPrim(a) || isPrim(b)) {
    if (a.kind === b.kind) return undefined;
    if (isPrim(a) && isPrim(b)) return `expected primitive \`${b.kind}\` found primitive \`${a.kind}\``;
    if (isPrim(b)) return `expected ${b.kind}, found ${describe(a)}`;
    return `expected ${describe(b)}, found ${a.kind}`;
  }
  if (a.kind !== b.kind) return `expected ${describe(b)}, found ${describe(a)}`;
  switch (b.kind) {
    case 'list': {
      const x = a as typeof b;
      if (x.length !== b.length) return 'mismatch in list length';
      return wrap(checkValType(x.elem, b.elem), 'type mismatch in list element');
    }
    case 'record': {
      const x = a as typeof b;
      if (x.fields.length !== b.fields.length) return `expected ${b.fields.length} fields, found ${x.fields.length}`;
      for (let i = 0; i < b.fields.length; i++) {
        const fa = x.fields[i]!,
          fb = b.fields[i]!;
        if (fa.label !== fb.label) return `expected field name \`${fb.label}\`, found \`${fa.label}\``;
        const e = checkValType(fa.type, fb.type);
        if (e) return `type mismatch in record field \`${fb.label}\`: ${e}`;
      }
      return undefined;
    }
    case 'tuple': {
      const x = a as typeof b;
      if (x.types.length !== b.types.length) return `expected ${b.types.length} types, found ${x.types.length}`;
      for (let i = 0; i < b.types.length; i++) {
        const e = checkValType(x.types[i]!, b.types[i]!);
        if (e) return `type mismatch in tuple field ${i}: ${e}`;
      }
      return undefined;
    }
    case 'variant': {
      const x = a as typeof b;
      if (x.cases.length !== b.cases.length) return `expected ${b.cases.length} cases, found ${x.cases.length}`;
      for (let i = 0; i < b.cases.length; i++) {
        const ca = x.cases[i]!,
          cb = b.cases[i]!;
        if (ca.label !== cb.label) return `expected case named \`${cb.label}\`, found \`${ca.label}\``;
        if (!ca.type && cb.type) return `expected case \`${cb.label}\` to have a type, found none`;
        if (ca.type && !cb.type) return `expected case \`${cb.label}\` to have no type`;
        if (ca.type && cb.type) {
          const e = checkValType(ca.type, cb.type);
          if (e) return `type mismatch in variant case \`${cb.label}\`: ${e}`;
        }
      }
      return undefined;
    }
    case 'enum':
    case 'flags': {
      const x = a as typeof b;
      if (x.labels.length !== b.labels.length || x.labels.some((l, i) => l !== b.labels[i])) {
        return `mismatch in ${b.kind} elements`;
      }
      return undefined;
    }
    case 'option':
      return wrap(checkValType((a as typeof b).type, b.type), 'type mismatch in option');
    case 'result': {
      const x = a as typeof b;
      if (b.ok && !x.ok) return 'expected ok type, but found none';
      if (!b.ok && x.ok) return 'expected ok type to not be present';
      if (b.ok && x.ok) {
        const e = checkValType(x.ok, b.ok);
        if (e) return `type mismatch in ok variant: ${e}`;
      }
      if (b.err && !x.err) return 'expected err type, but found none';
      if (!b.err && x.err) return 'expected err type to not be present';
      if (b.err && x.err) {
        const e = checkValType(x.err, b.err);
        if (e) return `type mismatch in err variant: ${e}`;
      }
      return undefined;
    }
    case 'own':
    case 'borrow':
      return (a as typeof b).resource === b.resource ? undefined : 'resource types are not the same';
    case 'stream':
    case 'future': {
      const x = a as typeof b;
      if (!!x.elem !== !!b.elem) return `mismatch in ${b.kind} element presence`;
      return x.elem && b.elem ? wrap(checkValType(x.elem, b.elem), `type mismatch in ${b.kind} element`) : undefined;
    }
    case 'map': {
      const x = a as typeof b;
      return (
        wrap(checkValType(x.key, b.key), 'type mismatch in map key') ??
        wrap(checkValType(x.value, b.value), 'type mismatch in map value')
      );
    }
  }
  return undefined;
}

function wrap(e: string | undefined, ctx: string): string | undefined {
  return e && `${ctx}: ${e}`;
}

export function checkFuncType(a: FuncType, b: FuncType): string | undefined {
  if (a.async !== b.async)
    return b.async ? 'expected async function, found sync function' : 'expected sync function, found async function';
  if (a.params.length !== b.params.length) return `expected ${b.params.length} parameters, found ${a.params.length}`;
  for (let i = 0; i < b.params.length; i++) {
    const pa = a.params[i]!,
      pb = b.params[i]!;
    if (pa.label !== pb.label) return `expected parameter named \`${pb.label}\`, found \`${pa.label}\``;
    const e = checkValType(pa.type, pb.type);
    if (e) return `type mismatch in function parameter \`${pb.label}\`: ${e}`;
  }
  if (b.result && !a.result) return 'expected a result, found none';
  if (!b.result && a.result) return 'expected no result, found one';
  if (a.result && b.result) {
    const e = checkValType(a.result, b.result);
    if (e) return `type mismatch with result type: ${e}`;
  }
  return undefined;
}

/** `a` (supplied) is a subtype of `b` (expected) when they are the same kind of type and match. */
export function checkType(a: Type, b: Type): string | undefined {
  if (a === b) return undefined;
  if (b.kind === 'resource' || a.kind === 'resource') {
    if (a.kind !== b.kind)
      return b.kind === 'resource' ? 'expected resource, found defined type' : 'expected defined type, found resource';
    return 'resource types are not the same';
  }
  if (b.kind === 'func') return a.kind === 'func' ? checkFuncType(a, b) : `expected func, found ${describe(a)}`;
  if (b.kind === 'instance')
    return a.kind === 'instance' ? checkInstanceType(a, b) : `expected instance, found ${describe(a)}`;
  if (b.kind === 'component')
    return a.kind === 'component' ? checkComponentType(a, b) : `expected component, found ${describe(a)}`;
  if (a.kind === 'func' || a.kind === 'instance' || a.kind === 'component')
    return `expected ${describe(b)}, found ${a.kind}`;
  return checkValType(a as ValType, b as ValType);
}

export function checkInstanceType(a: InstanceType, b: InstanceType): string | undefined {
  for (const [name, eb] of b.exports) {
    const ea = a.exports.get(name);
    if (!ea) return `missing expected export \`${name}\``;
    const e = checkExtern(ea, eb);
    if (e) return `type mismatch in instance export \`${name}\`: ${e}`;
  }
  return undefined;
}

/**
 * Component subtyping: `a` may import less and export more. The abstract
 * resources of `a` are first unified with `b`'s by import/export name.
 */
export function checkComponentType(a: ComponentType, b: ComponentType): string | undefined {
  const map: ResourceMap = new Map();
  unify(a.imports, b.imports, map);
  unify(a.exports, b.exports, map);
  const sa = substitute(a, map);
  for (const [name, ea] of sa.imports) {
    const eb = b.imports.get(name);
    if (!eb) return `missing expected import \`${name}\``;
    const e = checkExtern(eb, ea);
    if (e) return `type mismatch in import \`${name}\`: ${e}`;
  }
  for (const [name, eb] of b.exports) {
    const ea = sa.exports.get(name);
    if (!ea) return `missing expected export \`${name}\``;
    const e = checkExtern(ea, eb);
    if (e) return `type mismatch in export \`${name}\`: ${e}`;
  }
  return undefined;
}

/** Pairs up resources exported under the same name path (for unifying abstract resources). */
export function unify(a: Map<string, ExternType>, b: Map<string, ExternType>, map: ResourceMap): void {
  for (const [name, ea] of a) {
    const eb = b.get(name);
    if (!eb) continue;
    if (ea.kind === 'type' && eb.kind === 'type' && ea.type.kind === 'resource' && eb.type.kind === 'resource') {
      if (ea.type !== eb.type && !map.has(ea.type)) map.set(ea.type, eb.type);
    } else if (ea.kind === 'instance' && eb.kind === 'instance') {
      unify(ea.type.exports, eb.type.exports, map);
    }
  }
}

export function checkCoreExtern(a: CoreExternType, b: CoreExternType): string | undefined {
  if (a.kind !== b.kind) return `expected ${b.kind}, found ${a.kind}`;
  switch (b.kind) {
    case 'func':
    case 'tag': {
      const x = a as typeof b;
      return coreFuncTypeEquals(x.type, b.type)
        ? undefined
        : `type mismatch: expected ${showCoreFuncType(b.type)}, found ${showCoreFuncType(x.type)}`;
    }
    case 'table': {
      const x = a as typeof b;
      if (x.elem !== b.elem) return `expected table element type ${b.elem}, found ${x.elem}`;
      if (!limitsOk(x, b)) return 'mismatch in table limits';
      return undefined;
    }
    case 'memory': {
      const x = a as typeof b;
      if (x.shared !== b.shared) return 'mismatch in the shared flag for memories';
      if (x.memory64 !== b.memory64) return 'mismatch in index type used for memories';
      if (!limitsOk(x, b)) return 'mismatch in memory limits';
      return undefined;
    }
    case 'global': {
      const x = a as typeof b;
      if (x.mutable !== b.mutable) return 'mismatch in global mutability';
      if (x.type !== b.type) return `expected global type ${b.type}, found ${x.type}`;
      return undefined;
    }
  }
}

function limitsOk(a: { min: number; max?: number }, b: { min: number; max?: number }): boolean {
  if (a.min < b.min) return false;
  if (b.max === undefined) return true;
  return a.max !== undefined && a.max <= b.max;
}

export function checkModuleType(a: CoreModuleType, b: CoreModuleType): string | undefined {
  for (const ia of a.imports) {
    const ib = b.imports.find((i) => i.module === ia.module && i.name === ia.name);
    if (!ib) return `missing expected import \`${ia.module}::${ia.name}\``;
    const e = checkCoreExtern(ib.type, ia.type);
    if (e) return `type mismatch in import \`${ia.module}::${ia.name}\`: ${e}`;
  }
  for (const [name, eb] of b.exports) {
    const ea = a.exports.get(name);
    if (!ea) return `missing expected export \`${name}\``;
    const e = checkCoreExtern(ea, eb);
    if (e) return `type mismatch in export \`${name}\`: ${e}`;
  }
  return undefined;
}

export function checkExtern(a: ExternType, b: ExternType): string | undefined {
  if (a.kind !== b.kind) return `expected ${b.kind}, found ${a.kind}`;
  switch (b.kind) {
    case 'func':
      return checkFuncType((a as typeof b).type, b.type);
    case 'value':
      return checkValType((a as typeof b).type, b.type);
    case 'type':
      return checkType((a as typeof b).type, b.type);
    case 'instance':
      return checkInstanceType((a as typeof b).type, b.type);
    case 'component':
      return checkComponentType((a as typeof b).type, b.type);
    case 'module':
      return checkModuleType((a as typeof b).type, b.type);
  }
}

export function isSubtype(a: ExternType, b: ExternType): boolean {
  return checkExtern(a, b) === undefined;
}

export function isTypeSubtype(a: Type, b: Type): boolean {
  return checkType(a, b) === undefined;
}
