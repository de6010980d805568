// Codec of variant, enum, option and result (load_variant / store_variant /
// lift_flat_variant / lower_flat_variant of definitions.py).

import { Trap } from '../../host/errors.ts';
import type { ValType } from '../../types/model.ts';
import { casesOf, discriminantType, elemSize, flattenType, payloadOffset } from '../layout.ts';
import { type Codec, composite } from './codec.ts';
import { codecFor } from './index.ts';
import { type Coerce, liftCoercion, lowerCoercion } from './variant-coercions.ts';
import { matched, variantJs } from './variant-js.ts';

export function variantCodec(t: ValType): Codec {
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

  return composite(t, {
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
  });
}
