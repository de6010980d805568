// Instantiation: one in-order walk over a component's definitions that fills
// the runtime index spaces (the runtime twin of types/elaborate.ts).

import type { Alias, CoreSort, Definition, ExternName, Sort, SortIdx } from '../binary/ir.ts';
import { poisonWith } from '../runtime/errors.ts';
import { noteCoreInstance } from '../runtime/leaf.ts';
import type { Store } from '../runtime/store.ts';
import { LinkError, WeftError } from '../host/errors.ts';
import { shortName } from '../host/short-name.ts';
import { GUARD_MODULE } from '../instrument/index.ts';
import type { ExternType, InstanceType, Type } from '../types/model.ts';
import { buildCanon, type CoreSpaces } from './canon.ts';
import { ComponentInstance } from '../runtime/component-instance.ts';
import { hostExtern } from './host-imports.ts';
import { findImportKey } from './names.ts';
import type { InstanceBinding, LinkPlan } from './plan.ts';
import { newGuestResource } from './resources.ts';
import type { ComponentDef, ComponentFunc, LinkScope, RuntimeExtern, RuntimeInstance } from './runtime.ts';

/** Where a component's imports come from: the host's import object, or a parent's `with` arguments. */
export type ImportSource =
  | { kind: 'host'; imports: Record<string, unknown> }
  | { kind: 'args'; args: Map<string, RuntimeExtern> };

export class LinkState implements LinkScope, CoreSpaces {
  readonly outer: LinkScope | undefined;
  readonly def: ComponentDef;
  readonly plan: LinkPlan;
  readonly inst: ComponentInstance;
  readonly resources = new Map<object, Type>();
  // core spaces
  coreFuncs: Function[] = [];
  coreTables: unknown[] = [];
  coreMemories: WebAssembly.Memory[] = [];
  coreGlobals: unknown[] = [];
  coreTags: unknown[] = [];
  coreTypes: unknown[] = [];
  coreModules: WebAssembly.Module[] = [];
  coreInstances: Record<string, unknown>[] = [];
  // component spaces
  funcs: ComponentFunc[] = [];
  values: unknown[] = [];
  types: Type[] = [];
  components: ComponentDef[] = [];
  instances: RuntimeInstance[] = [];
  /** The `weft:guard` imports of instrumented core modules (fuel, interrupt flag), shared by the whole instantiation. */
  readonly guard: Record<string, unknown> | undefined;

  constructor(def: ComponentDef, inst: ComponentInstance, guard?: Record<string, unknown>) {
    this.def = def;
    this.plan = def.plan;
    this.outer = def.outer;
    this.inst = inst;
    this.guard = guard;
  }
}

export function instantiateComponent(
  def: ComponentDef,
  source: ImportSource,
  label: string,
  parent?: ComponentInstance,
  maxHandles?: number,
  store?: Store,
  guard?: Record<string, unknown>,
): RuntimeInstance {
  const state = new LinkState(def, new ComponentInstance(label, parent, maxHandles, store), guard);
  state.inst.store.countInstance();
  state.inst.store.parts?.instances.push(state.inst);
  const { ir } = def.elab;
  const exports = new Map<string, RuntimeExtern>();
  for (let i = 0; i < ir.definitions.length; i++) {
    const d = ir.definitions[i];
    try {
      define(state, d, i, source, exports);
    } catch (e) {
      if (e instanceof WeftError) throw e;
      if (e instanceof WebAssembly.LinkError) throw new LinkError(`${shortName(label)}: ${shortName(e.message, 2048)}`);
      if (e instanceof WebAssembly.RuntimeError) throw poisonWith(state.inst, e);
      throw e;
    }
  }
  return { exports };
}

