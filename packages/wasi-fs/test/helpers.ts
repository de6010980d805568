import { FsError } from '../src/index.ts';

/** The error code `f` throws as an FsError (anything else is rethrown). */
export function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}
