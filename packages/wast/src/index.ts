export { runWast, runWastFile, trapMatches, type WastFailure, type WastOptions, type WastResult } from './runner.ts';
export { runWastFileInWorker } from './worker.ts';
export {
  readAll,
  stringValue,
  WastSyntaxError,
  type SNode,
  type SList,
  type SAtom,
  type SString,
  type Span,
} from './sexpr.ts';
export { parseValue, parseIntLiteral, parseFloatLiteral, showValue, type WastValue } from './values.ts';
export {
  parseDirective,
  parseInvoke,
  parseModuleDef,
  type Directive,
  type Invoke,
  type ModuleDef,
} from './directives.ts';
export { toJs, diff, show, camelCase, ConvertError } from './convert.ts';
export { assembleText } from './assemble.ts';
export { stripCancellable, patchCancellable, findCancelBytes } from './cancellable.ts';
