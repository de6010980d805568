// Specialised lifting/lowering. For each ValType we build, once, a Codec of
// closures for load/store (linear memory) and liftFlat/lowerFlat (core
// values), mirroring load/store/lift_flat/lower_flat of definitions.py, so no
// call interprets the type tree. Codecs are cached per type object and take
// the LiftLowerContext as an argument, so one codec serves every instance.
//
// Memory views: callers refresh cx once before a load/store; only realloc can
// grow memory mid-operation and it refreshes cx itself, so every write reads
// cx.dv/cx.u8 at the moment it writes.

import type { ValType } from '../../types/model.ts';
import type { Codec } from './codec.ts';
import { flagsCodec } from './flags.ts';
import { handleValCodec } from './handles.ts';
import { listCodec } from './lists.ts';
import { mapCodec } from './maps.ts';
import { recordCodec, tupleCodec } from './records.ts';
import { scalarCodec } from './scalars.ts';
import { stringCodec } from './string.ts';
import { variantCodec } from './variants.ts';

export type { Codec } from './codec.ts';

const codecs = new WeakMap<ValType, Codec>();

export function codecFor(t: ValType): Codec {
  let c = codecs.get(t);
  if (c === undefined) {
    c = build(t);
    codecs.set(t, c);
  }
  return c;
}

function build(t: ValType): Codec {
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
    default: {
      const c = scalarCodec(t) ?? handleValCodec(t);
      if (c === undefined) throw new TypeError(`no canonical ABI for type ${t.kind}`);
      return c;
    }
  }
}
