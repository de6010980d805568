// Specialised lifting/lowering. For each ValType we build, once, a Codec of
// closures for load/store (linear memory) and liftFlat/lowerFlat (core
// values), mirroring load/store/lift_flat/lower_flat of definitions.py, so no
// call interprets the type tree. Codecs are cached per type object and take
// the LiftLowerContext as an argument, so one codec serves every instance.
//
// Memory views: callers refresh cx once before a load/store; only realloc can
// grow memory mid-operation and it refreshes cx itself, so every write reads
// cx.dv/cx.u8 at the moment it writes.

import { Trap } from '../host/errors.ts';
import { camelCase } from '../host/js-names.ts';
import type { CaseType, ValType } from '../types/model.ts';
import { liftBorrow, liftOwn, lowerBorrow, lowerOwn } from '../resources/lift-lower.ts';
import {
  liftErrorContext,
  liftFuture,
  liftStream,
  lowerErrorContext,
  lowerFuture,
  lowerStream,
} from '../async/values.ts';
import type { ResourceRuntimeType } from '../resources/resource-type.ts';
import type { LiftLowerContext } from './context.ts';
import { badValue } from './errors.ts';
import {
  alignment,
  casesOf,
  discriminantType,
  elemSize,
  type FlatType,
  fieldOffsets,
  flattenType,
  MAX_LIST_BYTE_LENGTH,
  payloadOffset,
} from './layout.ts';
import { loadStringFromRange, storeStringIntoRange, stored } from './strings.ts';

export interface Codec {
  readonly type: ValType;
  readonly size: number;
  readonly align: number;
  readonly flat: FlatType[];
  load(cx: LiftLowerContext, ptr: number): unknown;
  store(cx: LiftLowerContext, v: unknown, ptr: number): void;
  /** Reads flat.length values from cx.flat starting at cx.fi, advancing cx.fi. */
  liftFlat(cx: LiftLowerContext): unknown;
  /** Pushes flat.length core values onto out. */
  lowerFlat(cx: LiftLowerContext, v: unknown, out: unknown[]): void;
  /** One core value → JS (every codec whose flat.length is 1). */
  fromCore?: (cx: LiftLowerContext, x: any) => unknown;
  /** JS → one core value (every codec whose flat.length is 1). */
  toCore?: (cx: LiftLowerContext, v: unknown) => unknown;
}

const codecs = new WeakMap<ValType, Codec>();

export function codecFor(t: ValType): Codec {
  let c = codecs.get(t);
  if (c === undefined) {
    c = build(t);
    codecs.set(t, c);
  }
  return c;
}

// ---- scalars -------------------------------------------------------------

type Load = (cx: LiftLowerContext, ptr: number) => unknown;
type Store = (cx: LiftLowerContext, v: unknown, ptr: number) => void;
type FromCore = (cx: LiftLowerContext, x: any) => unknown;
type ToCore = (cx: LiftLowerContext, v: unknown) => unknown;

function scalar(type: ValType, load: Load, store: Store, fromCore: FromCore, toCore: ToCore): Codec {
  return {
    type,
    size: elemSize(type),
    align: alignment(type),
    flat: flattenType(type),
    load,
    store,
    fromCore,
    toCore,
    liftFlat: (cx) => fromCore(cx, cx.flat[cx.fi++]),
    lowerFlat: (cx, v, out) => {
      out.push(toCore(cx, v));
    },
  };
}

function checkInt(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    badValue(`${what} (an integer in ${lo}..${hi})`, v);
  return v;
}

function checkBig(v: unknown, lo: bigint, hi: bigint, what: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else badValue(`${what} (a bigint)`, v);
  if (b < lo || b > hi) badValue(`${what} in ${lo}..${hi}`, v);
  return b;
}

function checkBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  badValue('a boolean', v);
}

function checkNum(v: unknown, what: string): number {
  if (typeof v !== 'number') badValue(`${what} (a number)`, v);
  return v;
}

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const CANONICAL_F32_NAN = 0x7fc00000;
const CANONICAL_F64_NAN = 0x7ff8000000000000n;

/** convert_i32_to_char */
function toChar(i: number): string {
  i >>>= 0;
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) throw new Trap('invalid `char` bit pattern');
  return String.fromCodePoint(i);
}

