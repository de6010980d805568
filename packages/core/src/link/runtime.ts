// Runtime values of the component-level index spaces.

import type { Definition } from '../binary/ir.ts';
import type { ElaboratedComponent } from '../types/elaborated.ts';
import type { FuncType, Type } from '../types/model.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import type { LinkPlan } from './plan.ts';

/**
 * A component function: what `canon lift` makes and `canon lower` consumes.
 * `call` takes and returns JS values in the host conventions, except that a
 * `result` return stays `{ tag, val }` (host wrappers unwrap it).
 */
export interface ComponentFunc {
  type: FuncType;
  call: (...args: unknown[]) => unknown;
  /** The instance whose code runs; undefined for host functions. */
  instance?: ComponentInstance;
}

export interface RuntimeInstance {
  exports: Map<string, RuntimeExtern>;
}

/** A component definition ready to instantiate: its types, compiled modules and lexical scope. */
export interface ComponentDef {
  elab: ElaboratedComponent;
  modules: Map<Definition, WebAssembly.Module>;
  /** The linker's per-Component caches (shared by its nested components). */
  plan: LinkPlan;
  /** The enclosing instantiation, for outer aliases; undefined at the root. */
  outer?: LinkScope;
}

/** What outer aliases and resource substitution may look up in an enclosing scope. */
export interface LinkScope {
  readonly outer: LinkScope | undefined;
  readonly plan: LinkPlan;
  readonly types: Type[];
  readonly components: ComponentDef[];
  readonly coreModules: WebAssembly.Module[];
  readonly coreTypes: unknown[];
  readonly resources: Map<object, Type>;
}

export type RuntimeExtern =
  | { kind: 'func'; func: ComponentFunc }
  | { kind: 'instance'; instance: RuntimeInstance }
  | { kind: 'type'; type: Type }
  | { kind: 'component'; component: ComponentDef }
  | { kind: 'module'; module: WebAssembly.Module }
  | { kind: 'value'; value: unknown };

/** Marks host-facing wrappers so instances can be passed back in as imports without losing type or identity. */
export const FUNC = Symbol.for('weft.func');
export const TYPE = Symbol.for('weft.type');
export const RESOURCE = Symbol.for('weft.resource');
export const INSTANCE = Symbol.for('weft.instance');
export const COMPONENT_DEF = Symbol.for('weft.component');
