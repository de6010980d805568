// Converts wast values to the JS values Weft's boundary uses (DESIGN.md's
// table, jco conventions), guided by the function's declared type when there
// is one, and compares returned JS values against expected wast values.

import type { ValType } from '@weft/core';
import type { WastValue } from './values.ts';

import { camelCase } from '@weft/core';

/** Marks flags objects built without a type: compare only the set labels. */
const PARTIAL_FLAGS = Symbol('weft.wast.partialFlags');

const TYPED_ARRAYS: Record<string, new (xs: ArrayLike<number> & ArrayLike<bigint>) => ArrayLike<unknown>> = {
  u8: Uint8Array as never,
  s8: Int8Array as never,
  u16: Uint16Array as never,
  s16: Int16Array as never,
  u32: Uint32Array as never,
  s32: Int32Array as never,
  u64: BigUint64Array as never,
  s64: BigInt64Array as never,
  f32: Float32Array as never,
  f64: Float64Array as never,
};

export class ConvertError extends Error {
  override name = 'ConvertError';
}

function mismatch(v: WastValue, t: ValType): never {
  throw new ConvertError(`value of kind ${v.kind} does not fit type ${t.kind}`);
}

/** wast value → JS value. `t` is the declared type if known. */
export function toJs(v: WastValue, t?: ValType): unknown {
  if (t && v.kind !== t.kind && !(v.kind === 'list' && t.kind === 'map')) mismatch(v, t);
  switch (v.kind) {
    case 'bool':
    case 'char':
    case 'string':
      return v.value;
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
      return Number(v.value);
    case 's64':
    case 'u64':
      return v.value;
    case 'i32':
      return Number(BigInt.asIntN(32, v.value));
    case 'i64':
      return BigInt.asIntN(64, v.value);
    case 'f32':
    case 'f64':
      return v.value;
    case 'list': {
      if (t?.kind === 'map') {
        // Entries as [key, value] pairs (not a Map): a wast map may repeat keys.
        return v.elems.map((e) => {
          if (e.kind !== 'tuple' || e.elems.length !== 2) throw new ConvertError('map entries must be 2-tuples');
          return [toJs(e.elems[0]!, t.key), toJs(e.elems[1]!, t.value)];
        });
      }
      const et = t?.kind === 'list' ? t.elem : undefined;
      const ek =
        et?.kind ??
        (v.elems.length > 0 && v.elems.every((e) => e.kind === v.elems[0]!.kind) ? v.elems[0]!.kind : undefined);
      const TA = ek ? TYPED_ARRAYS[ek] : undefined;
      const elems = v.elems.map((e) => toJs(e, et));
      return TA ? new TA(elems as never) : elems;
    }
    case 'tuple': {
      const ts = t?.kind === 'tuple' ? t.types : undefined;
      if (ts && ts.length !== v.elems.length)
        throw new ConvertError(`tuple has ${v.elems.length} elements, type has ${ts.length}`);
      return v.elems.map((e, i) => toJs(e, ts?.[i]));
    }
    case 'record': {
      const out: Record<string, unknown> = {};
      const fts = t?.kind === 'record' ? t.fields : undefined;
      for (const f of v.fields) {
        const ft = fts?.find((x) => x.label === f.name);
        if (fts && !ft) throw new ConvertError(`record has no field ${f.name}`);
        out[camelCase(f.name)] = toJs(f.value, ft?.type);
      }
      if (fts && fts.length !== v.fields.length) throw new ConvertError('record value does not list every field');
      return out;
    }
    case 'variant': {
      const ct = t?.kind === 'variant' ? t.cases.find((c) => c.label === v.label) : undefined;
      if (t && !ct) throw new ConvertError(`variant has no case ${v.label}`);
      return { tag: v.label, val: v.value ? toJs(v.value, ct?.type) : undefined };
    }
    case 'enum':
      if (t?.kind === 'enum' && !t.labels.includes(v.label)) throw new ConvertError(`enum has no case ${v.label}`);
      return v.label;
    case 'flags': {
      const out: Record<string, boolean> = {};
      if (t?.kind === 'flags') {
        for (const l of t.labels) out[camelCase(l)] = false;
        for (const l of v.labels) {
          if (!t.labels.includes(l)) throw new ConvertError(`flags has no label ${l}`);
        }
      } else {
        Object.defineProperty(out, PARTIAL_FLAGS, { value: true });
      }
      for (const l of v.labels) out[camelCase(l)] = true;
      return out;
    }
    case 'option': {
      // @weft/core: an option whose payload is itself an option takes the
      // `{ tag: 'some' | 'none', val }` form; any other option is `T | undefined`.
      const pt = t?.kind === 'option' ? t.type : undefined;
      const tagged = pt ? pt.kind === 'option' : v.value?.kind === 'option';
      if (tagged) return v.value === undefined ? { tag: 'none' } : { tag: 'some', val: toJs(v.value, pt) };
      return v.value === undefined ? undefined : toJs(v.value, pt);
    }
    case 'result': {
      const pt = t?.kind === 'result' ? (v.ok ? t.ok : t.err) : undefined;
      return { tag: v.ok ? 'ok' : 'err', val: v.value ? toJs(v.value, pt) : undefined };
    }
  }
}

