// Memory layout and flattening of component value types: alignment,
// elem_size, flatten_type, flatten_functype, as in definitions.py. Only the
// 32-bit memory (ptr_type i32) is supported. tuple/enum/option/result/map keep
// their own kinds in the model; `despecialize` gives the spec's forms.

import type { CaseType, FuncType, ValType } from '../types/model.ts';

export type FlatType = 'i32' | 'i64' | 'f32' | 'f64';

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_ASYNC_PARAMS = 4;
export const MAX_FLAT_RESULTS = 1;
export const MAX_STRING_BYTE_LENGTH = (1 << 28) - 1;
export const MAX_LIST_BYTE_LENGTH = (1 << 28) - 1;
export const UTF16_TAG = 0x8000_0000;
const PTR_SIZE = 4;

const U8 = { kind: 'u8' } as const;
const U16 = { kind: 'u16' } as const;
const U32 = { kind: 'u32' } as const;

const despecialized = new WeakMap<ValType, ValType>();

/** The spec's despecialize: tuple→record, enum/option/result→variant, map→list of tuples. */
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

/** The cases of a variant-like type (variant, enum, option, result). */
export function casesOf(t: ValType): CaseType[] {
  const d = despecialize(t);
  if (d.kind !== 'variant') throw new TypeError(`${t.kind} is not a variant type`);
  return d.cases;
}

export function alignTo(ptr: number, alignment: number): number {
  return Math.ceil(ptr / alignment) * alignment;
}

export function discriminantType(n: number): ValType {
  if (n <= 0x100) return U8;
  if (n <= 0x10000) return U16;
  return U32;
}

export function alignment(t: ValType): number {
  const d = despecialize(t);
  switch (d.kind) {
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
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'string':
      return PTR_SIZE;
    case 'error-context':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      return 4;
    case 'list':
      return d.length !== undefined ? alignment(d.elem) : PTR_SIZE;
    case 'record': {
      let a = 1;
      for (const f of d.fields) a = Math.max(a, alignment(f.type));
      return a;
    }
    case 'variant':
      return Math.max(alignment(discriminantType(d.cases.length)), maxCaseAlignment(d.cases));
    case 'flags':
      return flagsSize(d.labels.length);
    default:
      throw new TypeError(`no alignment for ${d.kind}`);
  }
}

export function maxCaseAlignment(cases: CaseType[]): number {
  let a = 1;
  for (const c of cases) if (c.type) a = Math.max(a, alignment(c.type));
  return a;
}

function flagsSize(n: number): number {
  return n <= 8 ? 1 : n <= 16 ? 2 : 4;
}

export function elemSize(t: ValType): number {
  const d = despecialize(t);
  switch (d.kind) {
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
      return 4;
    case 's64':
    case 'u64':
    case 'f64':
      return 8;
    case 'string':
      return 2 * PTR_SIZE;
    case 'error-context':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      return 4;
    case 'list':
      return d.length !== undefined ? d.length * elemSize(d.elem) : 2 * PTR_SIZE;
    case 'record': {
      let s = 0;
      for (const f of d.fields) s = alignTo(s, alignment(f.type)) + elemSize(f.type);
      return alignTo(s, alignment(d));
    }
    case 'variant': {
      let s = elemSize(discriminantType(d.cases.length));
      s = alignTo(s, maxCaseAlignment(d.cases));
      let cs = 0;
      for (const c of d.cases) if (c.type) cs = Math.max(cs, elemSize(c.type));
      return alignTo(s + cs, alignment(d));
    }
    case 'flags':
      return flagsSize(d.labels.length);
    default:
      throw new TypeError(`no size for ${d.kind}`);
  }
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

export function flattenType(t: ValType): FlatType[] {
  let f = flattened.get(t);
  if (f) return f;
  f = computeFlatten(t);
  flattened.set(t, f);
  return f;
}

function computeFlatten(t: ValType): FlatType[] {
  const d = despecialize(t);
  switch (d.kind) {
    case 'bool':
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'char':
    case 'error-context':
    case 'flags':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      return ['i32'];
    case 's64':
    case 'u64':
      return ['i64'];
    case 'f32':
      return ['f32'];
    case 'f64':
      return ['f64'];
    case 'string':
      return ['i32', 'i32'];
    case 'list': {
      if (d.length === undefined) return ['i32', 'i32'];
      const e = flattenType(d.elem);
      const out: FlatType[] = [];
      for (let i = 0; i < d.length; i++) out.push(...e);
      return out;
    }
    case 'record':
      return d.fields.flatMap((f) => flattenType(f.type));
    case 'variant':
      return flattenVariant(d.cases);
    default:
      throw new TypeError(`cannot flatten ${d.kind}`);
  }
}

export function flattenVariant(cases: CaseType[]): FlatType[] {
  const flat: FlatType[] = [];
  for (const c of cases) {
    if (!c.type) continue;
    flattenType(c.type).forEach((ft, i) => {
      flat[i] = i < flat.length ? join(flat[i]!, ft) : ft;
    });
  }
  return ['i32', ...flat];
}

export function join(a: FlatType, b: FlatType): FlatType {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

export function flattenTypes(ts: ValType[]): FlatType[] {
  return ts.flatMap((t) => flattenType(t));
}

export interface FlatFuncType {
  params: FlatType[];
  results: FlatType[];
}

/** flatten_functype(opts, ft, context). */
export function flattenFuncType(
  ft: FuncType,
  opts: { async?: boolean; callback?: unknown },
  context: 'lift' | 'lower',
): FlatFuncType {
  let params = flattenTypes(ft.params.map((p) => p.type));
  let results = ft.result ? flattenType(ft.result) : [];
  if (!opts.async) {
    if (params.length > MAX_FLAT_PARAMS) params = ['i32'];
    if (results.length > MAX_FLAT_RESULTS) {
      if (context === 'lift') results = ['i32'];
      else {
        params = [...params, 'i32'];
        results = [];
      }
    }
    return { params, results };
  }
  if (context === 'lift') {
    if (params.length > MAX_FLAT_PARAMS) params = ['i32'];
    results = opts.callback ? ['i32'] : [];
  } else {
    if (params.length > MAX_FLAT_ASYNC_PARAMS) params = ['i32'];
    if (results.length > 0) params = [...params, 'i32'];
    results = ['i32'];
  }
  return { params, results };
}

/** contains_borrow */
export function containsBorrow(t: ValType | undefined): boolean {
  if (!t) return false;
  const d = despecialize(t);
  switch (d.kind) {
    case 'borrow':
      return true;
    case 'list':
      return containsBorrow(d.elem);
    case 'stream':
    case 'future':
      return containsBorrow(d.elem);
    case 'record':
      return d.fields.some((f) => containsBorrow(f.type));
    case 'variant':
      return d.cases.some((c) => containsBorrow(c.type));
    default:
      return false;
  }
}
