export { type CompileOptions, Component, type Instance, type InstantiateOptions } from './component.ts';
export { ComponentError, DecodeError, LinkError, Trap, ValidationError, WeftError } from './host/errors.ts';
export { decodeComponent } from './binary/index.ts';
export type * from './types/model.ts';
export { isPrim } from './types/model.ts';
export { findImportKey } from './link/names.ts';
export { camelCase, pascalCase } from './host/js-names.ts';
export {
  ErrorContext,
  FutureReader,
  FutureWriter,
  future,
  HAS_JSPI,
  StreamReader,
  StreamWriter,
  stream,
} from './async/index.ts';
export { holdHost } from './async/hold-host.ts';
