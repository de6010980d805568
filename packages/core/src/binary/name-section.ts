// The `component-name` custom section (Binary.md "Name Section"). Like core
// wasm's name section it is advisory: anything malformed is ignored, never fatal.

import type { ComponentIR, Sort } from './ir.ts';
import { Reader } from './reader.ts';
import { sort } from './decode-types.ts';

type Names = NonNullable<ComponentIR['names']>;

/** Parses the section body (after its name); undefined if it is malformed. */
export function parseComponentNames(data: Uint8Array): Names | undefined {
  try {
    const r = new Reader(data);
    const names: Names = { sorts: [] };
    let lastId = -1;
    while (!r.eof()) {
      const id = r.u8();
      const size = r.u32();
      if (size > r.remaining) return undefined;
      const sub = new Reader(data, r.pos, r.pos + size);
      r.pos += size;
      if (id === 0) {
        if (lastId >= 0) return undefined;
        names.component = sub.name();
      } else if (id === 1) {
        const s: Sort = sort(sub);
        const n = sub.count();
        const map = new Map<number, string>();
        for (let i = 0; i < n; i++) {
          const idx = sub.u32();
          map.set(idx, sub.name());
        }
        names.sorts.push({ sort: s, names: map });
      } else {
        continue; // unknown subsection: skip, as core wasm does
      }
      if (!sub.eof()) return undefined;
      lastId = id;
    }
    return names;
  } catch {
    return undefined;
  }
}
