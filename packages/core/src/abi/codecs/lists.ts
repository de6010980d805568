// Codecs of list<T> (in guest memory behind ptr/len) and list<T, N> (fixed
// length: inline, like a tuple). Lists of numbers lift to typed arrays.

import { Trap } from '../../host/errors.ts';
import type { ValType } from '../../types/model.ts';
import type { LiftLowerContext } from '../context.ts';
import { badValue } from '../../runtime/errors.ts';
import { MAX_LIST_BYTE_LENGTH } from '../layout.ts';
import { hostSize } from '../host-size.ts';
import { type Codec, composite } from './codec.ts';
import { codecFor } from './index.ts';
import { pairCodec, rangeStored } from './pair.ts';

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

/** The checks of load_list_from_range before reading n elements of `size` bytes at ptr. */
export function checkListRange(cx: LiftLowerContext, ptr: number, n: number, size: number, align: number): void {
  const bytes = n * size;
  if (bytes > MAX_LIST_BYTE_LENGTH) {
    throw new Trap(cx.fused ? 'list content out-of-bounds' : 'list pointer/length out of bounds of memory');
  }
  cx.checkGuestRange(ptr, align, bytes, 'list');
}

/**
 * load_list_from_valid_range / store_list_into_valid_range for one element
 * codec. loadRange charges the lift budget first: a typed array its bytes,
 * an Array its elements' estimated host size (their own lists and strings
 * are charged as they are lifted).
 */
interface RangeOps {
  loadRange(cx: LiftLowerContext, ptr: number, n: number): unknown;
  storeRange(cx: LiftLowerContext, v: ArrayLike<unknown>, ptr: number): void;
}

function rangeOps(e: Codec): RangeOps {
  const size = e.size;
  const Ctor = TYPED[e.type.kind];
  const ld = e.load;
  const st = e.store;
  const storeEach = (cx: LiftLowerContext, v: ArrayLike<unknown>, ptr: number): void => {
    for (let i = 0, n = v.length; i < n; i++) st(cx, v[i], ptr + i * size);
  };
  if (Ctor !== undefined) {
    const isFloat = Ctor === Float32Array || Ctor === Float64Array;
    return {
      loadRange(cx, ptr, n) {
        cx.charge(n * size);
        // One copy into a fresh buffer (the result must not alias guest memory).
        const a =
          Ctor === Uint8Array
            ? cx.u8.slice(ptr, ptr + n)
            : new Ctor(cx.buffer.slice(ptr, ptr + n * size) as ArrayBuffer);
        if (isFloat) for (let i = 0; i < n; i++) if (a[i] !== a[i]) (a as Float64Array)[i] = NaN;
        return a;
      },
      storeRange(cx, v, ptr) {
        if (v instanceof Ctor) cx.u8.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), ptr);
        else storeEach(cx, v, ptr);
      },
    };
  }
  const cost = hostSize(e.type);
  return {
    loadRange(cx, ptr, n) {
      cx.charge(n * cost);
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = ld(cx, ptr + i * size);
      return a;
    },
    storeRange: storeEach,
  };
}

export function listCodec(t: ValType & { kind: 'list' }): Codec {
  const e = codecFor(t.elem);
  const { loadRange, storeRange } = rangeOps(e);
  if (t.length !== undefined) return fixedListCodec(t, e, loadRange, storeRange);
  const size = e.size;
  const align = e.align;
  return pairCodec(
    t,
    (cx, ptr, n) => {
      checkListRange(cx, ptr, n, size, align);
      return loadRange(cx, ptr, n);
    },
    // store_list_into_range
    (cx, v) => {
      const a = checkList(v);
      const n = a.length;
      const bytes = n * size;
      if (bytes > 0xffff_ffff) badValue('a shorter list', v);
      const ptr = cx.allocChecked(align, bytes, 'list');
      storeRange(cx, a, ptr);
      rangeStored.ptr = ptr;
      rangeStored.len = n;
    },
  );
}

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
  return composite(t, {
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
  });
}
