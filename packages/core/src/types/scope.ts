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

/**
 * How deeply value types may nest by default. No real program comes near; a
 * hostile one chaining thousands of definitions would otherwise overflow the
 * stack of every recursive walk (validation, layout, codecs).
 */
export const MAX_TYPE_DEPTH = 100;

export class Scope {
  readonly kind: 'component' | 'type';
  readonly parent: Scope | undefined;
  // Error context, e.g. "definition 3 at offset 64": only turned into a string
  // when read (a message is built), not once per definition.
  #where = '';
  #idx = -1;
  #off: number | undefined;
  #in: string | undefined;

  get where(): string {
    if (this.#idx >= 0) {
      this.#where =
        this.#in === undefined
          ? `definition ${this.#idx}${this.#off === undefined ? '' : ` at offset ${this.#off}`}`
          : `declaration ${this.#idx} in ${this.#in}`;
      this.#idx = -1;
    }
    return this.#where;
  }

  set where(w: string) {
    this.#where = w;
    this.#idx = -1;
  }

  /** Context: definition `i` (at byte offset `off`) of a component. */
  atDefinition(i: number, off: number | undefined): void {
    this.#idx = i;
    this.#off = off;
    this.#in = undefined;
  }

  /** Context: declaration `j` of a component/instance type, inside `where`. */
  atDeclaration(j: number, where: string): void {
    this.#idx = j;
    this.#in = where;
  }

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

  /** Names of the resources imported/exported here (for `[static]` name checks); made on first use. */
  resourceNames: { import: Set<string>; export: Set<string> } | undefined = undefined;

  /** Instance types defer external-visibility checks until used by a concrete import/export. */
  deferVisibility = false;

  /** How deeply value types may nest (compile option maxTypeDepth); inner scopes inherit it. */
  maxTypeDepth: number;

  constructor(kind: 'component' | 'type', parent?: Scope) {
    this.kind = kind;
    this.parent = parent;
    this.maxTypeDepth = parent?.maxTypeDepth ?? MAX_TYPE_DEPTH;
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
