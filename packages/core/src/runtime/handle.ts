// definitions.py ResourceHandle, and the handle-table operations on it that
// lifting (abi/resource-values.ts), resource.drop and subtask resolution share.

import type { BorrowScope, LiftLowerContext } from '../abi/context.ts';
import { Trap } from '../host/errors.ts';
import type { ResourceType } from '../types/model.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { ResourceRuntimeType } from './resource-type.ts';
import { type Table, tableOf } from './table.ts';

export class ResourceHandle {
  readonly rt: ResourceRuntimeType;
  /** An i32 for guest-defined resources; the host object for host-defined ones. */
  readonly rep: any;
  readonly own: boolean;
  /** For borrow handles lent into a lifted call: that call's scope. */
  readonly borrowScope: BorrowScope | undefined;
  numLends = 0;

  constructor(rt: ResourceRuntimeType, rep: any, own: boolean, borrowScope?: BorrowScope) {
    this.rt = rt;
    this.rep = rep;
    this.own = own;
    this.borrowScope = borrowScope;
  }
}

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
