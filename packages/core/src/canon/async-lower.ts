// canon lower for the async ABI (definitions.py canon_lower) and the sync
// lowering of an async-typed callee (the caller blocks: JSPI).

import { LiftLowerContext } from '../abi/context.ts';
import { HostValueError, hostErrorPayload, hostTrap, poisonWith, safeInstanceOf } from '../runtime/errors.ts';
import { checkMayLeave } from '../runtime/instance-entry.ts';
import { MAX_FLAT_RESULTS } from '../abi/layout.ts';
import { signatureOf } from '../abi/signature.ts';
import type { CanonOptions } from '../abi/options.ts';
import { Trap } from '../host/errors.ts';
import { tableOf } from '../runtime/table.ts';
import type { FuncType } from '../types/model.ts';
import { asyncState } from '../runtime/instance-state.ts';
import { flattenFuncType } from '../types/flatten.ts';
import type { CoreValType } from '../types/model.ts';
import { calleeMaySuspend, type FuncInst, funcInstOf, storeOfLifted } from './async-lift.ts';
import type { Store } from '../runtime/store.ts';
import { currentThread, mayBlock, mustBlock } from '../runtime/thread.ts';
import { EventCode, Subtask, SubtaskState } from '../runtime/waitable.ts';
import { NOT_CANCELLABLE } from '../runtime/task.ts';

/**
 * A host (or sync-lifted) function seen as a FuncInst: a returned Promise
 * makes the call block (host work of the caller's `store` until it settles).
 */
function hostFuncInst(ft: FuncType, callee: Function, store: Store): FuncInst {
  const isResult = ft.result?.kind === 'result';
  return (site, _caller) => {
    const args = site.onStart();
    // Anything the host throws or rejects with (any value, a revoked Proxy)
    // is a trap of the caller (hostTrap never throws), and every look at what
    // it returned is guarded: nothing escapes as a raw error or an unhandled rejection.
    let v: unknown;
    let thenable: boolean;
    try {
      v = callee(...args);
      thenable =
        v !== null &&
        (typeof v === 'object' || typeof v === 'function') &&
        typeof (v as PromiseLike<unknown>).then === 'function';
    } catch (e) {
      site.onTrap(hostTrap(e));
      return NOT_CANCELLABLE;
    }
    if (thenable) {
      store.hostPending++;
      Promise.resolve(v).then(
        (r) => {
          store.hostPending--;
          let tagged: boolean;
          try {
            tagged = !isResult || isTagged(r);
          } catch (e) {
            site.onTrap(hostTrap(e));
            return;
          }
          site.onResolve(ft.result === undefined ? [] : [tagged ? r : { tag: 'ok', val: r }]);
        },
        (e) => {
          store.hostPending--;
          if (isResult) {
            const p = hostErrorPayload(e);
            if (p instanceof Trap) site.onTrap(p);
            else site.onResolve([{ tag: 'err', val: p.payload }]);
          } else {
            site.onTrap(hostTrap(e));
          }
        },
      );
    } else {
      site.onResolve(ft.result === undefined ? [] : [v]);
    }
    return NOT_CANCELLABLE;
  };
}

/** A call into another store is over: it no longer counts as host work of either. */
function uncross(store: Store, calleeStore: Store): false {
  store.hostPending--;
  calleeStore.hostWaits--;
  return false;
}

function isTagged(r: unknown): boolean {
  return (
    r !== null &&
    typeof r === 'object' &&
    ((r as { tag?: unknown }).tag === 'ok' || (r as { tag?: unknown }).tag === 'err')
  );
}

