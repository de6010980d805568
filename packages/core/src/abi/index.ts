export {
  MAX_FLAT_PARAMS,
  MAX_FLAT_ASYNC_PARAMS,
  MAX_FLAT_RESULTS,
  MAX_STRING_BYTE_LENGTH,
  MAX_LIST_BYTE_LENGTH,
  UTF16_TAG,
  alignment,
  elemSize,
  alignTo,
  despecialize,
  discriminantType,
  flattenType,
  flattenTypes,
  containsBorrow,
  type FlatType,
} from './layout.ts';
export type { CanonOptions, StringEncoding } from './options.ts';
export { LiftLowerContext, type BorrowScope } from './context.ts';
export { codecFor, type Codec } from './codecs/index.ts';
export { HostValueError, toTrap, poisonWith } from './errors.ts';
export { enterFrom, leaveTo, takeCaller, setCaller, checkMayLeave } from './instance-entry.ts';
export { canonLift, isLifted, type ComponentFunc } from './canon-lift.ts';
export { canonLower } from './canon-lower.ts';
export { toHostExport, fromHostImport } from './host-convention.ts';
