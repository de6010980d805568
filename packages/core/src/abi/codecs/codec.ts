// The Codec shape every type's specialisation fills in, and the helpers the
// codec builders share.

import type { ValType } from '../../types/model.ts';
import type { LiftLowerContext } from '../context.ts';
import { badValue } from '../../runtime/errors.ts';
import { alignment, elemSize, type FlatType, flattenType } from '../layout.ts';

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

export type Load = (cx: LiftLowerContext, ptr: number) => unknown;
export type Store = (cx: LiftLowerContext, v: unknown, ptr: number) => void;
export type FromCore = (cx: LiftLowerContext, x: any) => unknown;
export type ToCore = (cx: LiftLowerContext, v: unknown) => unknown;

/** A codec whose flat form is one core value. */
export function scalar(type: ValType, load: Load, store: Store, fromCore: FromCore, toCore: ToCore): Codec {
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

export function checkObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object') badValue(what, v);
  return v as Record<string, unknown>;
}

/** A composite codec: its layout from the type, with the single-flat fast paths when they apply. */
export function composite(t: ValType, ops: Pick<Codec, 'load' | 'store' | 'liftFlat' | 'lowerFlat'>): Codec {
  return withSingleFlat({ type: t, size: elemSize(t), align: alignment(t), flat: flattenType(t), ...ops });
}

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
