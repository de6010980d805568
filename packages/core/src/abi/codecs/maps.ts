// Codec of map<K, V>: in guest memory as a list of (key, value) tuples; a JS
// Map (or an array of [key, value] pairs) on the host side.

import type { ValType } from '../../types/model.ts';
import type { LiftLowerContext } from '../context.ts';
import { badValue } from '../../runtime/errors.ts';
import { alignment, elemSize, fieldOffsets } from '../layout.ts';
import { hostSize } from '../host-size.ts';
import type { Codec } from './codec.ts';
import { codecFor } from './index.ts';
import { checkListRange } from './lists.ts';
import { pairCodec, rangeStored } from './pair.ts';

const MAP_ENTRIES = Symbol('weft.map-entries');

export function mapCodec(t: ValType & { kind: 'map' }): Codec {
  const k = codecFor(t.key);
  const val = codecFor(t.value);
  const [koff, voff] = fieldOffsets([t.key, t.value]) as [number, number];
  const tuple: ValType = { kind: 'tuple', types: [t.key, t.value] };
  const size = elemSize(tuple);
  const align = alignment(tuple);
  // A Map entry: key and value (slots included) and the hash table's own words.
  const cost = hostSize(t.key) + hostSize(t.value) + 16;
  const loadFromRange = (cx: LiftLowerContext, ptr: number, n: number): Map<unknown, unknown> => {
    checkListRange(cx, ptr, n, size, align);
    cx.charge(n * cost);
    const m = new Map();
    let all: [unknown, unknown][] | undefined;
    for (let i = 0; i < n; i++) {
      const p = ptr + i * size;
      const key = k.load(cx, p + koff);
      const value = val.load(cx, p + voff);
      if (all === undefined && m.has(key)) all = [...m];
      m.set(key, value);
      all?.push([key, value]);
    }
    // A JS Map keeps the last of duplicate keys; the ABI keeps them all, so
    // a map passed on to another component carries every entry.
    if (all !== undefined) Object.defineProperty(m, MAP_ENTRIES, { value: all });
    return m;
  };
  const storeIntoRange = (cx: LiftLowerContext, v: unknown): void => {
    let entries: Iterable<[unknown, unknown]>;
    let n: number;
    if (v instanceof Map) {
      const all = (v as unknown as Record<symbol, [unknown, unknown][]>)[MAP_ENTRIES];
      if (all) {
        entries = all;
        n = all.length;
      } else {
        entries = v;
        n = v.size;
      }
    } else if (Array.isArray(v)) {
      entries = v as [unknown, unknown][];
      n = v.length;
    } else badValue('a Map', v);
    const ptr = cx.allocChecked(align, n * size, 'list');
    let p = ptr;
    for (const entry of entries) {
      if (!Array.isArray(entry)) badValue('a [key, value] pair', entry);
      k.store(cx, entry[0], p + koff);
      val.store(cx, entry[1], p + voff);
      p += size;
    }
    rangeStored.ptr = ptr;
    rangeStored.len = n;
  };
  return pairCodec(t, loadFromRange, storeIntoRange);
}
