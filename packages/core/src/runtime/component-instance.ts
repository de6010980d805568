// Runtime state of one component instance (definitions.py ComponentInstance).
// The rest of runtime/ (instance-state.ts, table.ts), abi/ and canon/ read and
// extend it; the linker creates it.

import type { Trap } from '../host/errors.ts';
import { CopyEnd, SharedCopy } from './copy.ts';
import { Store } from './store.ts';
import type { Table } from './table.ts';
import type { AsyncInstanceState } from './instance-state.ts';

/**
 * Default cap on an instance's live handles: the spec allows 2^28, which at a
 * few hundred bytes a handle is more host memory than a guest should pin.
 */
export const DEFAULT_MAX_HANDLES = 1 << 20;

export class ComponentInstance {
  /** Optional parent: calls between an instance and its ancestors are checked as reentrance. */
  readonly parent: ComponentInstance | undefined;
  /** Name for messages (the component-name section, or the import/instance name). */
  readonly label: string;
  /** Cleared while the canonical ABI runs guest code that must not call out (realloc, post-return). */
  mayLeave = true;
  /** Cleared while a sync export of this instance is on the stack (no reentrance). */
  mayEnter = true;
  /** Set when a trap happened in this instance; every later entry traps with it. */
  poisoned: Trap | undefined;
  /** Its async half (instance-state.ts `asyncState`), made on first use. */
  asyncState: AsyncInstanceState | undefined = undefined;
  /**
   * The instance's handle table (resources, waitables, stream/future ends,
   * error-contexts); created by `tableOf` on first use so instances that never
   * touch handles pay nothing.
   */
  table: Table | undefined;

  /** Cap on live handles in `table` (resources, waitables, stream/future ends). */
  readonly maxHandles: number;

  /**
   * definitions.py `inst.store`: its tasks, threads, scheduler and options.
   * One per top-level instantiation; nested instances share their root's.
   */
  readonly store: Store;

  constructor(label: string, parent?: ComponentInstance, maxHandles?: number, store?: Store) {
    this.label = label;
    this.parent = parent;
    this.maxHandles = maxHandles ?? parent?.maxHandles ?? DEFAULT_MAX_HANDLES;
    this.store = store ?? parent?.store ?? new Store();
  }

  /** Records the first trap; instance-entry.ts refuses entry from then on. */
  poison(t: Trap): Trap {
    if (!this.poisoned) {
      this.poisoned = t;
      this.releaseCopyEnds(t);
    }
    return t;
  }

  /**
   * The spec aborts the whole store on a trap; Weft keeps the host and other
   * instances running, so the streams and futures this instance held must
   * end: their other ends (host readers, other guests) see them dropped
   * instead of waiting forever. A reader whose writer this instance held
   * (a stream or future returned by `task.return` before the trap) learns
   * the trap: host reads and awaits reject with it rather than end cleanly.
   */
  private releaseCopyEnds(t: Trap): void {
    const table = this.table;
    if (table === undefined) return;
    for (const e of table) {
      if (!(e instanceof CopyEnd)) continue;
      try {
        const s = e.shared;
        if (!e.isReadable() && s instanceof SharedCopy && !s.dropped) s.poisoned ??= t;
        e.shared.drop();
      } catch {
        // the other end may have gone already; nothing more to release
      }
    }
  }
}
