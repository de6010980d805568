// One index-space scope: a component definition, or a component/instance type
// (Binary.md: "each component and instance type is validated with an
// initially-empty type index space"). Outer aliases walk `parent`.

import { ValidationError } from '../host/errors.ts';
import type { CoreInstanceType } from './elaborated.ts';
import type {
  ComponentType,
  CoreExternType,
  CoreFuncType,
  CoreModuleType,
  ExternType,
  FuncType,
  InstanceType,
  ResourceType,
  Type,
  ValType,
} from './model.ts';
import { NameSet } from './names.ts';
import type { NameToken } from './tokens.ts';

/** What the core type index space holds: func types, module types, or opaque GC types. */
export type CoreTypeEntry = CoreFuncType | CoreModuleType | { kind: 'other' };

export class Scope {
  readonly kind: 'component' | 'type';
  readonly parent: Scope | undefined;
  /** Error context, e.g. "definition 3 (offset 0x40)". */
  where = '';

  // component-level index spaces
  readonly types: Type[] = [];
  readonly typeTokens: (NameToken | undefined)[] = [];
  readonly funcs: FuncType[] = [];
  readonly values: ValType[] = [];
  readonly valueConsumed: boolean[] = [];
  readonly instances: InstanceType[] = [];
  /** Per instance index: introduced by an import, an export, or neither (aliases of it inherit this). */
  readonly instanceNaming: ('import' | 'export' | undefined)[] = [];
  readonly components: ComponentType[] = [];
  // core index spaces
  readonly coreFuncs: CoreFuncType[] = [];
  readonly coreTables: (CoreExternType & { kind: 'table' })[] = [];
  readonly coreMemories: (CoreExternType & { kind: 'memory' })[] = [];
  readonly coreGlobals: (CoreExternType & { kind: 'global' })[] = [];
  readonly coreTags: (CoreExternType & { kind: 'tag' })[] = [];
  readonly coreModules: CoreModuleType[] = [];
  readonly coreInstances: CoreInstanceType[] = [];
  readonly coreTypes: CoreTypeEntry[] = [];

  // the scope's own type
  readonly imports = new Map<string, ExternType>();
  readonly exports = new Map<string, ExternType>();
  readonly importNames = new NameSet();
  readonly exportNames = new NameSet();
  readonly importedResources: ResourceType[] = [];
  readonly exportedResources: ResourceType[] = [];
  /** Resources defined by `(type (resource ...))` here: the only ones resource.new/rep accept. */
  readonly localResources = new Set<ResourceType>();

  /**
   * Type objects named here by importing/exporting an instance that exports them
   * (unlike a direct type export, this names the existing type itself).
   */
  readonly namedObjects = new Set<object>();

  /** Instance types defer external-visibility checks until used by a concrete import/export. */
  deferVisibility = false;

  constructor(kind: 'component' | 'type', parent?: Scope) {
    this.kind = kind;
    this.parent = parent;
  }

  fail(message: string): never {
    throw new ValidationError(this.where ? `${message} (${this.where})` : message);
  }

  /** Bounds-checked index-space access with wasm-tools' wording. */
  at<T>(space: readonly T[], idx: number, what: string): T {
    if (idx >= space.length || idx < 0) this.fail(`unknown ${what} ${idx}: ${what} index out of bounds`);
    return space[idx]!;
  }
}
