// definitions.py ResourceHandle.

import type { BorrowScope } from '../abi/context.ts';
import type { ResourceRuntimeType } from './resource-type.ts';

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
