// canon lift for the async ABI (definitions.py canon_lift): callback-ABI
// lifts run each callback as a JS continuation; stackful lifts (and every
// lift of an instance whose component has blocking built-ins) run the core
// code through WebAssembly.promising so it may suspend.

import { LiftLowerContext } from '../abi/context.ts';
import { codecFor, type Codec } from '../abi/codecs/index.ts';
import { poisonWith } from '../runtime/errors.ts';
import { checkCallNesting, enterFrom, leaveTo, takeCaller } from '../runtime/instance-entry.ts';
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flattenTypes } from '../abi/layout.ts';
import { flattenFuncType } from '../types/flatten.ts';
import type { CanonOptions } from '../abi/options.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { tableOf } from '../runtime/table.ts';
import type { FuncType, ValType } from '../types/model.ts';
import { asyncState } from '../runtime/instance-state.ts';
import { Entry } from '../runtime/jspi.ts';
import { deadlockTrap, running, type Store } from '../runtime/store.ts';
import { type Cancellable, Cancelled, type OnResolve, type OnStart, Task, TaskState } from '../runtime/task.ts';
import { Thread } from '../runtime/thread.ts';
import { isPlain } from './lift-codegen.ts';
import { EventCode, type EventTuple, WaitableSet } from '../runtime/waitable.ts';

export const FUNC_INST = Symbol('weft.funcInst');
/** The store of a lifted function's instance. */
const FUNC_STORE = Symbol('weft.funcStore');

/** definitions.py FuncInst, plus where a trap of the callee goes. */
export type FuncInst = (
  onStart: OnStart,
  onResolve: OnResolve,
  caller: ComponentInstance | undefined,
  onTrap: (e: unknown) => void,
) => Cancellable;

const CallbackCode = { EXIT: 0, YIELD: 1, WAIT: 2, MAX: 2 } as const;

