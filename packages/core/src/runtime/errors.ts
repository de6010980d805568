// Trap helpers of the canonical ABI.

import { Trap } from '../host/errors.ts';

/**
 * A host-supplied value that does not fit its component type (wrong JS type,
 * integer out of range, unknown case). It is a Trap, but it is the host's
 * fault: lowering it does not poison the instance being called.
 */
export class HostValueError extends Trap {
  override name = 'HostValueError';
}

export function badValue(what: string, v: unknown): never {
  throw new HostValueError(`expected ${what}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? 'a string' : `string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return `${typeof v} ${String(v)}${typeof v === 'bigint' ? 'n' : ''}`;
  if (typeof v === 'object')
    return Array.isArray(v) ? 'an array' : `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return typeof v;
}

// V8's wording for core wasm traps → wasmtime's (what reference tests match).
const V8_TRAPS: [RegExp, string][] = [
  [/^unreachable/, 'wasm `unreachable` instruction executed'],
  [/memory access out of bounds/, 'out of bounds memory access'],
  [/divide by zero/, 'integer divide by zero'],
  [/remainder by zero/, 'integer divide by zero'],
  [/float unrepresentable in integer range/, 'invalid conversion to integer'],
  [/table index is out of bounds/, 'undefined element: out of bounds table access'],
  [/null function or function signature mismatch|function signature mismatch/, 'indirect call type mismatch'],
  [/integer overflow/, 'integer overflow'],
];

/** `v instanceof C` that never throws (a revoked Proxy, or one whose getPrototypeOf trap throws, is not an instance). */
export function safeInstanceOf<T>(v: unknown, C: abstract new (...args: any[]) => T): v is T {
  try {
    return v instanceof C;
  } catch {
    return false;
  }
}

/** An own property of what a host threw, or undefined; never throws (Proxies, getters). */
function safeOwn(v: unknown, key: string): { value: unknown } | undefined {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  try {
    return Object.hasOwn(v, key) ? { value: (v as Record<string, unknown>)[key] } : undefined;
  } catch {
    return undefined;
  }
}

/** The message of a thrown Error, or undefined if it is not one (or cannot be read safely). */
function safeErrorMessage(e: unknown): string | undefined {
  if (!safeInstanceOf(e, Error)) return undefined;
  try {
    const m = (e as Error).message;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** How a thrown value that is not an Error reads in a trap message; never throws. */
function describeThrown(e: unknown): string {
  if (e === null || e === undefined || typeof e === 'number' || typeof e === 'boolean' || typeof e === 'bigint')
    return `host function threw ${String(e)}${typeof e === 'bigint' ? 'n' : ''}`;
  if (typeof e === 'string') return e;
  return 'host function threw a non-Error value';
}

/**
 * Converts anything thrown out of guest code (or out of host code the guest
 * called: any value, a revoked Proxy, a Proxy whose every trap throws) into
 * the Trap reported to the caller. Never throws itself.
 */
export function toTrap(e: unknown): Trap {
  try {
    return toTrapUnsafe(e);
  } catch {
    return new Trap('wasm trap: host function threw a non-Error value', { cause: e });
  }
}

function toTrapUnsafe(e: unknown): Trap {
  if (safeInstanceOf(e, Trap)) {
    if (e.message.startsWith('wasm trap: ') || e instanceof HostValueError) return e;
    const t = new Trap(`wasm trap: ${e.message}`, { cause: e });
    return t;
  }
  if (safeInstanceOf(e, WebAssembly.RuntimeError)) {
    let msg = e.message;
    for (const [re, w] of V8_TRAPS)
      if (re.test(msg)) {
        msg = w;
        break;
      }
    return new Trap(`wasm trap: ${msg}`, { cause: e });
  }
  const msg = safeErrorMessage(e);
  if (msg !== undefined && safeInstanceOf(e, RangeError) && /call stack/i.test(msg)) {
    return new Trap('wasm trap: call stack exhausted', { cause: e });
  }
  return new Trap(`wasm trap: ${msg ?? describeThrown(e)}`, { cause: e });
}

/**
 * Poison `inst` with what guest code (or host code it called) threw and return
 * the Trap to rethrow. Never throws: a host's odd value (a revoked Proxy)
 * still poisons the instance.
 */
export function poisonWith(inst: { poison(e: unknown): Trap }, e: unknown): Trap {
  const t = toTrap(e);
  if (!(t instanceof HostValueError)) inst.poison(t);
  return t;
}

/**
 * What a host function threw, as the Trap of the guest that called it: a
 * HostValueError too becomes a plain Trap (it is the host's fault, but the
 * guest is left half-unwound, so its instance must be poisoned). Never throws.
 */
export function hostTrap(e: unknown): Trap {
  const t = toTrap(e);
  return t instanceof HostValueError ? new Trap(`wasm trap: ${t.message}`, { cause: e }) : t;
}

/** Anything a host function threw becomes a Trap that poisons `inst` (see hostTrap). Never throws. */
export function hostThrew(inst: { poison(e: unknown): Trap }, e: unknown): Trap {
  const t = hostTrap(e);
  inst.poison(t);
  return t;
}

/**
 * jco's getErrorPayload, safe for anything thrown: what a `result`-typed host
 * function threw becomes its `err` value: a ComponentError's (or any object's
 * own) `payload`, or a thrown non-object value itself. An Error, or a value
 * that cannot be inspected (a revoked Proxy, throwing traps), is a real
 * failure: the Trap to report.
 */
export function hostErrorPayload(e: unknown): { payload: unknown } | Trap {
  const own = safeOwn(e, 'payload');
  if (own !== undefined) return { payload: own.value };
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return { payload: e };
  if (safeInstanceOf(e, Error)) return toTrap(e);
  // An object without `payload`: the payload itself, if it can be looked at at all.
  try {
    Object.getPrototypeOf(e);
    Reflect.ownKeys(e);
    return { payload: e };
  } catch {
    return toTrap(e);
  }
}
