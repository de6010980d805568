// canon lift (sync): wraps a core function as a component function taking and
// returning JS values (raw form: a `result` return stays `{ tag, val }`).

import { Trap } from '../host/errors.ts';
import { asyncCanonLift } from './async-lift.ts';
import { compileSyncLift } from './lift-codegen.ts';
import { asyncState } from '../runtime/instance-state.ts';
import { running } from '../runtime/store.ts';
import { SyncFrame } from '../runtime/thread.ts';
import type { FuncType } from '../types/model.ts';
import type { Codec } from '../abi/codecs/index.ts';
import { type BorrowScope, LiftLowerContext } from '../abi/context.ts';
import { poisonWith } from '../runtime/errors.ts';
import { checkCallNesting, enterFrom, leaveTo, takeCaller } from '../runtime/instance-entry.ts';
import { signatureOf } from '../abi/signature.ts';
import type { CanonOptions } from '../abi/options.ts';

export type ComponentFunc = (...args: any[]) => any;

/** Functions made by canonLift (so canonLower knows its callee is a guest). */
const lifted = new WeakSet<Function>();
export function isLifted(f: Function): boolean {
  return lifted.has(f);
}

export function canonLift(ft: FuncType, opts: CanonOptions, coreFunc: Function): ComponentFunc {
  const inst = opts.instance;
  // Async ABI, async-typed functions, and instances whose code runs on JSPI stacks: async-lift.ts.
  const ai = asyncState(inst);
  ai.liftsBuilt = true;
  if (opts.async || ft.async || ai.jspi) {
    const f = asyncCanonLift(ft, opts, coreFunc);
    lifted.add(f);
    return f;
  }
  // The task of a sync call, made only if a built-in asks for it (context.get, thread.index, ...).
  const frame = new SyncFrame(ft, opts);
  const cx = new LiftLowerContext(opts);
  // Codecs and spill decisions of the type, shared by every instance lifting it.
  const sig = signatureOf(ft);
  const params = sig.params as Codec[];
  const nParams = params.length;
  const result = sig.result;
  const nFlatParams = sig.nFlatParams;
  const spillParams = sig.spillParams;
  const spillResult = sig.spillResult;
  const argsTuple = spillParams ? sig.argsTuple : undefined;
  const resultFromCore = result !== undefined && !spillResult ? result.fromCore! : undefined;
  const compiled = compileSyncLift({ ft, opts, core: coreFunc, frame, cx, params, result }, inst.store.codegen);
  if (compiled !== undefined) {
    lifted.add(compiled);
    return compiled;
  }
  const postReturn = opts.postReturn;
  const needsMemory = spillParams || spillResult || opts.memory !== undefined;

  const nFlat = spillParams ? 1 : nFlatParams;
  const core = coreFunc as (...flat: unknown[]) => unknown;

  const fn = function liftedFunc(...args: unknown[]): unknown {
    const caller = takeCaller();
    if (caller !== undefined) checkCallNesting(inst, caller);
    enterFrom(inst, caller);
    const prevScope = cx.borrowScope;
    const prevFused = cx.fused;
    cx.borrowScope = undefined;
    cx.fused = caller !== undefined;
    const prevCurrent = running.current;
    running.current = frame;
    try {
      // lower_flat_values(cx, MAX_FLAT_PARAMS, args, ft.param_types()). A fresh
      // array: cheaper in V8 than truncating a reused one with length = 0.
      const flatArgs: unknown[] = [];
      let raw: unknown;
      try {
        if (needsMemory) cx.needMemory();
        if (argsTuple !== undefined) {
          const ptr = cx.allocChecked(argsTuple.align, argsTuple.size, 'list');
          argsTuple.store(cx, args, ptr);
          flatArgs.push(ptr);
        } else {
          for (let i = 0; i < nParams; i++) params[i]!.lowerFlat(cx, args[i], flatArgs);
        }
        // A direct call for the common arities: cheaper than apply's array spread.
        const f = flatArgs;
        switch (nFlat) {
          case 0:
            raw = core();
            break;
          case 1:
            raw = core(f[0]);
            break;
          case 2:
            raw = core(f[0], f[1]);
            break;
          case 3:
            raw = core(f[0], f[1], f[2]);
            break;
          case 4:
            raw = core(f[0], f[1], f[2], f[3]);
            break;
          default:
            raw = core.apply(undefined, f);
        }
      } catch (e) {
        throw poisonWith(inst, e);
      }
      let ret: unknown;
      try {
        if (result !== undefined) {
          if (spillResult) {
            const ptr = (raw as number) >>> 0;
            cx.refresh();
            cx.checkGuestRange(ptr, result.align, result.size, 'pointer');
            ret = result.load(cx, ptr);
          } else {
            if (needsMemory) cx.refresh();
            ret = resultFromCore!(cx, raw);
          }
        }
        // Task.return_: every borrow lent to this call must have been dropped.
        const scope = cx.borrowScope as BorrowScope | undefined;
        if (scope !== undefined && scope.numBorrows > 0)
          throw new Trap('borrow handles still remain at the end of the call');
        if (postReturn !== undefined) {
          inst.mayLeave = false;
          try {
            if (result === undefined) postReturn();
            else postReturn(raw);
          } finally {
            inst.mayLeave = true;
          }
        }
      } catch (e) {
        throw poisonWith(inst, e);
      }
      return ret;
    } finally {
      cx.borrowScope = prevScope;
      cx.fused = prevFused;
      frame.release();
      running.current = prevCurrent;
      leaveTo(inst, caller);
    }
  };
  lifted.add(fn);
  return fn;
}
