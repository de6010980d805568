// Resolved component types, mirroring the classes of definitions.py
// (ListType, RecordType, VariantType, ..., FuncType). Type indices are gone:
// every reference points at the type itself. Built by types/elaborate.ts,
// consumed by validation, the linker and abi/ (which specialises on them).

export type PrimKind =
  | 'bool'
  | 's8'
  | 'u8'
  | 's16'
  | 'u16'
  | 's32'
  | 'u32'
  | 's64'
  | 'u64'
  | 'f32'
  | 'f64'
  | 'char'
  | 'string'
  | 'error-context';

export interface PrimType {
  kind: PrimKind;
}
export interface ListType {
  kind: 'list';
  elem: ValType;
  length?: number;
}
export interface FieldType {
  label: string;
  type: ValType;
}
export interface RecordType {
  kind: 'record';
  fields: FieldType[];
}
export interface TupleType {
  kind: 'tuple';
  types: ValType[];
}
export interface CaseType {
  label: string;
  type?: ValType;
}
export interface VariantType {
  kind: 'variant';
  cases: CaseType[];
}
export interface EnumType {
  kind: 'enum';
  labels: string[];
}
export interface OptionType {
  kind: 'option';
  type: ValType;
}
export interface ResultType {
  kind: 'result';
  ok?: ValType;
  err?: ValType;
}
export interface FlagsType {
  kind: 'flags';
  labels: string[];
}
export interface MapType {
  kind: 'map';
  key: ValType;
  value: ValType;
}
export interface OwnType {
  kind: 'own';
  resource: ResourceType;
}
export interface BorrowType {
  kind: 'borrow';
  resource: ResourceType;
}
export interface StreamType {
  kind: 'stream';
  elem?: ValType;
}
export interface FutureType {
  kind: 'future';
  elem?: ValType;
}

export type ValType =
  | PrimType
  | ListType
  | RecordType
  | TupleType
  | VariantType
  | EnumType
  | OptionType
  | ResultType
  | FlagsType
  | MapType
  | OwnType
  | BorrowType
  | StreamType
  | FutureType;

/**
 * A resource type's identity. Static ones come from validation (a `resource`
 * definition or an imported/exported `(sub resource)`); at instantiation the
 * linker substitutes each static one with a fresh runtime one (resources/).
 * Equality is object identity.
 */
export interface ResourceType {
  kind: 'resource';
  /** The label it was imported/exported/defined under, for messages and JS class names. */
  name: string;
  /** Set on `(resource (rep i32) (dtor f))` definitions. */
  rep?: 'i32';
  hasDtor?: boolean;
  /**
   * Set on the abstract resource an `(export "r" (type $R) (type (sub resource)))`
   * ascription creates: outside it is a distinct type, at run time it is `$R`.
   */
  aliasOf?: ResourceType;
}

export interface ParamType {
  label: string;
  type: ValType;
}
export interface FuncType {
  kind: 'func';
  async: boolean;
  params: ParamType[];
  result?: ValType;
}

export type ExternType =
  | { kind: 'func'; type: FuncType }
  | { kind: 'value'; type: ValType }
  | { kind: 'type'; type: Type }
  | { kind: 'instance'; type: InstanceType }
  | { kind: 'component'; type: ComponentType }
  | { kind: 'module'; type: CoreModuleType };

export interface InstanceType {
  kind: 'instance';
  exports: Map<string, ExternType>;
  /**
   * Abstract resource types this instance type declares with `(export "r" (type (sub resource)))`
   * (including those of nested exported instance types). Each import of the type gets fresh ones.
   */
  exportedResources?: ResourceType[];
}

export interface ComponentType {
  kind: 'component';
  imports: Map<string, ExternType>;
  exports: Map<string, ExternType>;
  /** Resource types the component type imports abstractly (its type parameters). */
  importedResources?: ResourceType[];
  /** Resource types the component type exports abstractly (fresh per instantiation). */
  exportedResources?: ResourceType[];
}

export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | string;
export interface CoreFuncType {
  kind: 'func';
  params: CoreValType[];
  results: CoreValType[];
}
export type CoreExternType =
  | { kind: 'func'; type: CoreFuncType }
  | { kind: 'table'; elem: CoreValType; min: number; max?: number }
  | { kind: 'memory'; min: number; max?: number; shared: boolean; memory64: boolean }
  | { kind: 'global'; type: CoreValType; mutable: boolean }
  | { kind: 'tag'; type: CoreFuncType };
export interface CoreModuleType {
  kind: 'module';
  imports: { module: string; name: string; type: CoreExternType }[];
  exports: Map<string, CoreExternType>;
}

/** Anything that can sit in the component type index space. */
export type Type = ValType | FuncType | InstanceType | ComponentType | ResourceType;

export const PRIMS: Record<PrimKind, PrimType> = Object.freeze({
  bool: { kind: 'bool' },
  s8: { kind: 's8' },
  u8: { kind: 'u8' },
  s16: { kind: 's16' },
  u16: { kind: 'u16' },
  s32: { kind: 's32' },
  u32: { kind: 'u32' },
  s64: { kind: 's64' },
  u64: { kind: 'u64' },
  f32: { kind: 'f32' },
  f64: { kind: 'f64' },
  char: { kind: 'char' },
  string: { kind: 'string' },
  'error-context': { kind: 'error-context' },
}) as Record<PrimKind, PrimType>;

/** True for the primitive value types (bool ... string, error-context). */
export function isPrim(t: { kind: string }): t is PrimType {
  return PRIM_KINDS.has(t.kind);
}

// A Set lookup: hasOwn on the frozen PRIMS showed up in validation profiles.
const PRIM_KINDS: ReadonlySet<string> = new Set(Object.keys(PRIMS));