function charToI32(v: unknown): number {
  if (typeof v === 'string' && v.length > 0 && v.length <= 2) {
    const cp = v.codePointAt(0)!;
    if ((cp < 0x10000 ? 1 : 2) === v.length && (cp < 0xd800 || cp > 0xdfff)) return cp;
  }
  badValue('a char (a string of one Unicode scalar value)', v);
}

const canonF = (x: number) => (x !== x ? NaN : x);

function buildScalar(t: ValType): Codec | undefined {
  switch (t.kind) {
    case 'bool':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint8(p) !== 0,
        (cx, v, p) => cx.dv.setUint8(p, checkBool(v) ? 1 : 0),
        (_cx, x) => x !== 0,
        (_cx, v) => (checkBool(v) ? 1 : 0),
      );
    case 'u8':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint8(p),
        (cx, v, p) => cx.dv.setUint8(p, checkInt(v, 0, 0xff, 'u8')),
        (_cx, x) => x & 0xff,
        (_cx, v) => checkInt(v, 0, 0xff, 'u8'),
      );
    case 's8':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt8(p),
        (cx, v, p) => cx.dv.setInt8(p, checkInt(v, -0x80, 0x7f, 's8')),
        (_cx, x) => (x << 24) >> 24,
        (_cx, v) => checkInt(v, -0x80, 0x7f, 's8'),
      );
    case 'u16':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint16(p, true),
        (cx, v, p) => cx.dv.setUint16(p, checkInt(v, 0, 0xffff, 'u16'), true),
        (_cx, x) => x & 0xffff,
        (_cx, v) => checkInt(v, 0, 0xffff, 'u16'),
      );
    case 's16':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt16(p, true),
        (cx, v, p) => cx.dv.setInt16(p, checkInt(v, -0x8000, 0x7fff, 's16'), true),
        (_cx, x) => (x << 16) >> 16,
        (_cx, v) => checkInt(v, -0x8000, 0x7fff, 's16'),
      );
    case 'u32':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint32(p, true),
        (cx, v, p) => cx.dv.setUint32(p, checkInt(v, 0, 0xffff_ffff, 'u32'), true),
        (_cx, x) => x >>> 0,
        (_cx, v) => checkInt(v, 0, 0xffff_ffff, 'u32'),
      );
    case 's32':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt32(p, true),
        (cx, v, p) => cx.dv.setInt32(p, checkInt(v, -0x8000_0000, 0x7fff_ffff, 's32'), true),
        (_cx, x) => x | 0,
        (_cx, v) => checkInt(v, -0x8000_0000, 0x7fff_ffff, 's32'),
      );
    case 'u64':
      return scalar(
        t,
        (cx, p) => cx.dv.getBigUint64(p, true),
        (cx, v, p) => cx.dv.setBigUint64(p, checkBig(v, 0n, U64_MAX, 'u64'), true),
        (_cx, x) => BigInt.asUintN(64, x),
        (_cx, v) => checkBig(v, 0n, U64_MAX, 'u64'),
      );
    case 's64':
      return scalar(
        t,
        (cx, p) => cx.dv.getBigInt64(p, true),
        (cx, v, p) => cx.dv.setBigInt64(p, checkBig(v, S64_MIN, S64_MAX, 's64'), true),
        (_cx, x) => BigInt.asIntN(64, x),
        (_cx, v) => checkBig(v, S64_MIN, S64_MAX, 's64'),
      );
    case 'f32':
      return scalar(
        t,
        (cx, p) => canonF(cx.dv.getFloat32(p, true)),
        (cx, v, p) => {
          const f = checkNum(v, 'f32');
          if (f !== f) cx.dv.setUint32(p, CANONICAL_F32_NAN, true);
          else cx.dv.setFloat32(p, f, true);
        },
        (_cx, x) => canonF(x),
        (_cx, v) => canonF(checkNum(v, 'f32')),
      );
    case 'f64':
      return scalar(
        t,
        (cx, p) => canonF(cx.dv.getFloat64(p, true)),
        (cx, v, p) => {
          const f = checkNum(v, 'f64');
          if (f !== f) cx.dv.setBigUint64(p, CANONICAL_F64_NAN, true);
          else cx.dv.setFloat64(p, f, true);
        },
        (_cx, x) => canonF(x),
        (_cx, v) => canonF(checkNum(v, 'f64')),
      );
    case 'char':
      return scalar(
        t,
        (cx, p) => toChar(cx.dv.getUint32(p, true)),
        (cx, v, p) => cx.dv.setUint32(p, charToI32(v), true),
        (_cx, x) => toChar(x),
        (_cx, v) => charToI32(v),
      );
    case 'own': {
      const rt = t.resource as ResourceRuntimeType;
      return scalar(
        t,
        (cx, p) => liftOwn(cx, cx.dv.getUint32(p, true), rt),
        (cx, v, p) => {
          const i = lowerOwn(cx, v, rt);
          cx.dv.setUint32(p, i, true);
        },
        (cx, x) => liftOwn(cx, x, rt),
        (cx, v) => lowerOwn(cx, v, rt),
      );
    }
    case 'borrow': {
      const rt = t.resource as ResourceRuntimeType;
      return scalar(
        t,
        (cx, p) => liftBorrow(cx, cx.dv.getUint32(p, true), rt),
        (cx, v, p) => {
          const i = lowerBorrow(cx, v, rt);
          cx.dv.setUint32(p, i, true);
        },
        (cx, x) => liftBorrow(cx, x, rt),
        (cx, v) => lowerBorrow(cx, v, rt),
      );
    }
    case 'stream':
      return scalar(
        t,
        (cx, p) => liftStream(cx, cx.dv.getUint32(p, true), t),
        (cx, v, p) => {
          const i = lowerStream(cx, v, t);
          cx.dv.setUint32(p, i, true);
        },
        (cx, x) => liftStream(cx, x, t),
        (cx, v) => lowerStream(cx, v, t),
      );
    case 'future':
      return scalar(
        t,
        (cx, p) => liftFuture(cx, cx.dv.getUint32(p, true), t),
        (cx, v, p) => {
          const i = lowerFuture(cx, v, t);
          cx.dv.setUint32(p, i, true);
        },
        (cx, x) => liftFuture(cx, x, t),
        (cx, v) => lowerFuture(cx, v, t),
      );
    case 'error-context':
      return scalar(
        t,
        (cx, p) => liftErrorContext(cx, cx.dv.getUint32(p, true)),
        (cx, v, p) => {
          const i = lowerErrorContext(cx, v);
          cx.dv.setUint32(p, i, true);
        },
        (cx, x) => liftErrorContext(cx, x),
        (cx, v) => lowerErrorContext(cx, v),
      );
    default:
      return undefined;
  }
}

