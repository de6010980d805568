// Every error Weft throws is one of these, so embedders can tell a bad
// binary from a bad link from a guest trap.

import { shortName } from './short-name.ts';

export class WeftError extends Error {
  override name = 'WeftError';
  /**
   * Messages quote guest-controlled strings (names, debug messages) that may
   * be megabytes long: past MAX_MESSAGE they keep their head and tail.
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message === undefined ? undefined : shortName(message, MAX_MESSAGE), options);
  }
}

/** The longest message a WeftError carries (its quoted names are shortened first where they are built). */
export const MAX_MESSAGE = 4096;

/** Malformed binary: where in the bytes, and why. */
export class DecodeError extends WeftError {
  override name = 'DecodeError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${shortName(message, MAX_MESSAGE - 40)} (at offset ${offset})`);
    this.offset = offset;
  }
}

/** Well-formed but invalid component (Explainer/Binary.md validation rules). */
export class ValidationError extends WeftError {
  override name = 'ValidationError';
}

/** An import is missing or has the wrong type. */
export class LinkError extends WeftError {
  override name = 'LinkError';
}

/**
 * A guest trapped (or a canonical ABI check failed). The instance it happened
 * in is poisoned; later calls into it throw a Trap too.
 */
export class Trap extends WeftError {
  override name = 'Trap';
}

/** Thrown to the host for a `result<T, E>` return whose value is `err`. */
export class ComponentError extends WeftError {
  override name = 'ComponentError';
  readonly payload: unknown;
  constructor(payload: unknown) {
    super(typeof payload === 'string' ? payload : `component returned an error: ${safeString(payload)}`);
    this.payload = payload;
  }
}

/** The host's view of a `result` value: ok gives its value, err throws a ComponentError of its payload. */
export function unwrapResult(r: { tag: 'ok' | 'err'; val: unknown }): unknown {
  if (r.tag === 'err') throw new ComponentError(r.val);
  return r.val;
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x));
  } catch {
    return String(v);
  }
}

/** Spec-style `trap_if`: throws a Trap with the spec's message. */
export function trapIf(cond: boolean, message: string): void {
  if (cond) throw new Trap(message);
}
export function trap(message: string): never {
  throw new Trap(message);
}
