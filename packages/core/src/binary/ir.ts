// The decoded component, as Binary.md writes it: one object per production,
// definitions kept in section order so index spaces can be rebuilt by a walk.
// Nothing here is resolved or validated; indices are raw u32s.

export type CoreSort = 'func' | 'table' | 'memory' | 'global' | 'tag' | 'type' | 'module' | 'instance';
export type Sort = { core: CoreSort } | 'func' | 'value' | 'type' | 'component' | 'instance';

export interface SortIdx {
  sort: Sort;
  idx: number;
}
export interface CoreSortIdx {
  sort: CoreSort;
  idx: number;
}

// ---- core ----
export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | { ref: string };
export interface CoreFuncType {
  kind: 'func';
  params: CoreValType[];
  results: CoreValType[];
}
export type CoreExternType =
  | { kind: 'func'; typeIdx: number }
  | { kind: 'table'; elem: CoreValType; min: number; max?: number }
  | { kind: 'memory'; min: number; max?: number; shared: boolean; memory64: boolean }
  | { kind: 'global'; type: CoreValType; mutable: boolean }
  | { kind: 'tag'; typeIdx: number };
export interface CoreImportDecl {
  module: string;
  name: string;
  type: CoreExternType;
}
export type CoreModuleDecl =
  | { kind: 'import'; import: CoreImportDecl }
  | { kind: 'type'; type: CoreDefType }
  | { kind: 'alias'; count: number; idx: number } // outer alias of a core type
  | { kind: 'export'; name: string; type: CoreExternType };
/** `rec`/`sub` GC types are kept opaque (raw bytes) beyond func types. */
export type CoreDefType =
  | CoreFuncType
  | { kind: 'module'; decls: CoreModuleDecl[] }
  | { kind: 'other'; offset: number };

export type CoreInstanceExpr =
  | { kind: 'instantiate'; module: number; args: { name: string; instance: number }[] }
  | { kind: 'exports'; exports: { name: string; sortIdx: CoreSortIdx }[] };

// ---- component types ----
export type PrimValType =
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
/** A valtype is either a primitive or an index into the type index space. */
export type ValTypeRef = PrimValType | number;

export type DefValType =
  | { kind: 'prim'; type: PrimValType }
  | { kind: 'record'; fields: { name: string; type: ValTypeRef }[] }
  | { kind: 'variant'; cases: { name: string; type?: ValTypeRef; refines?: number }[] }
  | { kind: 'list'; elem: ValTypeRef; length?: number }
  | { kind: 'tuple'; types: ValTypeRef[] }
  | { kind: 'flags'; names: string[] }
  | { kind: 'enum'; names: string[] }
  | { kind: 'option'; type: ValTypeRef }
  | { kind: 'result'; ok?: ValTypeRef; err?: ValTypeRef }
  | { kind: 'own'; type: number }
  | { kind: 'borrow'; type: number }
  | { kind: 'stream'; elem?: ValTypeRef }
  | { kind: 'future'; elem?: ValTypeRef }
  | { kind: 'map'; key: ValTypeRef; value: ValTypeRef };

export interface FuncTypeIR {
  kind: 'func';
  async: boolean;
  params: { name: string; type: ValTypeRef }[];
  result?: ValTypeRef;
}
export interface ResourceTypeIR {
  kind: 'resource';
  rep: CoreValType;
  dtor?: number;
}
export interface ComponentTypeIR {
  kind: 'component';
  decls: ComponentDecl[];
}
export interface InstanceTypeIR {
  kind: 'instance';
  decls: InstanceDecl[];
}
export type DefType = DefValType | FuncTypeIR | ComponentTypeIR | InstanceTypeIR | ResourceTypeIR;

export type TypeBound = { kind: 'eq'; idx: number } | { kind: 'sub-resource' };
export type ExternTypeIR =
  | { kind: 'module'; typeIdx: number }
  | { kind: 'func'; typeIdx: number }
  | { kind: 'value'; bound: { kind: 'eq'; idx: number } | { kind: 'type'; type: ValTypeRef } }
  | { kind: 'type'; bound: TypeBound }
  | { kind: 'component'; typeIdx: number }
  | { kind: 'instance'; typeIdx: number };

export type InstanceDecl =
  | { kind: 'core-type'; type: CoreDefType }
  | { kind: 'type'; type: DefType }
  | { kind: 'alias'; alias: Alias }
  | { kind: 'export'; name: ExternName; type: ExternTypeIR };
export type ComponentDecl = InstanceDecl | { kind: 'import'; name: ExternName; type: ExternTypeIR };