export function asyncCanonLower(ft: FuncType, opts: CanonOptions, callee: Function): Function {
  const inst = opts.instance;
  const ai = asyncState(inst);
  const store = inst.store;
  const guestCallee = funcInstOf(callee) !== undefined;
  // A guest of another store (its export passed in as a host function) is,
  // to this store, host work, and this call is a host await on its store.
  const calleeStore = storeOfLifted(callee) ?? store;
  const crossStore = calleeStore !== store;
  const funcInst = funcInstOf(callee) ?? hostFuncInst(ft, callee, store);
  const async = opts.async ?? false;
  // A sync call into a guest that may block suspends the caller's stack too: run
  // this instance on JSPI stacks if its lifts are not built yet (they usually follow its lowers).
  if (
    store.jspi &&
    !async &&
    (!ai.jspi || ai.slicedOnly) &&
    !ai.liftsBuilt &&
    (ft.async || (guestCallee && calleeMaySuspend(callee)))
  ) {
    ai.jspi = true;
    ai.slicedOnly = false;
  }
  // Codecs and spill decisions of the type, shared by every instance lowering it.
  const sig = signatureOf(ft);
  const params = sig.params;
  const result = sig.result;
  const spillParams = async ? sig.spillAsyncParams : sig.spillParams;
  const argsTuple = spillParams ? sig.argsTuple : undefined;
  // Results: async → always through the retptr; sync → flat unless they spill.
  const resultViaPtr = result !== undefined && (async || result.flat.length > MAX_FLAT_RESULTS);
  const name = callee.name || 'import';

  const start = (flat: unknown[]) => {
    checkMayLeave(inst);
    const thread = currentThread(inst);
    // wasmtime traps before the call when a sync caller could not wait for an async-typed guest callee
    if (!async && ft.async && guestCallee && !mayBlock(thread))
      throw new Trap('cannot block a synchronous task before returning');
    const subtask = new Subtask(store, calleeStore);
    const cx = new LiftLowerContext(opts);
    cx.fused = funcInstOf(callee) !== undefined;
    subtask.cx = cx;
    let onProgress = () => {};
    const onStart = (): unknown[] => {
      onProgress();
      subtask.state = SubtaskState.STARTED;
      if (argsTuple !== undefined) {
        cx.needMemory();
        const ptr = (flat[0] as number) >>> 0;
        cx.checkGuestRange(ptr, argsTuple.align, argsTuple.size, 'pointer');
        return argsTuple.load(cx, ptr) as unknown[];
      }
      if (opts.memory !== undefined) cx.refresh();
      cx.flat = flat;
      cx.fi = 0;
      const args = new Array(params.length);
      for (let i = 0; i < params.length; i++) args[i] = params[i]!.liftFlat(cx);
      return args;
    };
    // A call into another store counts there as a host await and here as host work, until it resolves.
    let crossing = crossStore;
    if (crossing) {
      store.hostPending++;
      calleeStore.hostWaits++;
    }
    const onResolve = (r: unknown[] | undefined) => {
      if (crossing) crossing = uncross(store, calleeStore);
      if (r === undefined) {
        subtask.resolve(
          subtask.state === SubtaskState.STARTING
            ? SubtaskState.CANCELLED_BEFORE_STARTED
            : SubtaskState.CANCELLED_BEFORE_RETURNED,
          [],
        );
      } else {
        let flatResults: unknown[] = [];
        try {
          if (result !== undefined) {
            if (resultViaPtr) {
              const retptr = (flat[flat.length - 1] as number) >>> 0;
              cx.needMemory();
              cx.checkGuestRange(retptr, result.align, result.size, 'pointer');
              result.store(cx, r[0], retptr);
            } else {
              if (opts.memory !== undefined) cx.refresh();
              flatResults = [result.toCore!(cx, r[0])];
            }
          }
        } catch (e) {
          const t = safeInstanceOf(e, HostValueError)
            ? new Trap(`${name} returned an invalid value: ${e.message}`, { cause: e })
            : e;
          onTrap(t);
          return;
        }
        subtask.resolve(SubtaskState.RETURNED, flatResults);
      }
      onProgress();
    };
    const onTrap = (e: unknown) => {
      if (crossing) crossing = uncross(store, calleeStore);
      subtask.trap = poisonWith(inst, e);
      subtask.resolve(SubtaskState.RETURNED, []);
      onProgress();
    };
    subtask.onCancel = funcInst({ onStart, onResolve, onTrap }, inst);
    return {
      thread,
      subtask,
      setOnProgress: (f: () => void) => {
        onProgress = f;
      },
    };
  };

  if (async) {
    const deliver = (subtask: Subtask, setOnProgress: (f: () => void) => void): number => {
      if (subtask.trap !== undefined) throw subtask.trap;
      if (subtask.resolved()) {
        subtask.deliverResolve();
        return SubtaskState.RETURNED;
      }
      const subtaski = tableOf(inst).add(subtask);
      setOnProgress(() => {
        subtask.setPendingEvent(() => {
          if (subtask.resolved()) subtask.deliverResolve();
          return [EventCode.SUBTASK, subtaski, subtask.state];
        });
      });
      return subtask.state | (subtaski << 4);
    };
    const asyncLowered = function asyncLowered(...flat: unknown[]): number {
      const prior = calleeStore.inflight;
      const { thread, subtask, setOnProgress } = start(flat);
      // The callee's stack trapped before suspending (maybe after task.return):
      // the trap is this call's, so wait for it rather than run on.
      if (thread.jspi && calleeStore.inflight !== prior && calleeStore.trapPending()) {
        return thread.suspendUntilSettled(calleeStore.inflight!, () => deliver(subtask, setOnProgress), 'i32');
      }
      return deliver(subtask, setOnProgress);
    };
    // Only a callee whose stack may suspend can leave its trap pending, and
    // only a caller on a JSPI stack can wait for it.
    if (store.jspi && ai.jspi && guestCallee && calleeMaySuspend(callee)) {
      const coreType = flattenFuncType({ async: true }, ft, 'lower');
      return store.blockable(asyncLowered, coreType.params, coreType.results);
    }
    return asyncLowered;
  }

  const finish = (subtask: Subtask): unknown => {
    if (subtask.trap !== undefined) throw subtask.trap;
    subtask.deliverResolve();
    return subtask.flatResults[0];
  };
  const coreType = flattenFuncType({ async: false }, ft, 'lower');
  const resultType = coreType.results[0] as CoreValType | undefined;
  const syncLowered = function syncLoweredAsync(...flat: unknown[]): unknown {
    const prior = calleeStore.inflight;
    const { thread, subtask } = start(flat);
    // The callee's stack trapped before suspending (maybe after task.return):
    // wait until its trap has arrived rather than run on with its result.
    const trapPending = thread.jspi && calleeStore.inflight !== prior && calleeStore.trapPending();
    if (subtask.resolved() && !trapPending) return finish(subtask);
    const what = `calling ${name}`;
    if (trapPending) {
      // Not a block the guest can observe: the callee's trap comes first.
    } else if (guestCallee && ft.async) mustBlock(thread, what);
    else if (!thread.jspi) mustBlock(thread, what);
    thread.startWaitingInternal(() => subtask.resolved());
    return thread.suspendJspi(false, () => finish(subtask), resultType);
  };
  return store.blockable(syncLowered, coreType.params, coreType.results);
}
