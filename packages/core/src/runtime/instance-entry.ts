// Entering and leaving component instances (definitions.py
// may_enter_from / enter_from / leave_to). The caller of a lifted function is
// the instance whose `canon lower` is calling it, or none for the host; since
// sync calls nest, one module-level slot carries it from lower to lift.

import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from './component-instance.ts';

/**
 * The slot: a property of a constant object rather than a module `let` (reading one of those
 * from another module costs a hole check on every call).
 */
const slot: { caller: ComponentInstance | undefined } = { caller: undefined };

/** Read and clear the caller slot (called on entry to a lifted function). */
export function takeCaller(): ComponentInstance | undefined {
  const c = slot.caller;
  // Cleared only when set: the host's calls (none set) leave it alone.
  if (c !== undefined) slot.caller = undefined;
  return c;
}

/** Set the caller slot; returns the previous value so it can be restored. */
export function setCaller(c: ComponentInstance | undefined): ComponentInstance | undefined {
  const prev = slot.caller;
  slot.caller = c;
  return prev;
}

function isSelfOrAncestor(x: ComponentInstance, of: ComponentInstance | undefined): boolean {
  for (let c = of; c; c = c.parent) if (c === x) return true;
  return false;
}

/**
 * A guest calling a lifted function: like wasmtime (the spec's reference
 * tests say "for now"), it may not call into itself, an enclosing instance or
 * a nested one, only between instances unrelated by nesting (the spec's
 * entering_set alone would allow these).
 */
export function checkCallNesting(inst: ComponentInstance, caller: ComponentInstance | undefined): void {
  if (caller !== undefined && (isSelfOrAncestor(inst, caller) || isSelfOrAncestor(caller, inst))) {
    throw new Trap('cannot enter component instance');
  }
}

/** trap_if(not inst.may_enter_from(caller)); inst.enter_from(caller) — plus the poison check. */
export function enterFrom(inst: ComponentInstance, caller: ComponentInstance | undefined): void {
  if (inst.poisoned) {
    throw new Trap(
      `cannot enter component instance ${inst.label}: it was poisoned by an earlier trap (${inst.poisoned.message})`,
    );
  }
  if (caller === undefined) {
    // The host: no instance is its caller's self or ancestor.
    for (let x: ComponentInstance | undefined = inst; x; x = x.parent) {
      if (!x.mayEnter) throw new Trap('cannot enter component instance');
    }
    for (let x: ComponentInstance | undefined = inst; x; x = x.parent) x.mayEnter = false;
    return;
  }
  for (let x: ComponentInstance | undefined = inst; x; x = x.parent) {
    if (!x.mayEnter && !isSelfOrAncestor(x, caller)) throw new Trap('cannot enter component instance');
  }
  for (let x: ComponentInstance | undefined = inst; x; x = x.parent) {
    if (!isSelfOrAncestor(x, caller)) x.mayEnter = false;
  }
}

export function leaveTo(inst: ComponentInstance, caller: ComponentInstance | undefined): void {
  if (caller === undefined) {
    for (let x: ComponentInstance | undefined = inst; x; x = x.parent) x.mayEnter = true;
    return;
  }
  for (let x: ComponentInstance | undefined = inst; x; x = x.parent) {
    if (!isSelfOrAncestor(x, caller)) x.mayEnter = true;
  }
}

export function checkMayLeave(inst: ComponentInstance): void {
  if (!inst.mayLeave) throw new Trap('cannot leave component instance');
}