// ---- strings ---------------------------------------------------------------

function stringCodec(t: ValType): Codec {
  return {
    type: t,
    size: 8,
    align: 4,
    flat: ['i32', 'i32'],
    load(cx, p) {
      const dv = cx.dv;
      return loadStringFromRange(cx, dv.getUint32(p, true), dv.getUint32(p + 4, true));
    },
    store(cx, v, p) {
      storeStringIntoRange(cx, v);
      const dv = cx.dv;
      dv.setUint32(p, stored.ptr, true);
      dv.setUint32(p + 4, stored.units, true);
    },
    liftFlat(cx) {
      const f = cx.flat;
      const ptr = (f[cx.fi] as number) >>> 0;
      const len = (f[cx.fi + 1] as number) >>> 0;
      cx.fi += 2;
      return loadStringFromRange(cx, ptr, len);
    },
    lowerFlat(cx, v, out) {
      storeStringIntoRange(cx, v);
      out.push(stored.ptr, stored.units);
    },
  };
}

// ---- lists -----------------------------------------------------------------

type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const TYPED: Partial<Record<ValType['kind'], TypedArrayCtor>> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

/** The JS array-ish a list value must be. */
function checkList(v: unknown): ArrayLike<unknown> {
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return v as ArrayLike<unknown>;
  badValue('an array', v);
}

/** load_list_from_valid_range / store_list_into_valid_range for one element codec. */
interface RangeOps {
  loadRange(cx: LiftLowerContext, ptr: number, n: number): unknown;
  storeRange(cx: LiftLowerContext, v: ArrayLike<unknown>, ptr: number): void;
}

