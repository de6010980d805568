// The async half of definitions.py ComponentInstance (threads, backpressure,
// exclusive thread), kept beside ComponentInstance (component-instance.ts) so instances
// that never use async pay nothing. Handles share the instance's one table
// (table.ts), as in the spec.

import type { ComponentInstance } from './component-instance.ts';
import { Table } from './table.ts';
import type { Thread } from './thread.ts';

export class AsyncInstanceState {
  readonly inst: ComponentInstance;
  readonly threads = new Table<Thread>();
  backpressure = 0;
  numWaitingToEnter = 0;
  exclusiveThread: Thread | undefined = undefined;
  /** This instance's core code runs on JSPI stacks (its component has blocking built-ins). */
  jspi = false;
  /**
   * `jspi` only for time slicing (nothing it imports may block): its synchronously lowered host
   * imports need no dispatcher, as without slicing (InstantiateOptions.hostImportsMaySuspend).
   */
  slicedOnly = false;
  /** A lift was built: from then on `jspi` may not change. */
  liftsBuilt = false;
  /**
   * The implicit thread of the newest task entered, while it has not needed its
   * index in `threads`: it gets one on first need (`indexPending`, which every
   * other use of `threads` calls first). The table hands indices out
   * deterministically, so each is the one it would have got on entry (the
   * spec's register_thread), and a call that never asks costs no table entry.
   */
  unindexed: Thread | undefined = undefined;

  /** Gives the unindexed thread, if any, its index. */
  indexPending(): void {
    const t = this.unindexed;
    if (t !== undefined) {
      this.unindexed = undefined;
      t.index = this.threads.add(t);
    }
  }

  /** A thread's index in `threads`. */
  indexOf(t: Thread): number {
    if (t === this.unindexed) this.indexPending();
    return t.index!;
  }

  /** The thread at index `i` (traps if none). */
  threadAt(i: number): Thread {
    this.indexPending();
    return this.threads.get(i);
  }

  constructor(inst: ComponentInstance) {
    this.inst = inst;
  }
}

export function asyncState(inst: ComponentInstance): AsyncInstanceState {
  let s = inst.asyncState;
  if (s === undefined) {
    s = new AsyncInstanceState(inst);
    inst.asyncState = s;
  }
  return s;
}
