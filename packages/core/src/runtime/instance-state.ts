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
  /** A lift was built: from then on `jspi` may not change. */
  liftsBuilt = false;

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