function rangeOps(e: Codec): RangeOps {
  const size = e.size;
  const Ctor = TYPED[e.type.kind];
  if (Ctor !== undefined) {
    const isFloat = Ctor === Float32Array || Ctor === Float64Array;
    return {
      loadRange(cx, ptr, n) {
        // One copy into a fresh buffer (the result must not alias guest memory).
        const a =
          Ctor === Uint8Array
            ? cx.u8.slice(ptr, ptr + n)
            : new Ctor(cx.buffer.slice(ptr, ptr + n * size) as ArrayBuffer);
        if (isFloat) for (let i = 0; i < n; i++) if (a[i] !== a[i]) (a as Float64Array)[i] = NaN;
        return a;
      },
      storeRange(cx, v, ptr) {
        if (v instanceof Ctor) {
          cx.u8.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), ptr);
          return;
        }
        const st = e.store;
        for (let i = 0, n = v.length; i < n; i++) st(cx, v[i], ptr + i * size);
      },
    };
  }
  const ld = e.load;
  const st = e.store;
  return {
    loadRange(cx, ptr, n) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = ld(cx, ptr + i * size);
      return a;
    },
    storeRange(cx, v, ptr) {
      for (let i = 0, n = v.length; i < n; i++) st(cx, v[i], ptr + i * size);
    },
  };
}

function listCodec(t: ValType & { kind: 'list' }): Codec {
  const e = codecFor(t.elem);
  const { loadRange, storeRange } = rangeOps(e);
  const size = e.size;
  const align = e.align;
  if (t.length !== undefined) return fixedListCodec(t, e, loadRange, storeRange);

  const loadFromRange = (cx: LiftLowerContext, ptr: number, n: number): unknown => {
    const bytes = n * size;
    if (bytes > MAX_LIST_BYTE_LENGTH) {
      throw new Trap(cx.fused ? 'list content out-of-bounds' : 'list pointer/length out of bounds of memory');
    }
    cx.checkGuestRange(ptr, align, bytes, 'list');
    return loadRange(cx, ptr, n);
  };
  // store_list_into_range: result in listStored.
  const storeIntoRange = (cx: LiftLowerContext, v: unknown): void => {
    const a = checkList(v);
    const n = a.length;
    const bytes = n * size;
    if (bytes > 0xffff_ffff) badValue('a shorter list', v);
    const ptr = cx.allocChecked(align, bytes, 'list');
    storeRange(cx, a, ptr);
    listStored.ptr = ptr;
    listStored.len = n;
  };
  return {
    type: t,
    size: 8,
    align: 4,
    flat: ['i32', 'i32'],
    load(cx, p) {
      const dv = cx.dv;
      return loadFromRange(cx, dv.getUint32(p, true), dv.getUint32(p + 4, true));
    },
    store(cx, v, p) {
      storeIntoRange(cx, v);
      const dv = cx.dv;
      dv.setUint32(p, listStored.ptr, true);
      dv.setUint32(p + 4, listStored.len, true);
    },
    liftFlat(cx) {
      const f = cx.flat;
      const ptr = (f[cx.fi] as number) >>> 0;
      const n = (f[cx.fi + 1] as number) >>> 0;
      cx.fi += 2;
      return loadFromRange(cx, ptr, n);
    },
    lowerFlat(cx, v, out) {
      storeIntoRange(cx, v);
      out.push(listStored.ptr, listStored.len);
    },
  };
}

const listStored = { ptr: 0, len: 0 };

function fixedListCodec(
  t: ValType & { kind: 'list' },
  e: Codec,
  loadRange: RangeOps['loadRange'],
  storeRange: RangeOps['storeRange'],
): Codec {
  const n = t.length!;
  const Ctor = TYPED[e.type.kind];
  const check = (v: unknown): ArrayLike<unknown> => {
    const a = checkList(v);
    if (a.length !== n) badValue(`a list of exactly ${n} elements`, v);
    return a;
  };
  const lf = e.liftFlat;
  const lo = e.lowerFlat;
  const c: Codec = {
    type: t,
    size: elemSize(t),
    align: alignment(t),
    flat: flattenType(t),
    load: (cx, p) => loadRange(cx, p, n),
    store: (cx, v, p) => storeRange(cx, check(v), p),
    liftFlat(cx) {
      const a: any = Ctor !== undefined ? new Ctor(n) : new Array(n);
      for (let i = 0; i < n; i++) a[i] = lf(cx);
      return a;
    },
    lowerFlat(cx, v, out) {
      const a = check(v);
      for (let i = 0; i < n; i++) lo(cx, a[i], out);
    },
  };
  return withSingleFlat(c);
}