function define(
  state: LinkState,
  d: Definition,
  index: number,
  source: ImportSource,
  exports: Map<string, RuntimeExtern>,
): void {
  switch (d.kind) {
    case 'core-module': {
      const m = state.def.modules.get(d);
      if (!m) throw new LinkError(`core module at offset ${d.offset} was not compiled`);
      state.coreModules.push(m);
      return;
    }
    case 'core-instance': {
      const e = d.instance;
      if (e.kind === 'instantiate') {
        const importObject: Record<string, Record<string, unknown>> = {};
        for (const a of e.args) importObject[a.name] = state.coreInstances[a.instance] as Record<string, unknown>;
        if (state.guard) importObject[GUARD_MODULE] = state.guard;
        let inst: WebAssembly.Instance;
        state.inst.store.countInstance();
        try {
          inst = new WebAssembly.Instance(state.coreModules[e.module], importObject as WebAssembly.Imports);
        } catch (err) {
          if (err instanceof WebAssembly.RuntimeError) throw poisonWith(state.inst, err);
          throw err;
        }
        noteCoreInstance(state.coreModules[e.module]!, inst.exports);
        state.inst.store.parts?.cores.push({
          module: state.coreModules[e.module]!,
          exports: inst.exports as Record<string, unknown>,
        });
        state.coreInstances.push(inst.exports as Record<string, unknown>);
      } else {
        const obj: Record<string, unknown> = Object.create(null);
        for (const x of e.exports) obj[x.name] = coreItem(state, x.sortIdx.sort, x.sortIdx.idx);
        state.coreInstances.push(obj);
      }
      return;
    }
    case 'core-type':
      state.coreTypes.push(d.type);
      return;
    case 'component':
      state.components.push({
        elab: state.def.elab.nested.get(index)!,
        modules: state.def.modules,
        plan: state.def.plan,
        outer: state,
      });
      return;
    case 'instance': {
      const e = d.instance;
      if (e.kind === 'instantiate') {
        const args = new Map<string, RuntimeExtern>();
        for (const a of e.args) args.set(a.name, getExtern(state, a.sortIdx));
        const child = state.components[e.component];
        const label = `${state.inst.label}/${state.instances.length}`;
        pushInstance(
          state,
          instantiateComponent(child, { kind: 'args', args }, label, state.inst, undefined, undefined, state.guard),
        );
      } else {
        const ex = new Map<string, RuntimeExtern>();
        for (const x of e.exports) ex.set(x.name.name, getExtern(state, x.sortIdx));
        pushInstance(state, { exports: ex });
      }
      return;
    }
    case 'alias':
      defineAlias(state, d.alias);
      return;
    case 'type': {
      const t = d.type;
      if (t.kind === 'resource') {
        const stat = state.def.elab.definedResources.get(index);
        const dtor = t.dtor === undefined ? undefined : state.coreFuncs[t.dtor];
        const parts = state.inst.store.parts;
        if (parts !== undefined) parts.definesResources = true;
        pushType(state, newGuestResource(stat, state.inst, dtor));
      } else {
        pushType(state, state.def.elab.types[state.types.length]);
      }
      return;
    }
    case 'canon':
      buildCanon(state, d.canon);
      return;
    case 'start':
      throw new LinkError('component start functions (🪙 values) are not supported');
    case 'value':
      throw new LinkError('component value definitions (🪙 values) are not supported');
    case 'import': {
      const ext = resolveImport(state, d.name, source);
      pushExtern(state, sortOfExtern(ext), ext);
      return;
    }
    case 'export': {
      const ext = getExtern(state, d.sortIdx);
      pushExtern(state, d.sortIdx.sort, ext);
      exports.set(d.name.name, ext);
      return;
    }
  }
}

// ---- imports ----

