// Static Canonical ABI facts needed by validation: flattening (flatten_type,
// flatten_functype), element size/alignment, and type predicates. Names follow
// definitions.py.

import type { CoreFuncType, CoreValType, FuncType, ValType } from './model.ts';
import { isPrim } from './model.ts';
import { TypeMemo } from './type-memo.ts';

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_ASYNC_PARAMS = 4;
export const MAX_FLAT_RESULTS = 1;

export type PtrType = 'i32' | 'i64';

export function flattenType(t: ValType, ptr: PtrType = 'i32', out: CoreValType[] = []): CoreValType[] {
  switch (t.kind) {
    case 'bool':
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32':
    case 'char':
    case 'error-context':
    case 'flags':
    case 'enum':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      out.push('i32');
      return out;
    case 's64':
    case 'u64':
      out.push('i64');
      return out;
    case 'f32':
      out.push('f32');
      return out;
    case 'f64':
      out.push('f64');
      return out;
    case 'string':
      out.push(ptr, ptr);
      return out;
    case 'map':
      out.push(ptr, ptr);
      return out;
    case 'list':
      if (t.length === undefined) out.push(ptr, ptr);
      else for (let i = 0; i < t.length; i++) flattenType(t.elem, ptr, out);
      return out;
    case 'record':
      for (const f of t.fields) flattenType(f.type, ptr, out);
      return out;
    case 'tuple':
      for (const e of t.types) flattenType(e, ptr, out);
      return out;
    case 'variant':
      return flattenVariant(
        t.cases.map((c) => c.type),
        ptr,
        out,
      );
    case 'option':
      return flattenVariant([undefined, t.type], ptr, out);
    case 'result':
      return flattenVariant([t.ok, t.err], ptr, out);
  }
}

function flattenVariant(cases: (ValType | undefined)[], ptr: PtrType, out: CoreValType[]): CoreValType[] {
  const flat: CoreValType[] = [];
  for (const c of cases) {
    if (!c) continue;
    const f = flattenType(c, ptr);
    for (let i = 0; i < f.length; i++) flat[i] = i < flat.length ? join(flat[i]!, f[i]!) : f[i]!;
  }
  out.push('i32'); // discriminant (u8/u16/u32 all flatten to i32)
  for (const f of flat) out.push(f);
  return out;
}

function join(a: CoreValType, b: CoreValType): CoreValType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

export interface FlattenOpts {
  async?: boolean;
  callback?: boolean;
  ptr?: PtrType;
}

export function flattenFuncType(opts: FlattenOpts, ft: FuncType, context: 'lift' | 'lower'): CoreFuncType {
  const ptr = opts.ptr ?? 'i32';
  let params: CoreValType[] = [];
  for (const p of ft.params) flattenType(p.type, ptr, params);
  let results: CoreValType[] = ft.result ? flattenType(ft.result, ptr) : [];
  if (!opts.async) {
    if (params.length > MAX_FLAT_PARAMS) params = [ptr];
    if (results.length > MAX_FLAT_RESULTS) {
      if (context === 'lift') results = [ptr];
      else {
        params.push(ptr);
        results = [];
      }
    }
  } else if (context === 'lift') {
    if (params.length > MAX_FLAT_PARAMS) params = [ptr];
    results = opts.callback ? ['i32'] : [];
  } else {
    if (params.length > MAX_FLAT_ASYNC_PARAMS) params = [ptr];
    if (results.length > 0) params.push(ptr);
    results = ['i32'];
  }
  return { kind: 'func', params, results };
}

export function coreFuncTypeEquals(a: CoreFuncType, b: CoreFuncType): boolean {
  return arrEq(a.params, b.params) && arrEq(a.results, b.results);
}