/** Describes the first difference between an expected and an actual JS value, or undefined if equal. */
export function diff(expected: unknown, actual: unknown, path = ''): string | undefined {
  const at = path ? ` at ${path}` : '';
  if (typeof expected === 'number') {
    if (Number.isNaN(expected))
      return typeof actual === 'number' && Number.isNaN(actual) ? undefined : `expected NaN${at}, got ${show(actual)}`;
    // Object.is keeps -0 and +0 apart, as the spec's bit-exact comparison does.
    return Object.is(expected, actual) ? undefined : `expected ${show(expected)}${at}, got ${show(actual)}`;
  }
  if (typeof expected !== 'object' || expected === null) {
    return expected === actual ? undefined : `expected ${show(expected)}${at}, got ${show(actual)}`;
  }
  if (expected instanceof Map) {
    const entries = actual instanceof Map ? [...actual] : Array.isArray(actual) ? actual : undefined;
    if (!entries) return `expected a map${at}, got ${show(actual)}`;
    return diff([...expected], entries, path);
  }
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    if (actual instanceof Map) actual = [...actual];
    if (!(Array.isArray(actual) || ArrayBuffer.isView(actual))) return `expected a list${at}, got ${show(actual)}`;
    const e = expected as ArrayLike<unknown>;
    const a = actual as unknown as ArrayLike<unknown>;
    if (e.length !== a.length) return `expected ${e.length} elements${at}, got ${a.length}: ${show(actual)}`;
    for (let i = 0; i < e.length; i++) {
      const d = diff(e[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof actual !== 'object' || actual === null) return `expected ${show(expected)}${at}, got ${show(actual)}`;
  const eo = expected as Record<string, unknown>;
  const ao = actual as Record<string, unknown>;
  if ((eo as Record<symbol, unknown>)[PARTIAL_FLAGS]) {
    const want = Object.keys(eo)
      .filter((k) => eo[k])
      .sort()
      .join(',');
    const got = Object.keys(ao)
      .filter((k) => ao[k])
      .sort()
      .join(',');
    return want === got ? undefined : `expected flags {${want}}${at}, got {${got}}`;
  }
  const keys = new Set([...Object.keys(eo), ...Object.keys(ao)]);
  for (const k of keys) {
    // A missing key and an undefined one are the same (`{ tag }` vs `{ tag, val: undefined }`).
    const d = diff(eo[k], ao[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

/** Compact, bigint-safe rendering of a JS value for messages. */
export function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return String(v);
  if (v instanceof Map) return `Map(${show([...v])})`;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const xs = Array.from(v as unknown as ArrayLike<unknown>);
    const body = xs.slice(0, 16).map(show).join(', ') + (xs.length > 16 ? ', ...' : '');
    return `[${body}]`;
  }
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}: ${show(x)}`)
    .join(', ')}}`;
}