function resolveImport(state: LinkState, name: ExternName, source: ImportSource): RuntimeExtern {
  const expected = state.def.elab.type.imports.get(name.name);
  if (!expected) throw new LinkError(`import \`${shortName(name.name)}\` has no type (validation bug)`);
  if (source.kind === 'args') {
    const key = source.args.has(name.name) ? name.name : findImportKey(name.name, source.args.keys());
    const got = key === undefined ? undefined : source.args.get(key);
    if (!got) throw new LinkError(`missing import \`${shortName(name.name)}\`: expected ${describeExtern(expected)}`);
    return got;
  }
  // The exact name (an own enumerable key, as Object.keys lists) without listing the keys.
  const key = isOwnKey.call(source.imports, name.name)
    ? name.name
    : findImportKey(name.name, Object.keys(source.imports));
  if (key === undefined) {
    if (expected.kind === 'type' && expected.type.kind !== 'resource') return { kind: 'type', type: expected.type };
    // An instance of types alone (wasi:clocks/system-clock's `instant`, imported for a record
    // that uses it) carries nothing at run time: the host need not supply it.
    if (expected.kind === 'instance' && onlyPlainTypes(expected.type.exports.values()))
      return hostExtern(state, name.name, expected, {});
    throw new LinkError(
      `missing import \`${shortName(name.name)}\`: expected ${describeExtern(expected)}, but the import object has no such key`,
    );
  }
  return hostExtern(state, name.name, expected, source.imports[key]);
}

const isOwnKey = Object.prototype.propertyIsEnumerable;

function onlyPlainTypes(exports: Iterable<ExternType>): boolean {
  for (const e of exports) if (e.kind !== 'type' || e.type.kind === 'resource') return false;
  return true;
}

export function describeExtern(e: ExternType): string {
  switch (e.kind) {
    case 'func':
      return 'a function';
    case 'instance':
      return `an instance exporting ${shortName([...e.type.exports.keys()].map((k) => `\`${shortName(k, 128)}\``).join(', ')) || 'nothing'}`;
    case 'type':
      return e.type.kind === 'resource' ? 'a resource class' : 'a type';
    case 'component':
      return 'a component';
    case 'module':
      return 'a core module';
    case 'value':
      return 'a value';
  }
}

// ---- aliases ----

function defineAlias(state: LinkState, a: Alias): void {
  if (a.kind === 'export') {
    const inst = state.instances[a.instance];
    const ext = inst.exports.get(a.name);
    if (!ext) throw new LinkError(`instance ${a.instance} has no export \`${shortName(a.name)}\``);
    pushExtern(state, a.sort, ext);
  } else if (a.kind === 'core-export') {
    const inst = state.coreInstances[a.instance];
    const sort = (a.sort as { core: CoreSort }).core;
    const v = inst[a.name];
    if (v === undefined) throw new LinkError(`core instance ${a.instance} has no export \`${shortName(a.name)}\``);
    pushCore(state, sort, v);
  } else {
    let scope: LinkScope = state;
    for (let i = 0; i < a.count; i++) scope = scope.outer!;
    const s = a.sort;
    if (s === 'type') pushType(state, scope.types[a.idx]);
    else if (s === 'component') state.components.push(scope.components[a.idx]);
    else if (typeof s === 'object' && s.core === 'module') state.coreModules.push(scope.coreModules[a.idx]);
    else if (typeof s === 'object' && s.core === 'type') state.coreTypes.push(scope.coreTypes[a.idx]);
    else throw new LinkError(`outer alias of sort ${JSON.stringify(s)} is not allowed`);
  }
}

// ---- index-space helpers ----

function coreItem(state: LinkState, sort: CoreSort, idx: number): unknown {
  switch (sort) {
    case 'func':
      return state.coreFuncs[idx];
    case 'table':
      return state.coreTables[idx];
    case 'memory':
      return state.coreMemories[idx];
    case 'global':
      return state.coreGlobals[idx];
    case 'tag':
      return state.coreTags[idx];
    default:
      throw new LinkError(`core sort ${sort} cannot be exported from a core instance`);
  }
}

