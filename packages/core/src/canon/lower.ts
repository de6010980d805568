// canon lower (sync): wraps a component function as a core function for a
// guest's imports. Flat core arguments (or the spilled-params pointer) are
// lifted to JS values, the callee runs, and its result is lowered into the
// flat return value or the caller's retptr.

import { Trap } from '../host/errors.ts';
import { asyncState } from '../runtime/instance-state.ts';
import { jspiRequired } from '../runtime/jspi.ts';
import { currentThread } from '../runtime/thread.ts';
import { flattenFuncType } from '../types/flatten.ts';
import type { CoreValType } from '../types/model.ts';
import { asyncCanonLower } from './async-lower.ts';
import { funcInstOf } from './async-lift.ts';
import { releaseLends } from '../runtime/handle.ts';
import type { FuncType } from '../types/model.ts';
import { isLifted, type ComponentFunc } from './lift.ts';
import { LiftLowerContext } from '../abi/context.ts';
import { HostValueError, hostThrew, safeInstanceOf } from '../runtime/errors.ts';
import { checkMayLeave, setCaller } from '../runtime/instance-entry.ts';
import { signatureOf } from '../abi/signature.ts';
import type { CanonOptions } from '../abi/options.ts';

export function canonLower(ft: FuncType, opts: CanonOptions, callee: ComponentFunc): (...flat: any[]) => unknown {
  // Async ABI, or an async-typed callee the caller may have to wait for: async-lower.ts.
  if (opts.async || ft.async || funcInstOf(callee) !== undefined)
    return asyncCanonLower(ft, opts, callee) as (...flat: any[]) => unknown;
  const inst = opts.instance;
  const cx = new LiftLowerContext(opts);
  // Codecs and spill decisions of the type, shared by every instance lowering it.
  const sig = signatureOf(ft);
  const params = sig.params;
  const nParams = params.length;
  const result = sig.result;
  const spillParams = sig.spillParams;
  const spillResult = sig.spillResult;
  const argsTuple = spillParams ? sig.argsTuple : undefined;
  const resultToCore = result !== undefined && !spillResult ? result.toCore! : undefined;
  const fused = isLifted(callee);
  const resultIsFuture = ft.result?.kind === 'future';
  const needsMemory = spillParams || spillResult || opts.memory !== undefined;
  const name = callee.name || 'import';
  // A host import may return a Promise: the instance then waits on JSPI (see waitForHost).
  const store = inst.store;
  const ai = asyncState(inst);
  const suspending = store.jspi && ai.jspi && !ai.slicedOnly;
  const coreType = flattenFuncType({ async: false }, ft, 'lower');
  const resultCore = coreType.results[0] as CoreValType | undefined;

  const lowerResult = (v: unknown, flat: unknown[]): unknown => {
    try {
      if (result === undefined) return undefined;
      if (spillResult) {
        const retptr = (flat[flat.length - 1] as number) >>> 0;
        cx.refresh();
        cx.checkGuestRange(retptr, result.align, result.size, 'pointer');
        result.store(cx, v, retptr);
        return undefined;
      }
      if (needsMemory) cx.refresh();
      return resultToCore!(cx, v);
    } catch (e) {
      // A bad value from the callee traps the calling guest like any other trap.
      if (safeInstanceOf(e, HostValueError))
        throw new Trap(`${name} returned an invalid value: ${e.message}`, { cause: e });
      throw e;
    }
  };

  /**
   * The host returned a Promise: on a JSPI stack (an instance that runs on
   * JSPI, see InstantiateOptions.hostImportsMaySuspend) the calling thread waits for it,
   * suspended, and then gets the lowered result; anywhere else this traps.
   */
  const waitForHost = (v: Promise<unknown>, flat: unknown[]): unknown => {
    const thread = currentThread(inst);
    if (!suspending || !thread.jspi) {
      v.catch(() => {}); // the trap reports it; no unhandled rejection
      throw hostSuspendTrap(name, suspending, store.jspi);
    }
    // This call's borrows stay lent until the result is lowered.
    const lenders = cx.lenders;
    const lent = cx.lent;
    let state = 0; // 0 pending, 1 fulfilled, 2 rejected
    let value: unknown;
    store.hostPending++;
    v.then(
      (r) => {
        state = 1;
        value = r;
        store.hostPending--;
        store.schedule();
      },
      (e) => {
        state = 2;
        value = e;
        store.hostPending--;
        store.schedule();
      },
    );
    thread.startWaitingInternal(() => state !== 0);
    return thread.suspendJspi(
      false,
      () => {
        const prevLenders = cx.lenders;
        const prevLent = cx.lent;
        cx.lenders = lenders;
        cx.lent = lent;
        try {
          // What the host's Promise rejected with traps, and poisons, the caller.
          if (state === 2) throw hostThrew(inst, value);
          const ret = lowerResult(value, flat);
          releaseLends(cx);
          return ret;
        } finally {
          cx.lenders = prevLenders;
          cx.lent = prevLent;
        }
      },
      resultCore,
    );
  };

  const loweredFunc = function loweredFunc(...flat: unknown[]): unknown {
    checkMayLeave(inst);
    const prevFused = cx.fused;
    const prevLenders = cx.lenders;
    const prevLent = cx.lent;
    cx.fused = fused;
    cx.lenders = undefined;
    cx.lent = undefined;
    try {
      if (needsMemory) cx.needMemory();
      // lift_flat_values(cx, MAX_FLAT_PARAMS, flat_args, ft.param_types())
      let args: unknown[];
      if (argsTuple !== undefined) {
        const ptr = (flat[0] as number) >>> 0;
        cx.checkGuestRange(ptr, argsTuple.align, argsTuple.size, 'pointer');
        args = argsTuple.load(cx, ptr) as unknown[];
      } else {
        args = new Array(nParams);
        cx.flat = flat;
        cx.fi = 0;
        for (let i = 0; i < nParams; i++) args[i] = params[i]!.liftFlat(cx);
      }
      const prevCaller = setCaller(inst);
      let v: unknown;
      try {
        v = callee.apply(undefined, args);
      } catch (e) {
        // A guest callee's trap is on its way already; anything host code
        // threw (any value, a revoked Proxy) traps and poisons the caller now.
        if (fused) throw e;
        throw hostThrew(inst, e);
      } finally {
        setCaller(prevCaller);
      }
      // A Promise is the value itself when the result is a future; otherwise
      // the host wants the guest to wait.
      if (safeInstanceOf(v, Promise) && !resultIsFuture) return waitForHost(v, flat);
      const ret = lowerResult(v, flat);
      releaseLends(cx);
      return ret;
    } finally {
      cx.fused = prevFused;
      cx.lenders = prevLenders;
      cx.lent = prevLent;
    }
  };
  // Only instances that run on JSPI pay for the dispatcher that lets the call suspend.
  return suspending
    ? (store.blockable(loweredFunc, coreType.params, coreType.results) as typeof loweredFunc)
    : loweredFunc;
}

function hostSuspendTrap(name: string, suspending: boolean, jspi: boolean): Trap {
  if (!jspi) return jspiRequired(`waiting for the Promise ${name} returned (a synchronously lowered import)`);
  return new Trap(
    suspending
      ? `${name} returned a Promise, but a synchronously lowered import cannot wait for it on this stack (a synchronous call into this instance from the host or another component's import)`
      : `${name} returned a Promise, but a synchronously lowered import cannot wait for it unless its instance runs on JSPI: instantiate with { hostImportsMaySuspend: true }`,
  );
}
