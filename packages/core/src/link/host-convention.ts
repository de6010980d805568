// The host's view of component functions (DESIGN.md conventions, as jco):
// a `result<T, E>` return value is T, and E travels as a thrown ComponentError.

import { Trap, unwrapResult } from '../host/errors.ts';
import { HOST_UNWRAPPED } from '../canon/async-lift.ts';
import type { FuncType } from '../types/model.ts';
import type { ComponentFunc } from '../canon/lift.ts';
import { hostErrorPayload } from '../runtime/errors.ts';
import { setCaller } from '../runtime/instance-entry.ts';

/** Export side: `{tag:'ok', val}` → val; `{tag:'err', val}` → throw ComponentError(val). */
export function toHostExport(ft: FuncType, rawFn: ComponentFunc): ComponentFunc {
  if (ft.result?.kind !== 'result') return rawFn;
  // An async lift can settle its own Promise with the unwrapped value: no hop of our own.
  const direct = (rawFn as unknown as Record<symbol, ComponentFunc | undefined>)[HOST_UNWRAPPED];
  if (direct !== undefined) return direct;
  return function hostExport(...args: unknown[]): unknown {
    const r = rawFn(...args) as { tag: 'ok' | 'err'; val: unknown } | Promise<{ tag: 'ok' | 'err'; val: unknown }>;
    // Async exports (and sync ones that blocked) resolve later: unwrap then.
    if (r instanceof Promise) return r.then(unwrapResult);
    return unwrapResult(r);
  };
}

function okResult(val: unknown): { tag: 'ok'; val: unknown } {
  return { tag: 'ok', val };
}

/**
 * jco's getErrorPayload, made safe to run on anything a host throws: an error
 * carrying `payload` gives that; another Error (or a value that cannot be
 * looked at, such as a revoked Proxy) is a real failure, thrown as a Trap;
 * any other thrown value is the payload itself.
 */
function errorPayload(e: unknown): unknown {
  const r = hostErrorPayload(e);
  if (r instanceof Trap) throw r;
  return r.payload;
}

/**
 * Import side: wraps a host function as a ComponentFunc. For a `result`
 * return, the host's return value becomes ok and a thrown ComponentError
 * becomes err. Host code runs outside every component instance.
 */
export function fromHostImport(ft: FuncType, hostFn: (...args: any[]) => any, thisArg?: unknown): ComponentFunc {
  const isResult = ft.result?.kind === 'result';
  const f = function hostImport(...args: unknown[]): unknown {
    const prev = setCaller(undefined);
    try {
      if (!isResult) return hostFn.apply(thisArg, args);
      let v: unknown;
      try {
        v = hostFn.apply(thisArg, args);
      } catch (e) {
        return { tag: 'err', val: errorPayload(e) };
      }
      // An async host function: the same convention once it settles.
      if (v instanceof Promise) return v.then(okResult, (e: unknown) => ({ tag: 'err', val: errorPayload(e) }));
      return { tag: 'ok', val: v };
    } finally {
      setCaller(prev);
    }
  };
  Object.defineProperty(f, 'name', { value: hostFn.name || 'hostImport' });
  return f;
}
