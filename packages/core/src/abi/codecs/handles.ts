// Codecs of the handle types: own, borrow, stream, future and error-context.
// Each is an i32 index into a table of the instance; the table work lives in
// ../resource-values.ts and ../async-values.ts.

import {
  liftErrorContext,
  liftFuture,
  liftStream,
  lowerErrorContext,
  lowerFuture,
  lowerStream,
} from '../async-values.ts';
import { liftBorrow, liftOwn, lowerBorrow, lowerOwn } from '../resource-values.ts';
import type { ResourceRuntimeType } from '../../runtime/resource-type.ts';
import type { ValType } from '../../types/model.ts';
import type { LiftLowerContext } from '../context.ts';
import { type Codec, scalar } from './codec.ts';

type LiftHandle = (cx: LiftLowerContext, i: number) => unknown;
type LowerHandle = (cx: LiftLowerContext, v: unknown) => number;

function handleCodec(t: ValType, lift: LiftHandle, lower: LowerHandle): Codec {
  return scalar(
    t,
    (cx, p) => lift(cx, cx.dv.getUint32(p, true)),
    (cx, v, p) => {
      const i = lower(cx, v);
      cx.dv.setUint32(p, i, true);
    },
    lift,
    lower,
  );
}

export function handleValCodec(t: ValType): Codec | undefined {
  switch (t.kind) {
    case 'own': {
      const rt = t.resource as ResourceRuntimeType;
      return handleCodec(
        t,
        (cx, i) => liftOwn(cx, i, rt),
        (cx, v) => lowerOwn(cx, v, rt),
      );
    }
    case 'borrow': {
      const rt = t.resource as ResourceRuntimeType;
      return handleCodec(
        t,
        (cx, i) => liftBorrow(cx, i, rt),
        (cx, v) => lowerBorrow(cx, v, rt),
      );
    }
    case 'stream':
      return handleCodec(
        t,
        (cx, i) => liftStream(cx, i, t),
        (cx, v) => lowerStream(cx, v, t),
      );
    case 'future':
      return handleCodec(
        t,
        (cx, i) => liftFuture(cx, i, t),
        (cx, v) => lowerFuture(cx, v, t),
      );
    case 'error-context':
      return handleCodec(t, liftErrorContext, lowerErrorContext);
    default:
      return undefined;
  }
}
