// Turns what the host put in the import object into runtime externs,
// following the jco binding conventions (camelCase funcs, PascalCase classes,
// `[method]r.m` as a prototype method, `[static]r.s` as a static, `[constructor]r` as `new`).

import { LinkError } from '../host/errors.ts';
import { shortName } from '../host/short-name.ts';
import type { ExternType, FuncType, InstanceType, ResourceType } from '../types/model.ts';
import { fromHostImport } from './host-convention.ts';
import { camelCase, parseFuncName, pascalCase } from './names.ts';
import { hostResource } from './resources.ts';
import {
  COMPONENT_DEF,
  FUNC,
  INSTANCE,
  RESOURCE,
  type LinkScope,
  type RuntimeExtern,
  type RuntimeInstance,
} from './runtime.ts';
import { lookupResource, substitute } from './substitute.ts';

type Obj = Record<string | symbol, unknown>;

export function hostExtern(scope: LinkScope, name: string, expected: ExternType, value: unknown): RuntimeExtern {
  switch (expected.kind) {
    case 'func': {
      if (typeof value !== 'function')
        throw new LinkError(`import \`${shortName(name)}\`: expected a function, got ${kindOf(value)}`);
      return { kind: 'func', func: hostFunc(scope, expected.type, value as Function) };
    }
    case 'instance': {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
        throw new LinkError(`import \`${shortName(name)}\`: expected an object (an instance), got ${kindOf(value)}`);
      }
      return { kind: 'instance', instance: hostInstance(scope, name, expected.type, value as Obj) };
    }
    case 'type': {
      if (expected.type.kind !== 'resource') return { kind: 'type', type: expected.type };
      return { kind: 'type', type: resourceFrom(name, value) };
    }
    case 'component': {
      const def = (value as Obj | null)?.[COMPONENT_DEF];
      if (!def) throw new LinkError(`import \`${shortName(name)}\`: expected a Component, got ${kindOf(value)}`);
      return { kind: 'component', component: def as never };
    }
    case 'module':
      if (!(value instanceof WebAssembly.Module))
        throw new LinkError(`import \`${shortName(name)}\`: expected a WebAssembly.Module, got ${kindOf(value)}`);
      return { kind: 'module', module: value };
    case 'value':
      return { kind: 'value', value };
  }
}

function hostFunc(scope: LinkScope, staticType: FuncType, fn: Function) {
  const inner = (fn as unknown as Obj)[FUNC];
  if (inner) return inner as never;
  const type = substitute(scope, staticType);
  return { type, call: fromHostImport(type, fn as (...a: unknown[]) => unknown) };
}

function hostInstance(scope: LinkScope, name: string, t: InstanceType, obj: Obj): RuntimeInstance {
  const existing = obj[INSTANCE];
  if (existing) return existing as RuntimeInstance;
  const exports = new Map<string, RuntimeExtern>();
  // Resources first: the functions' types refer to them.
  for (const [n, e] of t.exports) {
    if (e.kind === 'type' && e.type.kind === 'resource') {
      // An `(eq ...)` export re-exports a resource bound earlier (WIT `use`):
      // it keeps that binding whatever class this object offers.
      const bound = lookupResource(scope, e.type);
      const rt = bound !== e.type ? bound : resourceFrom(`${name}#${n}`, obj[pascalCase(n)] ?? obj[n]);
      scope.resources.set(e.type, rt);
      exports.set(n, { kind: 'type', type: rt });
    }
  }
  for (const [n, e] of t.exports) {
    if (exports.has(n)) continue;
    if (e.kind === 'func') {
      const fn = findFunc(name, n, obj);
      exports.set(n, { kind: 'func', func: hostFunc(scope, e.type, fn) });
    } else {
      const v = e.kind === 'instance' ? (obj[camelCase(n)] ?? obj[n]) : obj[n];
      if (v === undefined && e.kind !== 'type')
        throw new LinkError(`import \`${shortName(name)}\` is missing \`${shortName(n)}\``);
      exports.set(n, hostExtern(scope, `${name}#${n}`, e, v));
    }
  }
  return { exports };
}

function findFunc(iface: string, n: string, obj: Obj): Function {
  const p = parseFuncName(n);
  const missing = (js: string) =>
    new LinkError(
      `import \`${shortName(iface)}\` is missing function \`${shortName(n)}\` (looked for \`${shortName(js)}\`)`,
    );
  if (p.kind === 'plain') {
    const f = obj[camelCase(n)] ?? obj[n];
    if (typeof f !== 'function') throw missing(camelCase(n));
    return f;
  }
  const cls = obj[pascalCase(p.resource!)] as (Obj & (new (...a: unknown[]) => unknown)) | undefined;
  if (typeof cls !== 'function') throw missing(pascalCase(p.resource!));
  if (p.kind === 'constructor') return (...a: unknown[]) => new cls(...a);
  const m = camelCase(p.name);
  if (p.kind === 'static') {
    if (typeof cls[m] !== 'function') throw missing(`${pascalCase(p.resource!)}.${m}`);
    return (cls[m] as Function).bind(cls);
  }
  const proto = (cls as unknown as { prototype: Obj }).prototype;
  if (typeof proto[m] !== 'function') throw missing(`${pascalCase(p.resource!)}.prototype.${m}`);
  return (self: Obj, ...a: unknown[]) => (self[m] as Function).apply(self, a);
}

function resourceFrom(name: string, value: unknown): ResourceType {
  if (typeof value === 'function') {
    const rt = (value as unknown as Obj)[RESOURCE];
    if (rt) return rt as ResourceType;
    return hostResource(value, name);
  }
  if (value === undefined) return hostResource(undefined, name);
  throw new LinkError(`import \`${shortName(name)}\`: expected a resource class, got ${kindOf(value)}`);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
