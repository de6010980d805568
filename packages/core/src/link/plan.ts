// What instantiating a component works out that depends only on the component (and on the
// runtime resource types it is given), kept on the Component (as Wasmtime's InstancePre) so
// that each instantiation does only its own work: memories, tables, instances, closures.
// Nothing held here belongs to one instance (no memory, table, handle, or closure over an
// instance); the types and adapters are never changed once made.

import type { ExportName } from './host-exports.ts';
import type { HostInstancePlan } from './host-imports.ts';
import type { InstanceType, ResourceType } from '../types/model.ts';
import type { ComponentFunc } from './runtime.ts';

/** The per-Component caches of the linker; nested components share their root's. */
export class LinkPlan {
  /** A static type → the distinct static resources it mentions, in a fixed order. */
  readonly resourcesIn = new WeakMap<object, readonly object[]>();
  /**
   * A static type → its substitution, keyed by the runtime resource each of its static
   * resources is bound to (one WeakMap level per resource, in `resourcesIn` order): the same
   * bindings give back the same type object, so codecs, flattened signatures and compiled
   * lifts keyed on it serve every instance. A level keyed by an instance's own resource
   * type goes when that instance does.
   */
  readonly substituted = new WeakMap<object, WeakMap<object, unknown>>();
  /** An instance type → its exports that bind resources (instantiate.ts bindInstance). */
  readonly instanceBindings = new WeakMap<object, InstanceBinding[]>();
  /** An imported interface's type → its exports sorted out (host-imports.ts). */
  readonly hostInstances = new WeakMap<object, HostInstancePlan>();
  /** A host function → by substituted type, its ComponentFunc (a wrapper without state). */
  readonly hostFuncs = new WeakMap<Function, WeakMap<object, ComponentFunc>>();
  /** A host class → `(...a) => new cls(...a)`. */
  readonly hostConstructors = new WeakMap<Function, Function>();
  /** A host class → its statics bound to it, by name, with the function each was bound from. */
  readonly hostStatics = new WeakMap<Function, Map<string, { fn: Function; bound: Function }>>();
  /** An export name → how the host sees it (host-exports.ts). */
  readonly exportNames = new Map<string, ExportName>();
  /** A method name → `(self, ...a) => self[m](...a)`. */
  readonly hostMethods = new Map<string, Function>();
  /** A core module → what a reset reads of it (reset.ts moduleState). */
  readonly moduleStates = new WeakMap<WebAssembly.Module, ModuleState>();
}

/** A `resettable` module's `weft:state` flags and the names of its state exports (reset.ts). */
export interface ModuleState {
  flags: number;
  names: string[];
}

/** An export of an instance type that binds resources: a resource, or a nested instance type. */
export interface InstanceBinding {
  name: string;
  resource: ResourceType | undefined;
  instance: InstanceType | undefined;
}
