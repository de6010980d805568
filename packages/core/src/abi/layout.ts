// The lifting/lowering view of memory layout: types/layout.ts holds
// alignment, elem_size and despecialize, types/flatten.ts flatten_type (shared
// with validation); this adds what codecs need on top — discriminants, field
// and payload offsets, and cached flat types for 32-bit memories.

import { flattenType as flattenTypeIn, shareFlatSignatures } from '../types/flatten.ts';
import { alignment, alignTo, despecialize, discriminantSize, elemSize, shareLayout } from '../types/layout.ts';
import type { CaseType, FuncType, ValType } from '../types/model.ts';

export type FlatType = 'i32' | 'i64' | 'f32' | 'f64';

export { MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from '../types/flatten.ts';
export const MAX_STRING_BYTE_LENGTH = (1 << 28) - 1;
export const MAX_LIST_BYTE_LENGTH = (1 << 28) - 1;
export const UTF16_TAG = 0x8000_0000;

const U8 = { kind: 'u8' } as const;
const U16 = { kind: 'u16' } as const;
const U32 = { kind: 'u32' } as const;

/** The cases of a variant-like type (variant, enum, option, result). */
export function casesOf(t: ValType): CaseType[] {
  const d = despecialize(t);
  if (d.kind !== 'variant') throw new TypeError(`${t.kind} is not a variant type`);
  return d.cases;
}

export { alignTo, alignment, despecialize, elemSize } from '../types/layout.ts';

export function discriminantType(n: number): ValType {
  const size = discriminantSize(n);
  return size === 1 ? U8 : size === 2 ? U16 : U32;
}

export function maxCaseAlignment(cases: CaseType[]): number {
  let a = 1;
  for (const c of cases) if (c.type) a = Math.max(a, alignment(c.type));
  return a;
}

/** Byte offset of each field of a record (or tuple), in order. */
export function fieldOffsets(types: ValType[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const t of types) {
    s = alignTo(s, alignment(t));
    out.push(s);
    s += elemSize(t);
  }
  return out;
}

/** Offset of the payload of a variant-like type. */
export function payloadOffset(cases: CaseType[]): number {
  return alignTo(elemSize(discriminantType(cases.length)), maxCaseAlignment(cases));
}

const flattened = new WeakMap<ValType, FlatType[]>();

/** flatten_type for 32-bit memories, cached per type (codecs ask for it often). */
export function flattenType(t: ValType): FlatType[] {
  let f = flattened.get(t);
  if (!f) {
    f = flattenTypeIn(t) as FlatType[];
    flattened.set(t, f);
  }
  return f;
}

/** `flattenTypes(ts).length`, from the cached flat types, without building the list. */
export function flatCount(ts: readonly ValType[]): number {
  let n = 0;
  for (let i = 0; i < ts.length; i++) n += flattenType(ts[i]!).length;
  return n;
}

/**
 * `to` is `from` with other resources in its handles (the linker substitutes an instance's
 * resources): flat types, layout and flat signatures do not depend on them, so `to` shares
 * `from`'s, computed once per Component, instead of computing its own per instance.
 */
export function shareLayoutFacts(from: ValType | FuncType, to: ValType | FuncType): void {
  if (from.kind === 'func') return shareFlatSignatures(from as FuncType, to as FuncType);
  shareLayout(from as ValType, to as ValType);
  if (!flattened.has(to as ValType)) flattened.set(to as ValType, flattenType(from as ValType));
}

export function flattenTypes(ts: ValType[]): FlatType[] {
  const out: FlatType[] = [];
  for (const t of ts) for (const f of flattenType(t)) out.push(f);
  return out;
}

export { containsBorrow } from '../types/predicates.ts';