function arrEq(a: readonly CoreValType[], b: readonly CoreValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function showCoreFuncType(t: CoreFuncType): string {
  return `[${t.params.join(' ')}] -> [${t.results.join(' ')}]`;
}

/** Children of a value type, for transitive predicates. */
export function valTypeChildren(t: ValType): ValType[] {
  switch (t.kind) {
    case 'list':
      return [t.elem];
    case 'record':
      return t.fields.map((f) => f.type);
    case 'tuple':
      return t.types;
    case 'variant':
      return t.cases.flatMap((c) => (c.type ? [c.type] : []));
    case 'option':
      return [t.type];
    case 'result':
      return [t.ok, t.err].filter((x): x is ValType => !!x);
    case 'map':
      return [t.key, t.value];
    case 'stream':
    case 'future':
      return t.elem ? [t.elem] : [];
    default:
      return [];
  }
}

/** True when `f` holds for some child of `t` (no allocation, unlike valTypeChildren). */
export function someChild(t: ValType, f: (c: ValType) => boolean): boolean {
  switch (t.kind) {
    case 'list':
      return f(t.elem);
    case 'record':
      for (let i = 0; i < t.fields.length; i++) if (f(t.fields[i]!.type)) return true;
      return false;
    case 'tuple':
      for (let i = 0; i < t.types.length; i++) if (f(t.types[i]!)) return true;
      return false;
    case 'variant':
      for (let i = 0; i < t.cases.length; i++) {
        const c = t.cases[i]!.type;
        if (c !== undefined && f(c)) return true;
      }
      return false;
    case 'option':
      return f(t.type);
    case 'result':
      return (t.ok !== undefined && f(t.ok)) || (t.err !== undefined && f(t.err));
    case 'map':
      return f(t.key) || f(t.value);
    case 'stream':
    case 'future':
      return t.elem !== undefined && f(t.elem);
    default:
      return false;
  }
}

export function contains(t: ValType, pred: (u: ValType) => boolean): boolean {
  if (pred(t)) return true;
  return someChild(t, (c) => contains(c, pred));
}

// Streams/futures are handles: their element types don't make the outer type need memory.
const listOrStringMemo = new TypeMemo<boolean>();
export function containsListOrString(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'map':
      return true;
    case 'list':
      return t.length === undefined || containsListOrString(t.elem);
    case 'record':
    case 'tuple':
    case 'variant':
    case 'option':
    case 'result': {
      let r = listOrStringMemo.get(t);
      if (r === undefined) listOrStringMemo.set(t, (r = someChild(t, containsListOrString)));
      return r;
    }
    default:
      return false;
  }
}

const borrowMemo = new TypeMemo<boolean>();
export function containsBorrow(t: ValType): boolean {
  switch (t.kind) {
    case 'borrow':
      return true;
    case 'own':
    case 'enum':
    case 'flags':
      return false;
  }
  if (isPrim(t)) return false;
  let r = borrowMemo.get(t);
  if (r === undefined) borrowMemo.set(t, (r = someChild(t, containsBorrow)));
  return r;
}

/** `flattenType(t).length` without building the list (a variant's payload slots overlap). */
export function flatLength(t: ValType): number {
  switch (t.kind) {
    case 'string':
    case 'map':
      return 2;
    case 'list':
      return t.length === undefined ? 2 : t.length * flatLength(t.elem);
    case 'record': {
      let n = 0;
      for (let i = 0; i < t.fields.length; i++) n += flatLength(t.fields[i]!.type);
      return n;
    }
    case 'tuple': {
      let n = 0;
      for (let i = 0; i < t.types.length; i++) n += flatLength(t.types[i]!);
      return n;
    }
    case 'variant':
    case 'option':
    case 'result':
      return 1 + overCases(t, 'i32', 0, flatLength);
    default:
      return 1;
  }
}

export function discriminantSize(n: number): number {
  return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

export function alignTo(p: number, a: number): number {
  return Math.ceil(p / a) * a;
}

// Sizes of composite types are asked for again and again during validation
// (every defined type, every nesting level): memoise them per type object,
// all four facts in one entry (-1: not computed yet).
interface Layout {
  align32: number;
  size32: number;
  align64: number;
  size64: number;
}
const layouts = new TypeMemo<Layout>();

function layoutOf(t: ValType): Layout {
  let l = layouts.get(t);
  if (l === undefined) layouts.set(t, (l = { align32: -1, size32: -1, align64: -1, size64: -1 }));
  return l;
}

function isComposite(t: ValType): boolean {
  switch (t.kind) {
    case 'list':
    case 'record':
    case 'tuple':
    case 'variant':
    case 'option':
    case 'result':
      return true;
    default:
      return false;
  }
}

export function alignment(t: ValType, ptr: PtrType = 'i32'): number {
  if (!isComposite(t)) return alignmentUncached(t, ptr);
  const l = layoutOf(t);
  if (ptr === 'i32') return l.align32 >= 0 ? l.align32 : (l.align32 = alignmentUncached(t, ptr));
  return l.align64 >= 0 ? l.align64 : (l.align64 = alignmentUncached(t, ptr));
}

export function elemSize(t: ValType, ptr: PtrType = 'i32'): number {
  if (!isComposite(t)) return elemSizeUncached(t, ptr);
  const l = layoutOf(t);
  if (ptr === 'i32') return l.size32 >= 0 ? l.size32 : (l.size32 = elemSizeUncached(t, ptr));
  return l.size64 >= 0 ? l.size64 : (l.size64 = elemSizeUncached(t, ptr));
}

/** Size of a scalar or handle, which is also its alignment; 0 for every other type. */
function scalarSize(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
      return 1;
    case 's16':
    case 'u16':
      return 2;
    case 's32':
    case 'u32':
    case 'f32':
    case 'char':
    case 'error-context':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    default:
      return 0;
  }
}

