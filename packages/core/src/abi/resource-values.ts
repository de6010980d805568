// lift_own / lift_borrow / lower_own / lower_borrow, with the JS values of
// DESIGN.md: a host-defined resource crosses as its host object (which is
// also its rep), a guest-defined one as a wrapper of its rep.

import { badValue } from '../runtime/errors.ts';
import { getHandle, removeOwn, ResourceHandle } from '../runtime/handle.ts';
import {
  assertUsable,
  getWrapperClass,
  type GuestResource,
  type ResourceRuntimeType,
  wrap,
} from '../runtime/resource-type.ts';
import { tableOf } from '../runtime/table.ts';
import type { LiftLowerContext } from './context.ts';

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
