export { Table, tableOf } from './table.ts';
export { ResourceHandle } from './handle.ts';
export {
  createResourceType,
  isGuestDefined,
  getWrapperClass,
  wrap,
  assertUsable,
  runDtor,
  type ResourceRuntimeType,
  type GuestResource,
  type GuestResourceClass,
  type WrapperState,
} from './resource-type.ts';
export { getHandle, removeOwn, liftOwn, liftBorrow, lowerOwn, lowerBorrow, releaseLends } from './lift-lower.ts';
export { canonResourceNew, canonResourceDrop, canonResourceRep } from './builtins.ts';
