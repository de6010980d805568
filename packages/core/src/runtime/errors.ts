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

/** Converts anything thrown out of guest code into the Trap reported to the caller. */
export function toTrap(e: unknown): Trap {
  if (e instanceof Trap) {
    if (e.message.startsWith('wasm trap: ') || e instanceof HostValueError) return e;
    const t = new Trap(`wasm trap: ${e.message}`, { cause: e });
    return t;
  }
  if (e instanceof WebAssembly.RuntimeError) {
    let msg = e.message;
    for (const [re, w] of V8_TRAPS)
      if (re.test(msg)) {
        msg = w;
        break;
      }
    return new Trap(`wasm trap: ${msg}`, { cause: e });
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new Trap('wasm trap: call stack exhausted', { cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new Trap(`wasm trap: ${msg}`, { cause: e });
}

/** Poison `inst` with what guest code threw and return the Trap to rethrow. */
export function poisonWith(inst: { poison(e: unknown): Trap }, e: unknown): Trap {
  const t = toTrap(e);
  if (!(t instanceof HostValueError)) inst.poison(t);
  return t;
}
