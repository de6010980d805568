// Runtime state of one component instance (definitions.py ComponentInstance).
// abi/, resources/ and async/ read and extend it; the linker creates it.

import { Trap } from '../host/errors.ts';

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
  /**
   * The instance's handle table (resources, and later waitables); created by
   * resources/ on first use so instances that never touch handles pay nothing.
   */
  table: unknown;

  constructor(label: string, parent?: ComponentInstance) {
    this.label = label;
    this.parent = parent;
  }

  /** Records the first trap; abi/instance-entry.ts refuses entry from then on. */
  poison(t: Trap): Trap {
    if (!this.poisoned) this.poisoned = t;
    return t;
  }
}