function alignmentUncached(t: ValType, ptr: PtrType): number {
  const scalar = scalarSize(t);
  if (scalar !== 0) return scalar;
  const ps = ptr === 'i32' ? 4 : 8;
  switch (t.kind) {
    case 'string':
    case 'map':
      return ps;
    case 'list':
      return t.length === undefined ? ps : alignment(t.elem, ptr);
    case 'record': {
      let a = 1;
      for (let i = 0; i < t.fields.length; i++) a = Math.max(a, alignment(t.fields[i]!.type, ptr));
      return a;
    }
    case 'tuple': {
      let a = 1;
      for (let i = 0; i < t.types.length; i++) a = Math.max(a, alignment(t.types[i]!, ptr));
      return a;
    }
    case 'flags':
      return flagsSize(t.labels.length);
    case 'enum':
      return discriminantSize(t.labels.length);
    case 'variant':
    case 'option':
    case 'result':
      return Math.max(discriminantSize(caseCount(t)), maxCaseAlignment(t, ptr));
    default:
      return scalar; // scalars and handles: returned above
  }
}

function flagsSize(n: number): number {
  return n <= 8 ? 1 : n <= 16 ? 2 : 4;
}

function caseCount(t: ValType): number {
  return t.kind === 'variant' ? t.cases.length : 2;
}

/** Max of `f` over the payload types of a variant/option/result (`init` when none). */
function overCases(t: ValType, ptr: PtrType, init: number, f: (c: ValType, ptr: PtrType) => number): number {
  let a = init;
  if (t.kind === 'variant') {
    for (let i = 0; i < t.cases.length; i++) {
      const c = t.cases[i]!.type;
      if (c !== undefined) a = Math.max(a, f(c, ptr));
    }
  } else if (t.kind === 'option') a = Math.max(a, f(t.type, ptr));
  else if (t.kind === 'result') {
    if (t.ok !== undefined) a = Math.max(a, f(t.ok, ptr));
    if (t.err !== undefined) a = Math.max(a, f(t.err, ptr));
  }
  return a;
}

function maxCaseAlignment(t: ValType, ptr: PtrType): number {
  return overCases(t, ptr, 1, alignment);
}

function elemSizeUncached(t: ValType, ptr: PtrType): number {
  const scalar = scalarSize(t);
  if (scalar !== 0) return scalar;
  const ps = ptr === 'i32' ? 4 : 8;
  switch (t.kind) {
    case 'string':
    case 'map':
      return 2 * ps;
    case 'list':
      return t.length === undefined ? 2 * ps : t.length * elemSize(t.elem, ptr);
    case 'record': {
      let s = 0;
      for (let i = 0; i < t.fields.length; i++) {
        const f = t.fields[i]!.type;
        s = alignTo(s, alignment(f, ptr)) + elemSize(f, ptr);
      }
      return alignTo(s, alignment(t, ptr));
    }
    case 'tuple': {
      let s = 0;
      for (let i = 0; i < t.types.length; i++) {
        const f = t.types[i]!;
        s = alignTo(s, alignment(f, ptr)) + elemSize(f, ptr);
      }
      return alignTo(s, alignment(t, ptr));
    }
    case 'flags':
      return flagsSize(t.labels.length);
    case 'enum':
      return discriminantSize(t.labels.length);
    case 'variant':
    case 'option':
    case 'result': {
      const s = alignTo(discriminantSize(caseCount(t)), maxCaseAlignment(t, ptr));
      const m = overCases(t, ptr, 0, elemSize);
      return alignTo(s + m, alignment(t, ptr));
    }
    default:
      return scalar; // scalars and handles: returned above
  }
}
