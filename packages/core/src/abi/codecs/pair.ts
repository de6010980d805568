// Codecs whose value lives in guest memory behind a (ptr, length) pair:
// string, list and map share the flat/stored shape, differing only in how
// the range is read and written.

import type { ValType } from '../../types/model.ts';
import type { LiftLowerContext } from '../context.ts';
import type { Codec } from './codec.ts';

/**
 * Result slot of a storeIntoRange (reused: no allocation per value). Safe to
 * share: every writer reads it back right after its own store, before any
 * other codec runs.
 */
export const rangeStored = { ptr: 0, len: 0 };

/**
 * loadFromRange(cx, ptr, len) reads the value; storeIntoRange(cx, v) writes
 * it into freshly allocated guest memory and leaves (ptr, len) in rangeStored.
 */
export function pairCodec(
  t: ValType,
  loadFromRange: (cx: LiftLowerContext, ptr: number, len: number) => unknown,
  storeIntoRange: (cx: LiftLowerContext, v: unknown) => void,
): Codec {
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
      dv.setUint32(p, rangeStored.ptr, true);
      dv.setUint32(p + 4, rangeStored.len, true);
    },
    liftFlat(cx) {
      const f = cx.flat;
      const ptr = (f[cx.fi] as number) >>> 0;
      const len = (f[cx.fi + 1] as number) >>> 0;
      cx.fi += 2;
      return loadFromRange(cx, ptr, len);
    },
    lowerFlat(cx, v, out) {
      storeIntoRange(cx, v);
      out.push(rangeStored.ptr, rangeStored.len);
    },
  };
}
