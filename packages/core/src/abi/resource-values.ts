// lift_own / lift_borrow / lower_own / lower_borrow, with the JS values of
// DESIGN.md: a host-defined resource crosses as its host object (which is
// also its rep), a guest-defined one as a wrapper of its rep.

import { Trap } from '../host/errors.ts';
import type { LiftLowerContext } from '../abi/context.ts';
import { badValue } from '../abi/errors.ts';
import type { ComponentInstance } from '../link/component-instance.ts';
import type { ResourceType } from '../types/model.ts';
import { ResourceHandle } from './handle.ts';
import { assertUsable, getWrapperClass, wrap, type GuestResource, type ResourceRuntimeType } from './resource-type.ts';
import { type Table, tableOf } from './table.ts';

function kindOf(rt: ResourceType): string {
  return (rt as ResourceRuntimeType).impl !== undefined ? 'guest-defined resource' : 'host-defined resource';
}

/** table.get(i) checked to be a ResourceHandle of type rt. */
export function getHandle(table: Table, i: number, rt: ResourceType): ResourceHandle {
  const h = table.get(i);
  if (!(h instanceof ResourceHandle)) {
    throw new Trap(`handle index ${i} used with the wrong type, expected ${kindOf(rt)} but found ${describeEntry(h)}`);
  }
  if (h.rt !== rt) {
    const found = kindOf(h.rt) === kindOf(rt) ? `a different ${kindOf(h.rt)}` : `a ${kindOf(h.rt)}`;
    throw new Trap(`handle index ${i} used with the wrong type, expected ${kindOf(rt)} but found ${found}`);
  }
  return h;
}

function describeEntry(e: unknown): string {
  const n = (e as object)?.constructor?.name;
  return n ? `a ${n}` : 'a different kind of handle';
}

/** Removes an own handle (lift_own and the own case of resource.drop share these checks). */
export function removeOwn(inst: ComponentInstance, i: number, rt: ResourceType): ResourceHandle {
  const table = tableOf(inst);
  const h = getHandle(table, i, rt);
  if (h.numLends !== 0) throw new Trap('cannot remove owned resource while borrowed');
  if (!h.own) throw new Trap(`handle index ${i} is a borrow where an owned handle was expected`);
  table.remove(i);
  return h;
}

export function liftOwn(cx: LiftLowerContext, i: number, rt: ResourceRuntimeType): unknown {
  const h = removeOwn(cx.inst, i >>> 0, rt);
  return rt.impl !== undefined ? wrap(rt, h.rep, 'own') : h.rep;
}

export function liftBorrow(cx: LiftLowerContext, i: number, rt: ResourceRuntimeType): unknown {
  const h = getHandle(tableOf(cx.inst), i >>> 0, rt);
  h.numLends++;
  (cx.lenders ??= []).push(h);
  if (rt.impl === undefined) return h.rep;
  const w = wrap(rt, h.rep, 'borrowed');
  (cx.lent ??= []).push(w);
  return w;
}

/** The rep of a JS resource value; `take` marks an owned wrapper as moved. */
function repOf(rt: ResourceRuntimeType, v: unknown, take: boolean): any {
  if (rt.impl !== undefined) {
    if (!(v instanceof getWrapperClass(rt))) badValue(`a ${rt.name} resource`, v);
    const w = v as GuestResource;
    assertUsable(rt, w);
    if (take) {
      if (w.state !== 'own') throw new TypeError(`a borrowed ${rt.name} resource cannot be passed as owned`);
      w.state = 'moved';
    }
    return w.rep;
  }
  if (
    rt.hostClass !== undefined
      ? !(v instanceof rt.hostClass)
      : v === null || (typeof v !== 'object' && typeof v !== 'function')
  ) {
    badValue(`a ${rt.name} resource`, v);
  }
  return v;
}

export function lowerOwn(cx: LiftLowerContext, v: unknown, rt: ResourceRuntimeType): number {
  const rep = repOf(rt, v, true);
  return tableOf(cx.inst).add(new ResourceHandle(rt, rep, true));
}

export function lowerBorrow(cx: LiftLowerContext, v: unknown, rt: ResourceRuntimeType): number {
  const rep = repOf(rt, v, false);
  if (cx.inst === rt.impl) return rep;
  const scope = (cx.borrowScope ??= { numBorrows: 0 });
  scope.numBorrows++;
  return tableOf(cx.inst).add(new ResourceHandle(rt, rep, false, scope));
}

/** deliver_resolve: end the lends of a lowered call and expire the wrappers lent to the host. */
export function releaseLends(cx: LiftLowerContext): void {
  const ls = cx.lenders;
  if (ls !== undefined) {
    for (const h of ls) h.numLends--;
    cx.lenders = undefined;
  }
  const lent = cx.lent;
  if (lent !== undefined) {
    for (const w of lent) w.state = 'expired';
    cx.lent = undefined;
  }
}
