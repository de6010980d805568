// What one lifted value costs the host, for the lift budget (instantiate
// option maxLiftBytes, LiftLowerContext.charge): an estimate of the JS heap
// bytes of a value held in an array slot, the slot included. The contents of
// the lists, maps and strings inside it are not counted here: each is charged
// by its own codec when it is lifted (lists.ts, maps.ts, strings.ts).

import type { ValType } from '../types/model.ts';

/** A JS object's header (map, properties, elements). */
const OBJECT = 24;
/** An Array, typed array or Map object with its backing store's header. */
const COLLECTION = 96;

const sizes = new WeakMap<ValType, number>();

/** Estimated host bytes of one lifted value of type `t` (at least 8: its slot). */
export function hostSize(t: ValType): number {
  let n = sizes.get(t);
  if (n === undefined) {
    n = measure(t);
    sizes.set(t, n);
  }
  return n;
}

function measure(t: ValType): number {
  switch (t.kind) {
    case 'bool':
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'char':
    case 'enum':
      return 8;
    case 'f32':
    case 'f64':
      return 8 + 16; // a heap number
    case 's64':
    case 'u64':
      return 8 + 24; // a BigInt
    case 'string':
      return 8 + 16; // the header; the characters are charged by the string's lift
    case 'list':
    case 'map':
      return 8 + COLLECTION;
    case 'record': {
      let s = 8 + OBJECT;
      for (const f of t.fields) s += hostSize(f.type);
      return s;
    }
    case 'tuple': {
      let s = 8 + COLLECTION;
      for (const e of t.types) s += hostSize(e);
      return s;
    }
    case 'flags':
      return 8 + OBJECT + 8 * t.labels.length;
    case 'variant': {
      let m = 0;
      for (const c of t.cases) if (c.type !== undefined) m = Math.max(m, hostSize(c.type));
      return 8 + OBJECT + 16 + m;
    }
    case 'option':
      return 8 + OBJECT + 16 + hostSize(t.type);
    case 'result':
      return (
        8 + OBJECT + 16 + Math.max(t.ok === undefined ? 0 : hostSize(t.ok), t.err === undefined ? 0 : hostSize(t.err))
      );
    default:
      // own, borrow, stream, future, error-context: a wrapper object.
      return 8 + 2 * OBJECT;
  }
}
