// Memo tables for facts about type objects (layouts, "contains a borrow",
// name tokens). While a top-level validation walk runs they are plain Maps,
// emptied when it ends: the walk creates thousands of type objects and
// WeakMap entries are revisited by every garbage collection, which was a
// large share of validation time. Outside a walk (the ABI asking lazily at
// run time) they are WeakMaps, so the facts live exactly as long as the types.

let walking = false;
const walkTables: Map<object, unknown>[] = [];

export class TypeMemo<V> {
  readonly #weak = new WeakMap<object, V>();
  readonly #walk = new Map<object, V>();

  constructor() {
    walkTables.push(this.#walk);
  }

  get(t: object): V | undefined {
    return walking ? this.#walk.get(t) : this.#weak.get(t);
  }

  set(t: object, v: V): void {
    if (walking) this.#walk.set(t, v);
    else this.#weak.set(t, v);
  }
}

/** Runs a top-level validation walk with per-walk memo tables. */
export function duringWalk<T>(f: () => T): T {
  if (walking) return f();
  walking = true;
  try {
    return f();
  } finally {
    walking = false;
    for (const m of walkTables) m.clear();
  }
}
