// Codec of flags: a JS object of booleans keyed by camelCased labels, packed
// into one 8/16/32-bit core value.

import { camelCase } from '../../host/js-names.ts';
import type { ValType } from '../../types/model.ts';
import { elemSize } from '../layout.ts';
import { type Codec, checkObject, scalar } from './codec.ts';

export function flagsCodec(t: ValType & { kind: 'flags' }): Codec {
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
