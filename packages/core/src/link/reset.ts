// Resetting an instantiation to the state instantiation left it in (`resetInstance`), for a
// host that replaces instances often (a server's requests per instance): instead of making a
// new one, an idle instance gets back its memories' bytes, its mutable globals, its tables and
// fresh handle tables, as a new instantiation would have them. Only a component compiled with
// `{ resettable: true }` can be reset: that makes every core module export its state
// (instrument/index.ts), taken here once instantiation ends.

import { STATE_EXPORT, STATE_UNRESETTABLE, STATE_WRITES_TABLES } from '../instrument/index.ts';
import { type InstantiationParts, running, type Store } from '../runtime/store.ts';
import { flagHoldsTrap } from './guard.ts';
import type { LinkPlan, ModuleState } from './plan.ts';

/** The key of an `Instance`'s reset (non-enumerable). */
export const RESET = Symbol('weft.reset');

interface MemoryState {
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
}
interface TableState {
  table: WebAssembly.Table;
  length: number;
  /** Its elements, when some module's code may change them (else only the length is checked). */
  elements: unknown[] | undefined;
}

/** The state to go back to, and the checks that the instantiation is idle. */
export class Reset {
  readonly #store: Store;
  readonly #parts: InstantiationParts;
  readonly #guard: Record<string, unknown> | undefined;
  readonly #memories: MemoryState[] = [];
  readonly #globals: { global: WebAssembly.Global; value: unknown }[] = [];
  readonly #tables: TableState[] = [];
  readonly #fuel: bigint | undefined;
  readonly #possible: boolean;

  constructor(store: Store, parts: InstantiationParts, guard: Record<string, unknown> | undefined, plan: LinkPlan) {
    this.#store = store;
    this.#parts = parts;
    this.#guard = guard;
    const fuel = guard?.fuel as WebAssembly.Global | undefined;
    this.#fuel = fuel?.value as bigint | undefined;
    let possible = !parts.definesResources;
    // A table another module's code may write (an imported one) counts as written too.
    let tablesWritten = false;
    for (const { module } of parts.cores) {
      const { flags } = moduleState(plan, module);
      if (flags & STATE_UNRESETTABLE) possible = false;
      if (flags & STATE_WRITES_TABLES) tablesWritten = true;
    }
    this.#possible = possible;
    if (!possible) return;
    for (const { module, exports } of parts.cores) {
      for (const name of moduleState(plan, module).names) {
        const v = exports[name];
        if (v instanceof WebAssembly.Memory)
          this.#memories.push({ memory: v, bytes: new Uint8Array(v.buffer.slice(0)) });
        else if (v instanceof WebAssembly.Global) this.#globals.push({ global: v, value: v.value });
        else if (v instanceof WebAssembly.Table) {
          let elements: unknown[] | undefined;
          if (tablesWritten) {
            elements = new Array(v.length);
            for (let i = 0; i < v.length; i++) elements[i] = v.get(i);
          }
          this.#tables.push({ table: v, length: v.length, elements });
        }
      }
    }
  }

  /**
   * Resets the instantiation if it is idle and can go back (see `resetInstance`); true if it did.
   * Checks everything first: a refusal changes nothing.
   */
  run(): boolean {
    if (!this.#possible || !this.#idle()) return false;
    for (const m of this.#memories) if (m.memory.buffer.byteLength !== m.bytes.byteLength) return false;
    for (const t of this.#tables) if (t.table.length !== t.length) return false;
    for (const m of this.#memories) new Uint8Array(m.memory.buffer).set(m.bytes);
    for (const g of this.#globals) g.global.value = g.value;
    for (const t of this.#tables) {
      const elements = t.elements;
      if (elements === undefined) continue;
      for (let i = 0; i < elements.length; i++) if (t.table.get(i) !== elements[i]) t.table.set(i, elements[i]);
    }
    if (this.#fuel !== undefined) (this.#guard!.fuel as WebAssembly.Global).value = this.#fuel;
    for (const inst of this.#parts.instances) {
      // Handle indices start over as in a new instance.
      inst.table = undefined;
      inst.asyncState?.threads.clear();
    }
    return true;
  }

  /** No guest code running or waiting, no handles held, nothing trapped or pending a trap. */
  #idle(): boolean {
    const s = this.#store;
    // Called from a host import a guest is in: never under running code.
    if (running.current !== undefined) return false;
    if (s.waiting.length > 0 || s.syncCalls.length > 0 || s.inflight !== undefined) return false;
    if (s.hostPending !== 0 || s.hostWaits !== 0 || s.pausing !== 0) return false;
    if (this.#guard !== undefined && flagHoldsTrap(this.#guard)) return false;
    for (const inst of this.#parts.instances) {
      if (inst.poisoned !== undefined || !inst.mayLeave || !inst.mayEnter) return false;
      if (inst.table !== undefined && !inst.table.empty()) return false;
      const a = inst.asyncState;
      if (a === undefined) continue;
      if (a.backpressure !== 0 || a.numWaitingToEnter !== 0 || a.exclusiveThread !== undefined) return false;
      if (a.unindexed !== undefined || !a.threads.empty()) return false;
    }
    return true;
  }
}

/** What a reset reads of a core module, once per Component. */
function moduleState(plan: LinkPlan, module: WebAssembly.Module): ModuleState {
  let m = plan.moduleStates.get(module);
  if (m === undefined) {
    const sections = WebAssembly.Module.customSections(module, STATE_EXPORT);
    const prefix = `${STATE_EXPORT}/`;
    m = {
      // Not made with `resettable` (a module from a bundle made before it): its state is unknown.
      flags: sections.length === 1 ? new Uint8Array(sections[0]!)[0]! : STATE_UNRESETTABLE,
      names: WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .filter((n) => n.startsWith(prefix)),
    };
    plan.moduleStates.set(module, m);
  }
  return m;
}

/**
 * Puts an instance of a component compiled with `{ resettable: true }` back in the state its
 * instantiation left it in, as a new instantiation would be: its core memories' bytes, mutable
 * globals and tables, fuel, and empty handle tables. Only an idle instance can go back: no
 * call in progress, no handle held (resources, streams, futures, subtasks), not trapped. An
 * instance whose memory or table grew, whose component defines resource types, or whose code
 * drops segments cannot either. Returns whether it was reset; when not, nothing changed. The
 * host's imports are not reset: they are the host's.
 */
export function resetInstance(instance: object): boolean {
  const r = (instance as Record<symbol, Reset | undefined>)[RESET];
  return r === undefined ? false : r.run();
}
