// definitions.py ErrorContext: a handle-table entry made by error-context.new.

/** definitions.py ErrorContext; the JS value of an `error-context`. */
export class ErrorContext {
  readonly debugMessage: string;
  constructor(debugMessage: string) {
    this.debugMessage = debugMessage;
  }
}
