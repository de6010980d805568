// The host's call of an async, callback-ABI lift of plain values (async-lift.ts), compiled per
// shape like the sync lifts (lift-codegen.ts): when the host calls a top-level instance that
// nothing holds back (no backpressure, no thread waiting to enter, no exclusive thread), the
// steps of startCall, begin and run are one straight-line function, with each argument's
// check inline and the core function called directly. Everything else (a guest caller, an
// instance held back, the callback's WAIT and YIELD, traps) takes the closures' path.

import type { FuncType } from '../types/model.ts';
import { factoryFor, lowerExpr, shapeKey } from './lift-codegen.ts';

/** What the factory takes, in order (then T0..Tn, each parameter's toCore). */
const FACTORY_PARAMS = ['inst', 'ai', 'cx', 'core', 'makeCall', 'slow', 'outcome', 'takeCaller', 'running'];

function factorySource(ft: FuncType): string {
  const n = ft.params.length;
  const args = ft.params.map((_, i) => `a${i}`);
  const lowered = ft.params.map((p, i) => lowerExpr(p.type, `a${i}`, i)).join(', ');
  const params = [...FACTORY_PARAMS, ...Array.from({ length: n }, (_, i) => `T${i}`)].join(', ');
  return `function (${params}) {
return function asyncLifted(${args.join(', ')}) {
  const caller = takeCaller();
  if (
    caller !== undefined ||
    inst.parent !== undefined ||
    inst.mayEnter !== true ||
    inst.poisoned !== undefined ||
    ai.backpressure > 0 ||
    ai.numWaitingToEnter > 0 ||
    ai.exclusiveThread !== undefined
  )
    return slow(caller, [${args.join(', ')}]);
  inst.mayEnter = false;
  const call = makeCall();
  const thread = call.thread;
  const prev = running.current;
  try {
    call.task.enterCallbackNow(thread);
    call.task.state = 2;
    running.current = thread;
    let code;
    try {
      code = core(${lowered});
    } catch (e) {
      call.fail(e);
    }
    if (!call.trapped) {
      try {
        // EXIT (the packed code's low four bits 0) here, the rest in loop: this call site sees
        // only this shape's calls, loop's own sees every callback's (most of them waiting).
        if (((code >>> 0) & 0xf) === 0) call.exit();
        else call.loop(code);
      } catch (e) {
        call.fail(e);
      }
    }
  } finally {
    running.current = prev;
    inst.mayEnter = true;
  }
  return call.hostState === 1 ? Promise.resolve(call.value) : outcome(call);
};
}`;
}

/** What a compiled host call needs from async-lift.ts (passed in: this module does not import it). */
export interface AsyncLiftParts {
  ft: FuncType;
  inst: unknown;
  ai: unknown;
  cx: unknown;
  core: Function;
  /** A new call of this lift by the host (its task and implicit thread, not yet entered). */
  makeCall: () => unknown;
  /** The host's call the closures' way (any case the compiled code does not take). */
  slow: (caller: unknown, args: unknown[]) => unknown;
  /** What the host gets: the call's value or error as a Promise. */
  outcome: (call: unknown) => unknown;
  takeCaller: () => unknown;
  running: unknown;
  toCore: Function[];
}

/** The compiled host call, or undefined where no factory of its shape is registered and `codegen` is off or refused. */
export function compileAsyncHostCall(
  parts: AsyncLiftParts,
  codegen: boolean,
): ((...args: any[]) => unknown) | undefined {
  const { ft } = parts;
  if (ft.params.length > 16) return undefined;
  const make = factoryFor(`${shapeKey(ft, false)}+callback`, () => factorySource(ft), codegen);
  if (make === undefined) return undefined;
  return make(
    parts.inst,
    parts.ai,
    parts.cx,
    parts.core,
    parts.makeCall,
    parts.slow,
    parts.outcome,
    parts.takeCaller,
    parts.running,
    ...parts.toCore,
  );
}