const MAP_ENTRIES = Symbol('weft.map-entries');

function mapCodec(t: ValType & { kind: 'map' }): Codec {
  const k = codecFor(t.key);
  const val = codecFor(t.value);
  const [koff, voff] = fieldOffsets([t.key, t.value]) as [number, number];
  const tuple: ValType = { kind: 'tuple', types: [t.key, t.value] };
  const size = elemSize(tuple);
  const align = alignment(tuple);
  const loadFromRange = (cx: LiftLowerContext, ptr: number, n: number): Map<unknown, unknown> => {
    const bytes = n * size;
    if (bytes > MAX_LIST_BYTE_LENGTH) {
      throw new Trap(cx.fused ? 'list content out-of-bounds' : 'list pointer/length out of bounds of memory');
    }
    cx.checkGuestRange(ptr, align, bytes, 'list');
    const m = new Map();
    let all: [unknown, unknown][] | undefined;
    for (let i = 0; i < n; i++) {
      const p = ptr + i * size;
      const key = k.load(cx, p + koff);
      const value = val.load(cx, p + voff);
      if (all === undefined && m.has(key)) all = [...m];
      m.set(key, value);
      all?.push([key, value]);
    }
    // A JS Map keeps the last of duplicate keys; the ABI keeps them all, so
    // a map passed on to another component carries every entry.
    if (all !== undefined) Object.defineProperty(m, MAP_ENTRIES, { value: all });
    return m;
  };
  const storeIntoRange = (cx: LiftLowerContext, v: unknown): void => {
    let entries: Iterable<[unknown, unknown]>;
    let n: number;
    if (v instanceof Map) {
      const all = (v as unknown as Record<symbol, [unknown, unknown][]>)[MAP_ENTRIES];
      if (all) {
        entries = all;
        n = all.length;
      } else {
        entries = v;
        n = v.size;
      }
    } else if (Array.isArray(v)) {
      entries = v as [unknown, unknown][];
      n = v.length;
    } else badValue('a Map', v);
    const ptr = cx.allocChecked(align, n * size, 'list');
    let p = ptr;
    for (const entry of entries) {
      if (!Array.isArray(entry)) badValue('a [key, value] pair', entry);
      k.store(cx, entry[0], p + koff);
      val.store(cx, entry[1], p + voff);
      p += size;
    }
    listStored.ptr = ptr;
    listStored.len = n;
  };
  return {
    type: t,
    size: 8,
    align: 4,
    flat: ['i32', 'i32'],
    load(cx, p) {
      const dv = cx.dv;
      return loadFromRange(cx, dv.getUint32(p, true), dv.getUint32(p + 4, true));
    },
    store(cx, v, p) {
      storeIntoRange(cx, v);
      cx.dv.setUint32(p, listStored.ptr, true);
      cx.dv.setUint32(p + 4, listStored.len, true);
    },
    liftFlat(cx) {
      const f = cx.flat;
      const ptr = (f[cx.fi] as number) >>> 0;
      const n = (f[cx.fi + 1] as number) >>> 0;
      cx.fi += 2;
      return loadFromRange(cx, ptr, n);
    },
    lowerFlat(cx, v, out) {
      storeIntoRange(cx, v);
      out.push(listStored.ptr, listStored.len);
    },
  };
}

// ---- records and tuples ----------------------------------------------------

function checkObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object') badValue(what, v);
  return v as Record<string, unknown>;
}