export function asyncCanonLift(ft: FuncType, opts: CanonOptions, coreFunc: Function): (...args: any[]) => any {
  const inst = opts.instance;
  const ai = asyncState(inst);
  const store = inst.store;
  const paramTypes: ValType[] = ft.params.map((p) => p.type);
  const params: Codec[] = paramTypes.map(codecFor);
  const result: Codec | undefined = ft.result ? codecFor(ft.result) : undefined;
  const spillParams = flattenTypes(paramTypes).length > MAX_FLAT_PARAMS;
  const spillResult = result !== undefined && result.flat.length > MAX_FLAT_RESULTS;
  const argsTuple = spillParams ? codecFor({ kind: 'tuple', types: paramTypes }) : undefined;
  ai.liftsBuilt = true;
  const jspi = ai.jspi;
  const callback = opts.callback;
  const coreType = flattenFuncType({ async: opts.async, callback: callback !== undefined }, ft, 'lift');
  const entry = jspi ? new Entry(coreFunc, coreType.params, coreType.results) : undefined;
  const cbEntry = jspi && callback !== undefined ? new Entry(callback, ['i32', 'i32', 'i32'], ['i32']) : undefined;
  // Plain values touch neither memory nor handles: one context serves every call.
  const plain =
    opts.memory === undefined &&
    paramTypes.every(isPlain) &&
    (ft.result === undefined || isPlain(ft.result)) &&
    !spillParams &&
    !spillResult;
  const sharedCx = plain ? new LiftLowerContext(opts) : undefined;

  const funcInst: FuncInst = (onStart, onResolve, caller, onTrap) => {
    // An async call chain may not come back into an instance with a task still in it
    // ($Parent → $Child → $Parent), which enter_from alone does not see across async calls.
    const cur = caller !== undefined ? running.current : undefined;
    const supertask = cur instanceof Thread ? cur.task : undefined;
    for (let t = supertask; t !== undefined; t = t.supertask) {
      if (t.inst === inst && t.state !== TaskState.RESOLVED) throw new Trap('cannot enter component instance');
    }
    checkCallNesting(inst, caller);
    enterFrom(inst, caller);
    const task = new Task(ft, opts, inst, onStart, onResolve);
    task.supertask = supertask;
    let trapped = false;
    const fail = (e: unknown) => {
      if (trapped) return;
      trapped = true;
      task.endSync();
      const t = poisonWith(inst, e);
      if (thread.waiting()) thread.stopWaitingInternal();
      thread.done = true;
      // The caller learns of the trap (and is poisoned with it) before
      // anything waiting for this thread to settle is resumed.
      try {
        onTrap(t);
      } finally {
        store.exited(thread);
      }
    };
    task.onTrap = fail;
    let cx = sharedCx;
    if (cx === undefined) {
      cx = new LiftLowerContext(opts);
      cx.borrowScope = task.borrowScope;
      cx.fused = caller !== undefined;
    }

    /** Runs a core function (directly, or on a JSPI stack) and continues with its result. */
    const call = (f: Function, e: Entry | undefined, args: unknown[], k: (r: unknown) => void) =>
      runOnStack(thread, f, e, args, k, fail);

    const exit = () => {
      task.exitImplicitThread();
      store.exited(thread);
    };

    const loop = (packed: unknown) => {
      const p = (packed as number) >>> 0;
      const code = p & 0xf;
      if (code > CallbackCode.MAX) throw new Trap('unsupported callback code');
      if (code === CallbackCode.EXIT) return exit();
      ai.exclusiveThread = undefined;
      store.schedule();
      const next = (ev: EventTuple) => {
        // A trap elsewhere poisoned this instance: its callbacks never run again.
        if (inst.poisoned) return fail(inst.poisoned);
        try {
          ai.exclusiveThread = thread;
          call(callback!, cbEntry, ev, loop);
        } catch (err) {
          fail(err);
        }
      };
      if (code === CallbackCode.YIELD) {
        thread.waitUntil(
          () => ai.exclusiveThread === undefined,
          true,
          (c) => next(c ? [EventCode.TASK_CANCELLED, 0, 0] : [EventCode.NONE, 0, 0]),
        );
      } else {
        const wset = tableOf(inst).get(p >>> 4);
        if (!(wset instanceof WaitableSet)) throw new Trap(`handle index ${p >>> 4} is not a waitable set`);
        wset.numWaiting++;
        thread.waitUntil(
          () => ai.exclusiveThread === undefined && wset.hasPendingEvent(),
          true,
          (c) => {
            wset.numWaiting--;
            let ev: EventTuple;
            try {
              ev = c ? [EventCode.TASK_CANCELLED, 0, 0] : wset.getPendingEvent();
            } catch (err) {
              return fail(err);
            }
            next(ev);
          },
        );
      }
      store.blocked(thread);
    };

    const run = () => {
      const args = task.start();
      const flatArgs: unknown[] = [];
      if (argsTuple !== undefined) {
        cx.needMemory();
        const ptr = cx.allocChecked(argsTuple.align, argsTuple.size, 'list');
        argsTuple.store(cx, args, ptr);
        flatArgs.push(ptr);
      } else {
        if (opts.memory !== undefined) cx.refresh();
        for (let i = 0; i < params.length; i++) params[i]!.lowerFlat(cx, args[i], flatArgs);
      }
      if (!opts.async) {
        call(coreFunc, entry, flatArgs, (raw) => {
          let ret: unknown[] = [];
          if (result !== undefined) {
            if (spillResult) {
              const ptr = (raw as number) >>> 0;
              cx.needMemory();
              cx.checkGuestRange(ptr, result.align, result.size, 'pointer');
              ret = [result.load(cx, ptr)];
            } else {
              if (opts.memory !== undefined) cx.refresh();
              ret = [result.fromCore!(cx, raw)];
            }
          }
          // post-return runs before the caller sees the value, so a trap in
          // it fails the call (the spec's sync canon_lift does both before returning).
          const pr = opts.postReturn;
          if (pr !== undefined) {
            inst.mayLeave = false;
            try {
              if (result === undefined) pr();
              else pr(raw);
            } finally {
              inst.mayLeave = true;
            }
          }
          task.return_(ret);
          exit();
        });
      } else if (callback === undefined) {
        call(coreFunc, entry, flatArgs, exit);
      } else {
        call(coreFunc, entry, flatArgs, loop);
      }
    };

    const thread: Thread = new Thread(
      task,
      (cancelled) => {
        try {
          if (cancelled) {
            // Cancelled before it started: resolve as cancelled.
            task.cancel();
            return;
          }
          run();
        } catch (err) {
          fail(err);
        }
      },
      jspi,
    );

    try {
      const start = thread.cont!;
      thread.cont = undefined;
      const begin = () => {
        const prev = running.current;
        running.current = thread;
        try {
          start(Cancelled.FALSE);
        } finally {
          running.current = prev;
        }
      };
      if (task.enterImplicitThreadNow(thread)) begin();
      else
        task.enterImplicitThreadLater(thread, (entered) => {
          if (entered) begin();
        });
    } finally {
      leaveTo(inst, caller);
    }
    return task;
  };

  // The host's (and sync lower's) view: an async-typed function returns a
  // Promise; a sync-typed one returns its value, or a Promise of it if the
  // call had to block (or trapped on a suspendable stack).
  const sync = !ft.async;
  const fn = function asyncLifted(...args: unknown[]): unknown {
    const caller = takeCaller();
    let state = 0; // 0 pending, 1 resolved, 2 rejected
    let value: unknown;
    let resolveP: ((v: unknown) => void) | undefined;
    let rejectP: ((e: unknown) => void) | undefined;
    let stop: (() => void) | undefined;
    const settle = (ok: boolean, v: unknown) => {
      if (state !== 0) return;
      state = ok ? 1 : 2;
      value = v;
      stop?.();
      if (ok) resolveP?.(v);
      else rejectP?.(v);
    };
    funcInst(
      () => args,
      (r) => {
        if (r === undefined) settle(false, new Trap('the call was cancelled'));
        else settle(true, r[0]);
      },
      caller,
      (e) => settle(false, e),
    );
    if (sync && state === 1) return value;
    if (sync && state === 2) throw value;
    if (state === 1) return Promise.resolve(value);
    if (state === 2) return Promise.reject(value);
    return new Promise((resolve, reject) => {
      resolveP = resolve;
      rejectP = reject;
      stop = store.watchIdle(() => settle(false, deadlockTrap()));
    });
  };
  (fn as unknown as Record<symbol, unknown>)[FUNC_INST] = funcInst;
  (fn as unknown as Record<symbol, unknown>)[FUNC_STORE] = store;
  if (jspi) suspendable.add(fn);
  return fn;
}

