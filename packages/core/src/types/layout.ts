// Memory layout (definitions.py alignment, elem_size, discriminant sizes),
// memoised per type object: sizes of composite types are asked for again and
// again during validation and while building codecs.

import type { ValType } from './model.ts';
import { TypeMemo } from './type-memo.ts';

export type PtrType = 'i32' | 'i64';

const despecialized = new WeakMap<ValType, ValType>();

/** definitions.py despecialize: tuple→record, enum/option/result→variant, map→list of tuples. */
export function despecialize(t: ValType): ValType {
  switch (t.kind) {
    case 'tuple':
    case 'enum':
    case 'option':
    case 'result':
    case 'map':
      break;
    default:
      return t;
  }
  let d = despecialized.get(t);
  if (d) return d;
  switch (t.kind) {
    case 'tuple':
      d = { kind: 'record', fields: t.types.map((type, i) => ({ label: String(i), type })) };
      break;
    case 'enum':
      d = { kind: 'variant', cases: t.labels.map((label) => ({ label })) };
      break;
    case 'option':
      d = { kind: 'variant', cases: [{ label: 'none' }, { label: 'some', type: t.type }] };
      break;
    case 'result':
      d = {
        kind: 'variant',
        cases: [
          { label: 'ok', type: t.ok },
          { label: 'error', type: t.err },
        ],
      };
      break;
    case 'map':
      d = { kind: 'list', elem: { kind: 'tuple', types: [t.key, t.value] } };
      break;
  }
  despecialized.set(t, d!);
  return d!;
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

/**
 * `to` has the layout of `from` (the linker's copy of a type with other resources in its
 * handles: handles lay out alike): it shares `from`'s memo entry instead of computing its own.
 */
export function shareLayout(from: ValType, to: ValType): void {
  if (isComposite(from) && layouts.get(to) === undefined) layouts.set(to, layoutOf(from));
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
export function overCases(t: ValType, ptr: PtrType, init: number, f: (c: ValType, ptr: PtrType) => number): number {
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
