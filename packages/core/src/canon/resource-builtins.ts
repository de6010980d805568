// canon resource.new / resource.drop / resource.rep as core functions.

import { Trap } from '../host/errors.ts';
import { checkMayLeave } from '../runtime/instance-entry.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { getHandle, removeOwn, ResourceHandle } from '../runtime/handle.ts';
import { runDtor, type ResourceRuntimeType } from '../runtime/resource-type.ts';
import { tableOf } from '../runtime/table.ts';

export function canonResourceNew(rt: ResourceRuntimeType, inst: ComponentInstance): (rep: number) => number {
  return (rep: number) => {
    checkMayLeave(inst);
    return tableOf(inst).add(new ResourceHandle(rt, rep >>> 0, true));
  };
}

export function canonResourceDrop(rt: ResourceRuntimeType, inst: ComponentInstance): (i: number) => void {
  return (i: number) => {
    checkMayLeave(inst);
    i >>>= 0;
    const table = tableOf(inst);
    const h = getHandle(table, i, rt);
    if (h.numLends !== 0) throw new Trap('cannot remove owned resource while borrowed');
    if (h.own) {
      removeOwn(inst, i, rt);
      runDtor(rt, h.rep, inst);
    } else {
      table.remove(i);
      if (h.borrowScope) h.borrowScope.numBorrows--;
    }
  };
}

export function canonResourceRep(rt: ResourceRuntimeType, inst: ComponentInstance): (i: number) => number {
  return (i: number) => getHandle(tableOf(inst), i >>> 0, rt).rep;
}