// ---- names ----
export interface ExternName {
  name: string;
  /** 🏷️/🔗 attributes, kept for printing; ignored by type checks. */
  implements?: string;
  versionSuffix?: string;
  externalId?: string;
  /** Set when an attribute kind appeared more than once ('implements' | 'versionsuffix' | 'external-id'); validation reports it. */
  duplicateAttribute?: string;
}

// ---- aliases ----
export type Alias =
  | { kind: 'export'; sort: Sort; instance: number; name: string }
  | { kind: 'core-export'; sort: Sort; instance: number; name: string }
  | { kind: 'outer'; sort: Sort; count: number; idx: number };

// ---- canon ----
export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';
export interface CanonOpts {
  stringEncoding?: StringEncoding;
  memory?: number;
  realloc?: number;
  postReturn?: number;
  async?: boolean;
  callback?: number;
  /** Set when an option appeared twice or conflicted; validation reports it. */
  duplicate?: string;
}
export type Canon =
  | { kind: 'lift'; coreFunc: number; opts: CanonOpts; typeIdx: number }
  | { kind: 'lower'; func: number; opts: CanonOpts }
  | { kind: 'resource.new' | 'resource.drop' | 'resource.rep'; typeIdx: number }
  | { kind: 'backpressure.inc' | 'backpressure.dec' | 'task.cancel' | 'subtask.drop' }
  | { kind: 'task.return'; result?: ValTypeRef; opts: CanonOpts }
  | { kind: 'context.get' | 'context.set'; type: CoreValType; index: number }
  | { kind: 'subtask.cancel'; async: boolean }
  | { kind: 'stream.new' | 'stream.drop-readable' | 'stream.drop-writable'; typeIdx: number }
  | { kind: 'stream.read' | 'stream.write'; typeIdx: number; opts: CanonOpts }
  | { kind: 'stream.cancel-read' | 'stream.cancel-write'; typeIdx: number; async: boolean }
  | { kind: 'future.new' | 'future.drop-readable' | 'future.drop-writable'; typeIdx: number }
  | { kind: 'future.read' | 'future.write'; typeIdx: number; opts: CanonOpts }
  | { kind: 'future.cancel-read' | 'future.cancel-write'; typeIdx: number; async: boolean }
  | { kind: 'error-context.new' | 'error-context.debug-message'; opts: CanonOpts }
  | { kind: 'error-context.drop' }
  | { kind: 'waitable-set.new' | 'waitable-set.drop' | 'waitable.join' }
  | { kind: 'waitable-set.wait' | 'waitable-set.poll'; cancellable: boolean; memory: number }
  | { kind: 'thread.index' | 'thread.resume-later' }
  | { kind: 'thread.new-indirect'; typeIdx: number; table: number }
  | {
      kind:
        | 'thread.suspend'
        | 'thread.yield'
        | 'thread.suspend-then-resume'
        | 'thread.yield-then-resume'
        | 'thread.suspend-then-promote'
        | 'thread.yield-then-promote';
      cancellable: boolean;
    }
  | { kind: 'thread.spawn-ref'; shared: boolean; typeIdx: number }
  | { kind: 'thread.spawn-indirect'; shared: boolean; typeIdx: number; table: number }
  | { kind: 'thread.available-parallelism'; shared: boolean };

// ---- top-level definitions, in order ----
export type Definition =
  | { kind: 'core-module'; module: Uint8Array; offset: number }
  | { kind: 'core-instance'; instance: CoreInstanceExpr }
  | { kind: 'core-type'; type: CoreDefType }
  | { kind: 'component'; component: ComponentIR }
  | { kind: 'instance'; instance: InstanceExpr }
  | { kind: 'alias'; alias: Alias }
  | { kind: 'type'; type: DefType }
  | { kind: 'canon'; canon: Canon }
  | { kind: 'start'; func: number; args: number[]; results: number }
  | { kind: 'import'; name: ExternName; type: ExternTypeIR }
  | { kind: 'export'; name: ExternName; sortIdx: SortIdx; type?: ExternTypeIR }
  | { kind: 'value'; type: ValTypeRef; bytes: Uint8Array };

export type InstanceExpr =
  | { kind: 'instantiate'; component: number; args: { name: string; sortIdx: SortIdx }[] }
  | { kind: 'exports'; exports: { name: ExternName; sortIdx: SortIdx }[] };

export interface CustomSection {
  name: string;
  data: Uint8Array;
}

export interface ComponentIR {
  definitions: Definition[];
  /** Byte offset of each definition, parallel to `definitions`, for error messages (offsets into the outermost binary, also in nested components). */
  offsets: number[];
  customs: CustomSection[];
  /** Parsed `component-name` section, when present and well formed. */
  names?: { component?: string; sorts: { sort: Sort; names: Map<number, string> }[] };
}
