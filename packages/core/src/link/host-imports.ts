// Turns what the host put in the import object into runtime externs,
// following the jco binding conventions (camelCase funcs, PascalCase classes,
// `[method]r.m` as a prototype method, `[static]r.s` as a static, `[constructor]r` as `new`).

import { LinkError } from '../host/errors.ts';
import { shortName } from '../host/short-name.ts';
import type { ExternType, FuncType, InstanceType, ResourceType } from '../types/model.ts';
import type { ComponentFunc } from './runtime.ts';
import type { LinkPlan } from './plan.ts';
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
      return { kind: 'type', type: resourceFrom(name, undefined, value) };
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

function hostFunc(scope: LinkScope, staticType: FuncType, fn: Function): ComponentFunc {
  const inner = (fn as unknown as Obj)[FUNC];
  if (inner) return inner as ComponentFunc;
  const type = substitute(scope, staticType);
  // The wrapper holds no instance state: instances given the same function share it.
  let byType = scope.plan.hostFuncs.get(fn);
  if (byType === undefined) scope.plan.hostFuncs.set(fn, (byType = new WeakMap()));
  let f = byType.get(type);
  if (f === undefined) {
    f = { type, call: fromHostImport(type, fn as (...a: unknown[]) => unknown) };
    byType.set(type, f);
  }
  return f;
}

function hostInstance(scope: LinkScope, name: string, t: InstanceType, obj: Obj): RuntimeInstance {
  const existing = obj[INSTANCE];
  if (existing) return existing as RuntimeInstance;
  const plan = hostInstancePlan(scope.plan, t);
  const exports = new Map<string, RuntimeExtern>();
  // Resources first: the functions' types refer to them.
  for (let i = 0; i < plan.resources.length; i++) {
    const r = plan.resources[i]!;
    // An `(eq ...)` export re-exports a resource bound earlier (WIT `use`):
    // it keeps that binding whatever class this object offers.
    const bound = lookupResource(scope, r.type);
    const rt = bound !== r.type ? bound : resourceFrom(name, r.n, obj[r.key] ?? obj[r.n]);
    scope.resources.set(r.type, rt);
    exports.set(r.n, { kind: 'type', type: rt });
  }
  for (let i = 0; i < plan.rest.length; i++) {
    const x = plan.rest[i]!;
    if (x.func !== undefined) {
      exports.set(x.n, { kind: 'func', func: hostFunc(scope, x.func.type, findFunc(scope.plan, name, x.func, obj)) });
    } else {
      const v = obj[x.key] ?? obj[x.n];
      if (v === undefined && x.e.kind !== 'type')
        throw new LinkError(`import \`${shortName(name)}\` is missing \`${shortName(x.n)}\``);
      exports.set(x.n, hostExtern(scope, `${name}#${x.n}`, x.e, v));
    }
  }
  return { exports };
}

/** An interface type's exports sorted out for `hostInstance`, once per Component. */
export interface HostInstancePlan {
  resources: { n: string; type: ResourceType; key: string }[];
  /** The other exports in order: functions with their JS names, the rest with the key to look up. */
  rest: { n: string; key: string; e: ExternType; func: HostFuncPlan | undefined }[];
}

export interface HostFuncPlan {
  n: string;
  type: FuncType;
  kind: 'plain' | 'method' | 'static' | 'constructor';
  /** plain: camelCase(n); otherwise the method or static name, camelCase. */
  member: string;
  /** PascalCase of the resource, for the others. */
  cls: string;
}

function hostInstancePlan(plan: LinkPlan, t: InstanceType): HostInstancePlan {
  let p = plan.hostInstances.get(t);
  if (p !== undefined) return p;
  p = { resources: [], rest: [] };
  for (const [n, e] of t.exports) {
    if (e.kind === 'type' && e.type.kind === 'resource') p.resources.push({ n, type: e.type, key: pascalCase(n) });
  }
  for (const [n, e] of t.exports) {
    if (e.kind === 'type' && e.type.kind === 'resource') continue;
    if (e.kind === 'func') {
      const q = parseFuncName(n);
      const func: HostFuncPlan = {
        n,
        type: e.type,
        kind: q.kind,
        member: camelCase(q.kind === 'plain' ? n : q.name),
        cls: q.resource === undefined ? '' : pascalCase(q.resource),
      };
      p.rest.push({ n, key: n, e, func });
    } else {
      p.rest.push({ n, key: e.kind === 'instance' ? camelCase(n) : n, e, func: undefined });
    }
  }
  plan.hostInstances.set(t, p);
  return p;
}

function findFunc(plan: LinkPlan, iface: string, f: HostFuncPlan, obj: Obj): Function {
  if (f.kind === 'plain') {
    const fn = obj[f.member] ?? obj[f.n];
    if (typeof fn !== 'function') throw missingFunc(iface, f, f.member);
    return fn;
  }
  const cls = obj[f.cls] as (Obj & (new (...a: unknown[]) => unknown)) | undefined;
  if (typeof cls !== 'function') throw missingFunc(iface, f, f.cls);
  const m = f.member;
  if (f.kind === 'constructor') {
    // Adapters that hold nothing but the class (or the name): made once per Component.
    let ctor = plan.hostConstructors.get(cls);
    if (ctor === undefined) plan.hostConstructors.set(cls, (ctor = (...a: unknown[]) => new cls(...a)));
    return ctor;
  }
  if (f.kind === 'static') {
    const fn = cls[m];
    if (typeof fn !== 'function') throw missingFunc(iface, f, `${f.cls}.${m}`);
    let statics = plan.hostStatics.get(cls);
    if (statics === undefined) plan.hostStatics.set(cls, (statics = new Map()));
    let s = statics.get(m);
    // Bound to the function the class has now: a class that replaced it gets a new binding.
    if (s === undefined || s.fn !== fn) statics.set(m, (s = { fn, bound: fn.bind(cls) }));
    return s.bound;
  }
  const proto = (cls as unknown as { prototype: Obj }).prototype;
  if (typeof proto[m] !== 'function') throw missingFunc(iface, f, `${f.cls}.prototype.${m}`);
  let method = plan.hostMethods.get(m);
  if (method === undefined)
    plan.hostMethods.set(m, (method = (self: Obj, ...a: unknown[]) => (self[m] as Function).apply(self, a)));
  return method;
}

function missingFunc(iface: string, f: HostFuncPlan, js: string): LinkError {
  return new LinkError(
    `import \`${shortName(iface)}\` is missing function \`${shortName(f.n)}\` (looked for \`${shortName(js)}\`)`,
  );
}

function resourceFrom(iface: string, n: string | undefined, value: unknown): ResourceType {
  if (typeof value === 'function') {
    const rt = (value as unknown as Obj)[RESOURCE];
    if (rt) return rt as ResourceType;
    return hostResource(value, () => joinName(iface, n));
  }
  if (value === undefined) return hostResource(undefined, () => joinName(iface, n));
  throw new LinkError(`import \`${shortName(joinName(iface, n))}\`: expected a resource class, got ${kindOf(value)}`);
}

/** `iface#n`, made only when a message or a new resource type needs it. */
function joinName(iface: string, n: string | undefined): string {
  return n === undefined ? iface : `${iface}#${n}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
