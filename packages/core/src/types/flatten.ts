// Flattening (definitions.py flatten_type, flatten_functype): the core wasm
// types a value or a function signature becomes. Layout is in layout.ts,
// type predicates in predicates.ts.

import { overCases, type PtrType } from './layout.ts';
import type { CoreFuncType, CoreValType, FuncType, ValType } from './model.ts';

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_ASYNC_PARAMS = 4;
export const MAX_FLAT_RESULTS = 1;

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

/**
 * Flattened signatures per function type and options: a lift or lower of a type asks for its
 * signature once per instance (a weak memo keyed by the type, as the abi codecs are). The
 * result is shared, so it is frozen.
 */
const flatSigs = new WeakMap<FuncType, (CoreFuncType | undefined)[]>();

export function flattenFuncType(opts: FlattenOpts, ft: FuncType, context: 'lift' | 'lower'): CoreFuncType {
  const key =
    (opts.async ? 1 : 0) | (opts.callback ? 2 : 0) | (opts.ptr === 'i64' ? 4 : 0) | (context === 'lift' ? 8 : 0);
  let sigs = flatSigs.get(ft);
  if (sigs === undefined) flatSigs.set(ft, (sigs = []));
  let sig = sigs[key];
  if (sig === undefined) {
    sig = flattenSignature(opts, ft, context);
    Object.freeze(sig.params);
    Object.freeze(sig.results);
    sigs[key] = Object.freeze(sig);
  }
  return sig;
}

/** `to` flattens as `from` does (a copy with other resources): it shares `from`'s memo of signatures. */
export function shareFlatSignatures(from: FuncType, to: FuncType): void {
  let sigs = flatSigs.get(from);
  if (sigs === undefined) flatSigs.set(from, (sigs = []));
  if (!flatSigs.has(to)) flatSigs.set(to, sigs);
}

function flattenSignature(opts: FlattenOpts, ft: FuncType, context: 'lift' | 'lower'): CoreFuncType {
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
