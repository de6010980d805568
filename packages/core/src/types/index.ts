export { elaborate, Scope } from './elaborate.ts';
export {
  checkComponentType,
  checkExtern,
  checkFuncType,
  checkInstanceType,
  checkModuleType,
  checkType,
  checkValType,
  isSubtype,
  isTypeSubtype,
} from './subtype.ts';
export { type ResourceMap, substitute } from './substitute.ts';
export { coreModuleType } from './core-module-types.ts';
export { flattenFuncType, flattenType, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, MAX_FLAT_ASYNC_PARAMS } from './flatten.ts';
export { alignment, elemSize } from './layout.ts';
export { canonicalName, isLabel, parseExternName } from './names.ts';
export type * from './model.ts';
export { PRIMS, isPrim } from './model.ts';
export type * from './elaborated.ts';
