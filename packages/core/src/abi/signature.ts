// What lifting or lowering a function type needs that depends only on the type: its
// parameter types and codecs, its result codec, whether parameters spill to memory (and
// the tuple codec they spill as). Kept per type object, as codecs are: every instance that
// lifts or lowers the same (substituted) type shares it. Never mutated.

import type { FuncType, ValType } from '../types/model.ts';
import { codecFor, type Codec } from './codecs/index.ts';
import { flatCount, MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS } from './layout.ts';

export interface Signature {
  readonly paramTypes: readonly ValType[];
  readonly params: readonly Codec[];
  readonly result: Codec | undefined;
  readonly nFlatParams: number;
  /** The params spill to memory (more than MAX_FLAT_PARAMS flat values). */
  readonly spillParams: boolean;
  /** Likewise past MAX_FLAT_ASYNC_PARAMS (an async lower). */
  readonly spillAsyncParams: boolean;
  /** The result needs more than MAX_FLAT_RESULTS flat values. */
  readonly spillResult: boolean;
  /** The params as one tuple, when they spill (either limit). */
  readonly argsTuple: Codec | undefined;
}

const signatures = new WeakMap<FuncType, Signature>();

export function signatureOf(ft: FuncType): Signature {
  let s = signatures.get(ft);
  if (s === undefined) {
    const paramTypes = Object.freeze(ft.params.map((p) => p.type));
    const result = ft.result ? codecFor(ft.result) : undefined;
    const nFlatParams = flatCount(paramTypes);
    const spillAsyncParams = nFlatParams > MAX_FLAT_ASYNC_PARAMS;
    s = Object.freeze({
      paramTypes,
      params: Object.freeze(paramTypes.map(codecFor)),
      result,
      nFlatParams,
      spillParams: nFlatParams > MAX_FLAT_PARAMS,
      spillAsyncParams,
      spillResult: result !== undefined && result.flat.length > MAX_FLAT_RESULTS,
      argsTuple: spillAsyncParams ? codecFor({ kind: 'tuple', types: paramTypes as ValType[] }) : undefined,
    });
    signatures.set(ft, s);
  }
  return s;
}
