// JSPI (JS Promise Integration): how a guest stack suspends. Imports that may
// block are wrapped in `WebAssembly.Suspending` and the entries into such a
// component's code in `WebAssembly.promising`, decided once per component at
// link time (a Suspending import traps when called without a promising entry).

import { Trap } from '../host/errors.ts';

const WA = WebAssembly as unknown as {
  Suspending?: new (f: Function) => unknown;
  promising?: (f: Function) => (...a: unknown[]) => Promise<unknown>;
};

export const HAS_JSPI = typeof WA.Suspending === 'function' && typeof WA.promising === 'function';

export function jspiRequired(what: string): Trap {
  return new Trap(
    `${what} must suspend the calling WebAssembly stack, which requires JSPI (WebAssembly.Suspending / WebAssembly.promising); this JavaScript engine does not provide it`,
  );
}

/** Wraps a core import that may return a Promise so the calling wasm suspends on it. */
export function suspending(f: Function): Function {
  return new WA.Suspending!(f) as Function;
}

/** Entry wrapper: calling it runs `f` until it first suspends, returning a Promise of its results. */
export function promising(f: Function): ((...a: unknown[]) => Promise<unknown>) | undefined {
  try {
    return WA.promising!(f);
  } catch {
    return undefined; // not a wasm function (e.g. a lowered import re-lifted): call it directly
  }
}