function pushCore(state: LinkState, sort: CoreSort, v: unknown): void {
  switch (sort) {
    case 'func':
      state.coreFuncs.push(v as Function);
      return;
    case 'table':
      state.coreTables.push(v);
      return;
    case 'memory':
      state.coreMemories.push(v as WebAssembly.Memory);
      return;
    case 'global':
      state.coreGlobals.push(v);
      return;
    case 'tag':
      state.coreTags.push(v);
      return;
    case 'module':
      state.coreModules.push(v as WebAssembly.Module);
      return;
    case 'type':
      state.coreTypes.push(v);
      return;
    case 'instance':
      state.coreInstances.push(v as Record<string, unknown>);
      return;
  }
}

function getExtern(state: LinkState, si: SortIdx): RuntimeExtern {
  const s = si.sort;
  switch (s) {
    case 'func':
      return { kind: 'func', func: state.funcs[si.idx] };
    case 'value':
      return { kind: 'value', value: state.values[si.idx] };
    case 'type':
      return { kind: 'type', type: state.types[si.idx] };
    case 'component':
      return { kind: 'component', component: state.components[si.idx] };
    case 'instance':
      return { kind: 'instance', instance: state.instances[si.idx] };
    default:
      if (s.core === 'module') return { kind: 'module', module: state.coreModules[si.idx] };
      throw new LinkError(`core sort ${s.core} cannot be used here`);
  }
}

function sortOfExtern(e: RuntimeExtern): Sort {
  return e.kind === 'module' ? { core: 'module' } : e.kind;
}

function pushExtern(state: LinkState, sort: Sort, e: RuntimeExtern): void {
  if (typeof sort === 'object') {
    if (sort.core === 'module' && e.kind === 'module') return void state.coreModules.push(e.module);
    throw new LinkError(`cannot use ${e.kind} as core ${sort.core}`);
  }
  if (sort !== e.kind) throw new LinkError(`expected a ${sort}, found a ${e.kind}`);
  switch (e.kind) {
    case 'func':
      state.funcs.push(e.func);
      return;
    case 'value':
      state.values.push(e.value);
      return;
    case 'type':
      pushType(state, e.type);
      return;
    case 'component':
      state.components.push(e.component);
      return;
    case 'instance':
      pushInstance(state, e.instance);
      return;
  }
}

/** Pushes a runtime type and binds the static identity validation gave that index to it. */
function pushType(state: LinkState, t: Type): void {
  const stat = state.def.elab.types[state.types.length];
  if (stat && stat.kind === 'resource' && t && t.kind === 'resource' && stat !== t) state.resources.set(stat, t);
  state.types.push(t);
}

function pushInstance(state: LinkState, inst: RuntimeInstance): void {
  const stat = state.def.elab.instances[state.instances.length];
  if (stat) bindInstance(state, stat, inst);
  state.instances.push(inst);
}

/** Maps the static resource identities of an instance type to the runtime ones it was given. */
export function bindInstance(scope: LinkScope, stat: InstanceType, inst: RuntimeInstance): void {
  const binds = instanceBindings(scope.plan, stat);
  for (let i = 0; i < binds.length; i++) {
    const b = binds[i]!;
    const got = inst.exports.get(b.name);
    if (got === undefined) continue;
    if (b.resource !== undefined) {
      if (got.kind === 'type' && got.type !== b.resource) scope.resources.set(b.resource, got.type);
    } else if (got.kind === 'instance') {
      bindInstance(scope, b.instance!, got.instance);
    }
  }
}

/** The exports of an instance type that bind resources (its resources and nested instances), once per Component. */
function instanceBindings(plan: LinkPlan, stat: InstanceType): InstanceBinding[] {
  let binds = plan.instanceBindings.get(stat);
  if (binds === undefined) {
    binds = [];
    for (const [name, e] of stat.exports) {
      if (e.kind === 'type' && e.type.kind === 'resource') binds.push({ name, resource: e.type, instance: undefined });
      else if (e.kind === 'instance') binds.push({ name, resource: undefined, instance: e.type });
    }
    plan.instanceBindings.set(stat, binds);
  }
  return binds;
}