function recordCodec(t: ValType & { kind: 'record' }): Codec {
  const fs = t.fields.map((f) => codecFor(f.type));
  const names = t.fields.map((f) => camelCase(f.label));
  const offs = fieldOffsets(t.fields.map((f) => f.type));
  const n = fs.length;
  const c: Codec = {
    type: t,
    size: elemSize(t),
    align: alignment(t),
    flat: flattenType(t),
    load(cx, p) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = fs[i]!.load(cx, p + offs[i]!);
      return o;
    },
    store(cx, v, p) {
      const o = checkObject(v, 'a record object');
      for (let i = 0; i < n; i++) fs[i]!.store(cx, o[names[i]!], p + offs[i]!);
    },
    liftFlat(cx) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = fs[i]!.liftFlat(cx);
      return o;
    },
    lowerFlat(cx, v, out) {
      const o = checkObject(v, 'a record object');
      for (let i = 0; i < n; i++) fs[i]!.lowerFlat(cx, o[names[i]!], out);
    },
  };
  return withSingleFlat(c);
}

function tupleCodec(t: ValType & { kind: 'tuple' }): Codec {
  const fs = t.types.map((u) => codecFor(u));
  const offs = fieldOffsets(t.types);
  const n = fs.length;
  const check = (v: unknown): ArrayLike<unknown> => {
    if (!Array.isArray(v) || v.length !== n) badValue(`a tuple (array of ${n})`, v);
    return v;
  };
  const c: Codec = {
    type: t,
    size: elemSize(t),
    align: alignment(t),
    flat: flattenType(t),
    load(cx, p) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = fs[i]!.load(cx, p + offs[i]!);
      return a;
    },
    store(cx, v, p) {
      const a = check(v);
      for (let i = 0; i < n; i++) fs[i]!.store(cx, a[i], p + offs[i]!);
    },
    liftFlat(cx) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = fs[i]!.liftFlat(cx);
      return a;
    },
    lowerFlat(cx, v, out) {
      const a = check(v);
      for (let i = 0; i < n; i++) fs[i]!.lowerFlat(cx, a[i], out);
    },
  };
  return withSingleFlat(c);
}

// ---- flags -------------------------------------------------------------------

function flagsCodec(t: ValType & { kind: 'flags' }): Codec {
  const names = t.labels.map(camelCase);
  const n = names.length;
  const size = elemSize(t);
  const unpack = (i: number): Record<string, boolean> => {
    const o: Record<string, boolean> = {};
    for (let k = 0; k < n; k++) o[names[k]!] = ((i >>> k) & 1) === 1;
    return o;
  };
  const pack = (v: unknown): number => {
    const o = checkObject(v, 'a flags object');
    let i = 0;
    for (let k = 0; k < n; k++) if (o[names[k]!]) i |= 1 << k;
    return i >>> 0;
  };
  return scalar(
    t,
    (cx, p) =>
      unpack(size === 1 ? cx.dv.getUint8(p) : size === 2 ? cx.dv.getUint16(p, true) : cx.dv.getUint32(p, true)),
    (cx, v, p) => {
      const i = pack(v);
      if (size === 1) cx.dv.setUint8(p, i);
      else if (size === 2) cx.dv.setUint16(p, i, true);
      else cx.dv.setUint32(p, i, true);
    },
    (_cx, x) => unpack(x),
    (_cx, v) => pack(v),
  );
}

// ---- variants (variant, enum, option, result) ------------------------------

/** JS conversions of a variant-like kind; `match` writes into matched. */
interface VariantJs {
  make(index: number, payload: unknown): unknown;
  match(v: unknown): void;
}
const matched = { index: 0, val: undefined as unknown };

