// What validation hands the linker: the component's IR plus the static type of
// every entry of every index space, built by one in-order walk (types/elaborate.ts).

import type { ComponentIR } from '../binary/ir.ts';
import type {
  ComponentType,
  CoreExternType,
  CoreFuncType,
  CoreModuleType,
  FuncType,
  InstanceType,
  ResourceType,
  Type,
  ValType,
} from './model.ts';

export interface CoreInstanceType {
  kind: 'core-instance';
  exports: Map<string, CoreExternType>;
}

export interface ElaboratedComponent {
  ir: ComponentIR;
  /** The component's own type: imports and exports by name. */
  type: ComponentType;
  // Component-level index spaces, in definition order.
  types: Type[];
  funcs: FuncType[];
  values: ValType[];
  instances: InstanceType[];
  components: ComponentType[];
  // Core index spaces.
  coreFuncs: CoreFuncType[];
  coreModules: CoreModuleType[];
  coreInstances: CoreInstanceType[];
  coreTypes: unknown[];
  // Core spaces the linker needs for `canon` options and core instance exports.
  coreTables: (CoreExternType & { kind: 'table' })[];
  coreMemories: (CoreExternType & { kind: 'memory' })[];
  coreGlobals: (CoreExternType & { kind: 'global' })[];
  coreTags: (CoreExternType & { kind: 'tag' })[];
  /** Nested `(component ...)` definitions, keyed by their index in `ir.definitions`. */
  nested: Map<number, ElaboratedComponent>;
  /**
   * Static resource identities this component introduces, each exactly once:
   * `(type (resource ...))` definitions, keyed by their index in `ir.definitions`.
   */
  definedResources: Map<number, ResourceType>;
  /** Static resource identities of `(import ... (type (sub resource)))`, keyed by definition index. */
  importedResources: Map<number, ResourceType>;
}