/**
 * Runs core function `f` as `thread` (on a JSPI stack through `e`, or
 * directly); `k` gets its result, now if it finished without suspending or
 * once its stack completes; `fail` gets what `f` (or `k`) threw. Nothing
 * either throws reaches the caller: a trap goes to `fail`, in order (see
 * below for a stack that traps before it ever suspends).
 */
export function runOnStack(
  thread: Thread,
  f: Function,
  e: Entry | undefined,
  args: unknown[],
  k: (r: unknown) => void,
  fail: (err: unknown) => void,
): void {
  const store = thread.store;
  const prev = running.current;
  running.current = thread;
  if (e === undefined) {
    let r: unknown;
    try {
      switch (args.length) {
        case 0:
          r = f();
          break;
        case 1:
          r = f(args[0]);
          break;
        case 2:
          r = f(args[0], args[1]);
          break;
        case 3:
          r = f(args[0], args[1], args[2]);
          break;
        default:
          r = f(...args);
      }
    } catch (err) {
      running.current = prev;
      fail(err);
      return;
    }
    running.current = prev;
    try {
      k(r);
    } catch (err) {
      fail(err);
    }
    return;
  }
  const prevInflight = store.inflight;
  store.inflight = thread;
  const before = thread.suspensions;
  e.done.value = 0;
  let p: Promise<unknown>;
  try {
    p = e.call(...args);
  } finally {
    if (store.inflight === thread) store.inflight = prevInflight;
    running.current = prev;
  }
  if (thread.suspensions === before) {
    if (e.done.value === 1) {
      // Finished without suspending: the result is here already.
      p.catch(() => {});
      try {
        k(e.r?.value);
      } catch (err) {
        fail(err);
      }
      return;
    }
    // Neither finished nor suspended: the stack trapped, but its Promise
    // tells why only in a later microtask. Until then the thread stays in
    // flight, so the scheduler resumes nothing else first (a caller that
    // waits for it sees the trap before it runs on).
    thread.trapPending = true;
    store.inflight = thread;
  }
  p.then(
    (r) => {
      const prev = running.current;
      running.current = thread;
      try {
        k(r);
      } catch (err) {
        fail(err);
      } finally {
        running.current = prev === thread ? undefined : prev;
      }
      store.exited(thread);
    },
    (err) => {
      try {
        fail(err);
      } finally {
        store.exited(thread);
      }
    },
  );
}

const suspendable = new WeakSet<Function>();
/** Whether calling this lifted function may suspend the caller's stack (its instance runs on JSPI). */
export function calleeMaySuspend(f: Function): boolean {
  return suspendable.has(f);
}

/** The store of a lifted function's instance (undefined for any other function). */
export function storeOfLifted(f: Function): Store | undefined {
  return (f as unknown as Record<symbol, Store | undefined>)[FUNC_STORE];
}

export function funcInstOf(f: Function): FuncInst | undefined {
  return (f as unknown as Record<symbol, FuncInst | undefined>)[FUNC_INST];
}