function variantJs(t: ValType, cases: CaseType[]): VariantJs {
  switch (t.kind) {
    case 'enum': {
      const idx = new Map(t.labels.map((l, i) => [l, i]));
      return {
        make: (i) => t.labels[i],
        match(v) {
          const i = typeof v === 'string' ? idx.get(v) : undefined;
          if (i === undefined) badValue(`one of ${t.labels.map((l) => `'${l}'`).join(', ')}`, v);
          matched.index = i;
          matched.val = undefined;
        },
      };
    }
    case 'option': {
      if (t.type.kind === 'option') {
        return {
          make: (i, p) => (i === 0 ? { tag: 'none' } : { tag: 'some', val: p }),
          match(v) {
            const tag = checkObject(v, "{ tag: 'some' | 'none' }").tag;
            if (tag === 'none') {
              matched.index = 0;
              matched.val = undefined;
            } else if (tag === 'some') {
              matched.index = 1;
              matched.val = (v as { val: unknown }).val;
            } else badValue("{ tag: 'some' | 'none' }", v);
          },
        };
      }
      return {
        make: (i, p) => (i === 0 ? undefined : p),
        match(v) {
          if (v === undefined || v === null) {
            matched.index = 0;
            matched.val = undefined;
          } else {
            matched.index = 1;
            matched.val = v;
          }
        },
      };
    }
    case 'result':
      return {
        make: (i, p) => ({ tag: i === 0 ? 'ok' : 'err', val: p }),
        match(v) {
          const o = checkObject(v, "{ tag: 'ok' | 'err', val }");
          if (o.tag === 'ok') matched.index = 0;
          else if (o.tag === 'err' || o.tag === 'error') matched.index = 1;
          else badValue("{ tag: 'ok' | 'err', val }", v);
          matched.val = o.val;
        },
      };
    default: {
      const idx = new Map(cases.map((c, i) => [c.label, i]));
      return {
        make: (i, p) => ({ tag: cases[i]!.label, val: p }),
        match(v) {
          const o = checkObject(v, '{ tag, val }');
          const i = typeof o.tag === 'string' ? idx.get(o.tag) : undefined;
          if (i === undefined) badValue(`a variant with tag ${cases.map((c) => `'${c.label}'`).join(' | ')}`, v);
          matched.index = i;
          matched.val = o.val;
        },
      };
    }
  }
}

// Bit reinterpretation for variant payload joins.
const scratch = new DataView(new ArrayBuffer(8));
function i32ToF32(x: number): number {
  scratch.setInt32(0, x, true);
  return scratch.getFloat32(0, true);
}
function f32ToI32(x: number): number {
  scratch.setFloat32(0, x, true);
  return scratch.getInt32(0, true);
}
function i64ToF64(x: bigint): number {
  scratch.setBigInt64(0, x, true);
  return scratch.getFloat64(0, true);
}
function f64ToI64(x: number): bigint {
  scratch.setFloat64(0, x, true);
  return scratch.getBigInt64(0, true);
}

type Coerce = ((x: any) => any) | undefined;

/** lift_flat_variant's CoerceValueIter: joined core type → the case's own. */
function liftCoercion(have: FlatType, want: FlatType): Coerce {
  if (have === want) return undefined;
  if (have === 'i32' && want === 'f32') return i32ToF32;
  if (have === 'i64' && want === 'i32') return (x: bigint) => Number(BigInt.asIntN(32, x));
  if (have === 'i64' && want === 'f32') return (x: bigint) => i32ToF32(Number(BigInt.asIntN(32, x)));
  if (have === 'i64' && want === 'f64') return i64ToF64;
  throw new Error(`no coercion ${have}→${want}`);
}

/** lower_flat_variant: the case's core type → joined. */
function lowerCoercion(have: FlatType, want: FlatType): Coerce {
  if (have === want) return undefined;
  if (have === 'f32' && want === 'i32') return f32ToI32;
  if (have === 'i32' && want === 'i64') return (x: number) => BigInt(x >>> 0);
  if (have === 'f32' && want === 'i64') return (x: number) => BigInt(f32ToI32(x) >>> 0);
  if (have === 'f64' && want === 'i64') return f64ToI64;
  throw new Error(`no coercion ${have}→${want}`);
}

