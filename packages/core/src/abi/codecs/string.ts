// Codec of string: (ptr, code units) in guest memory, in the instance's
// string encoding (the work is in ../strings.ts). The same shape as
// pairCodec, kept apart so the hottest codec's closures are its own (V8
// inlines monomorphic call sites; shared closures would see three targets).

import type { ValType } from '../../types/model.ts';
import { loadStringFromRange, storeStringIntoRange, stored } from '../strings.ts';
import type { Codec } from './codec.ts';

export function stringCodec(t: ValType): Codec {
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
