export { type CompileOptions, Component, type Instance, type InstantiateOptions } from './component.ts';
export { ComponentError, DecodeError, LinkError, Trap, ValidationError, WeftError } from './host/errors.ts';
export { decodeComponent } from './binary/index.ts';
export type * from './types/model.ts';
export { isPrim } from './types/model.ts';
export { findImportKey } from './link/names.ts';
export { camelCase, pascalCase } from './host/js-names.ts';
export { ErrorContext } from './runtime/error-context.ts';
export { holdHost } from './runtime/hold-host.ts';
export {
  type FuturePair,
  FutureReader,
  FutureWriter,
  future,
  type StreamPair,
  StreamReader,
  StreamWriter,
  stream,
} from './runtime/host-streams.ts';
export { HAS_JSPI, recordJspiShims, registerJspiShims } from './runtime/jspi.ts';
export { recordCompiledLifts, registerCompiledLifts } from './canon/lift-codegen.ts';
export { isSpinning, isTimeSliced, setDeadline } from './link/guard.ts';
export { resetInstance } from './link/reset.ts';
export { shortName } from './host/short-name.ts';