function variantCodec(t: ValType): Codec {
  const cases = casesOf(t);
  const n = cases.length;
  const js = variantJs(t, cases);
  const make = js.make;
  const match = js.match;
  const discSize = elemSize(discriminantType(n));
  const payOff = payloadOffset(cases);
  const flat = flattenType(t);
  const payloadFlat = flat.slice(1);
  const zeros = payloadFlat.map((f) => (f === 'i64' ? 0n : 0));
  const cs = cases.map((c) => (c.type ? codecFor(c.type) : undefined));
  const lifts: Coerce[][] = cs.map((c) => (c ? c.flat.map((f, k) => liftCoercion(payloadFlat[k]!, f)) : []));
  const lowers: Coerce[][] = cs.map((c) => (c ? c.flat.map((f, k) => lowerCoercion(f, payloadFlat[k]!)) : []));
  const needLift = lifts.map((l) => l.some((x) => x !== undefined));
  const needLower = lowers.map((l) => l.some((x) => x !== undefined));
  const readDisc = (dv: DataView, p: number): number =>
    discSize === 1 ? dv.getUint8(p) : discSize === 2 ? dv.getUint16(p, true) : dv.getUint32(p, true);
  const badDisc = (): never => {
    throw new Trap('invalid variant discriminant');
  };

  const c: Codec = {
    type: t,
    size: elemSize(t),
    align: alignment(t),
    flat,
    load(cx, p) {
      const i = readDisc(cx.dv, p);
      if (i >= n) badDisc();
      const pc = cs[i];
      return make(i, pc === undefined ? undefined : pc.load(cx, p + payOff));
    },
    store(cx, v, p) {
      match(v);
      const i = matched.index;
      const val = matched.val;
      const dv = cx.dv;
      if (discSize === 1) dv.setUint8(p, i);
      else if (discSize === 2) dv.setUint16(p, i, true);
      else dv.setUint32(p, i, true);
      const pc = cs[i];
      if (pc !== undefined) pc.store(cx, val, p + payOff);
    },
    liftFlat(cx) {
      const i = (cx.flat[cx.fi++] as number) >>> 0;
      if (i >= n) badDisc();
      const start = cx.fi;
      const pc = cs[i];
      let payload: unknown;
      if (pc !== undefined) {
        if (needLift[i]) {
          const f = cx.flat as unknown[];
          const co = lifts[i]!;
          for (let k = 0; k < co.length; k++) {
            const fn = co[k];
            if (fn) f[start + k] = fn(f[start + k]);
          }
        }
        payload = pc.liftFlat(cx);
      }
      cx.fi = start + payloadFlat.length;
      return make(i, payload);
    },
    lowerFlat(cx, v, out) {
      match(v);
      const i = matched.index;
      const val = matched.val;
      out.push(i);
      const base = out.length;
      const pc = cs[i];
      if (pc !== undefined) {
        pc.lowerFlat(cx, val, out);
        if (needLower[i]) {
          const co = lowers[i]!;
          for (let k = 0; k < co.length; k++) {
            const fn = co[k];
            if (fn) out[base + k] = fn(out[base + k]);
          }
        }
      }
      for (let k = out.length - base; k < payloadFlat.length; k++) out.push(zeros[k]);
    },
  };
  return withSingleFlat(c);
}

// ---- single-flat fast paths for composites ---------------------------------

const one: unknown[] = [0];

/** Give a composite codec with exactly one flat value its fromCore/toCore. */
function withSingleFlat(c: Codec): Codec {
  if (c.flat.length !== 1) return c;
  const lf = c.liftFlat;
  const lo = c.lowerFlat;
  c.fromCore = (cx, x) => {
    const f = cx.flat;
    const fi = cx.fi;
    one[0] = x;
    cx.flat = one;
    cx.fi = 0;
    try {
      return lf(cx);
    } finally {
      cx.flat = f;
      cx.fi = fi;
    }
  };
  // Reused per codec: a single-flat value holds no list/string, so lowering it
  // never calls back into the guest and cannot re-enter this codec.
  const out: unknown[] = [];
  c.toCore = (cx, v) => {
    out.length = 0;
    lo(cx, v, out);
    return out[0];
  };
  return c;
}

function build(t: ValType): Codec {
  const s = buildScalar(t);
  if (s !== undefined) return s;
  switch (t.kind) {
    case 'string':
      return stringCodec(t);
    case 'list':
      return listCodec(t);
    case 'map':
      return mapCodec(t);
    case 'record':
      return recordCodec(t);
    case 'tuple':
      return tupleCodec(t);
    case 'flags':
      return flagsCodec(t);
    case 'variant':
    case 'enum':
    case 'option':
    case 'result':
      return variantCodec(t);
    default:
      throw new TypeError(`no canonical ABI for type ${(t as ValType).kind}`);
  }
}
