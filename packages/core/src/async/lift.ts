// canon lift for the async ABI (definitions.py canon_lift): callback-ABI
// lifts run each callback as a JS continuation; stackful lifts (and every
// lift of an instance whose component has blocking built-ins) run the core
// code through WebAssembly.promising so it may suspend.

import { LiftLowerContext } from '../abi/context.ts';
import { codecFor, type Codec } from '../abi/codecs.ts';
import { poisonWith } from '../abi/errors.ts';
import { enterFrom, leaveTo, takeCaller } from '../abi/instance-entry.ts';
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flattenTypes } from '../abi/layout.ts';
import type { CanonOptions } from '../abi/options.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../link/component-instance.ts';
import { tableOf } from '../resources/table.ts';
import type { FuncType, ValType } from '../types/model.ts';
import { asyncState } from './instance-state.ts';
import { promising } from './jspi.ts';
import { Cancelled, deadlockTrap, store, Thread } from './store.ts';
import { type OnCancel, type OnResolve, type OnStart, Task } from './task.ts';
import { EventCode, type EventTuple, WaitableSet } from './waitable.ts';

export const FUNC_INST = Symbol('weft.funcInst');

/** definitions.py FuncInst, plus where a trap of the callee goes. */
export type FuncInst = (
  onStart: OnStart, onResolve: OnResolve, caller: ComponentInstance | undefined, onTrap: (e: unknown) => void,
) => OnCancel;

const CallbackCode = { EXIT: 0, YIELD: 1, WAIT: 2, MAX: 2 } as const;

export function asyncCanonLift(ft: FuncType, opts: CanonOptions, coreFunc: Function): (...args: any[]) => any {
  const inst = opts.instance;
  const ai = asyncState(inst);
  const paramTypes: ValType[] = ft.params.map((p) => p.type);
  const params: Codec[] = paramTypes.map(codecFor);
  const result: Codec | undefined = ft.result ? codecFor(ft.result) : undefined;
  const spillParams = flattenTypes(paramTypes).length > MAX_FLAT_PARAMS;
  const spillResult = result !== undefined && result.flat.length > MAX_FLAT_RESULTS;
  const argsTuple = spillParams ? codecFor({ kind: 'tuple', types: paramTypes }) : undefined;
  const jspi = ai.jspi;
  const entry = jspi ? promising(coreFunc) : undefined;
  const callback = opts.callback;
  const cbEntry = jspi && callback !== undefined ? promising(callback) : undefined;

  const funcInst: FuncInst = (onStart, onResolve, caller, onTrap) => {
    enterFrom(inst, caller);
    const task = new Task(ft, opts, inst, onStart, onResolve);
    let trapped = false;
    const fail = (e: unknown) => {
      if (trapped) return;
      trapped = true;
      const t = poisonWith(inst, e);
      if (jspi) store.exited(thread);
      onTrap(t);
    };
    task.onTrap = fail;
    const cx = new LiftLowerContext(opts);
    cx.borrowScope = task.borrowScope;
    cx.fused = caller !== undefined;

    /** Runs a core function (directly, or on a JSPI stack) and continues with its result. */
    const call = (f: Function, e: ((...a: unknown[]) => Promise<unknown>) | undefined, args: unknown[], k: (r: unknown) => void) => {
      if (e === undefined) {
        const prev = store.current;
        store.current = thread;
        let r: unknown;
        try {
          r = f(...args);
        } finally {
          store.current = prev;
        }
        k(r);
        return;
      }
      const prev = store.current;
      const prevInflight = store.inflight;
      store.current = thread;
      store.inflight = thread;
      let p: Promise<unknown>;
      try {
        p = e(...args);
      } finally {
        if (store.inflight === thread) store.inflight = prevInflight;
        store.current = prev;
      }
      p.then((r) => {
        store.current = thread;
        try {
          k(r);
        } catch (err) {
          fail(err);
        }
      }, fail);
    };

    const exit = () => {
      task.exitImplicitThread();
      if (jspi) store.exited(thread);
    };

    const park = () => {
      if (jspi) store.blocked(thread);
    };

    const loop = (packed: unknown) => {
      const p = (packed as number) >>> 0;
      const code = p & 0xf;
      if (code > CallbackCode.MAX) throw new Trap('unsupported callback code');
      if (code === CallbackCode.EXIT) return exit();
      ai.exclusiveThread = undefined;
      store.schedule();
      const next = (ev: EventTuple) => {
        try {
          ai.exclusiveThread = thread;
          call(callback!, cbEntry, ev, loop);
        } catch (err) {
          fail(err);
        }
      };
      if (code === CallbackCode.YIELD) {
        thread.waitUntil(() => ai.exclusiveThread === undefined, true, (c) => next(c ? [EventCode.TASK_CANCELLED, 0, 0] : [EventCode.NONE, 0, 0]));
      } else {
        const wset = tableOf(inst).get(p >>> 4);
        if (!(wset instanceof WaitableSet)) throw new Trap(`handle index ${p >>> 4} is not a waitable set`);
        wset.numWaiting++;
        thread.waitUntil(() => ai.exclusiveThread === undefined && wset.hasPendingEvent(), true, (c) => {
          wset.numWaiting--;
          let ev: EventTuple;
          try {
            ev = c ? [EventCode.TASK_CANCELLED, 0, 0] : wset.getPendingEvent();
          } catch (err) {
            return fail(err);
          }
          next(ev);
        });
      }
      park();
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

    const thread: Thread = new Thread(task, (cancelled) => {
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
    }, jspi);

    try {
      const start = thread.cont!;
      thread.cont = undefined;
      task.enterImplicitThread(thread, (entered) => {
        if (!entered) return;
        const prev = store.current;
        store.current = thread;
        try {
          start(Cancelled.FALSE);
        } finally {
          store.current = prev;
        }
      });
    } finally {
      leaveTo(inst, caller);
    }
    return (c) => task.requestCancellation(c);
  };

  // The host's (and sync lower's) view: a function returning a Promise of the result.
  const fn = function asyncLifted(...args: unknown[]): Promise<unknown> {
    const caller = takeCaller();
    return new Promise((resolve, reject) => {
      let stop: (() => void) | undefined;
      let settled = false;
      const settle = () => {
        settled = true;
        stop?.();
      };
      funcInst(
        () => args,
        (r) => {
          settle();
          if (r === undefined) reject(new Trap('the call was cancelled'));
          else resolve(r[0]);
        },
        caller,
        (e) => {
          settle();
          reject(e);
        },
      );
      if (!settled) {
        stop = store.watchIdle(() => {
          stop?.();
          reject(deadlockTrap());
        });
      }
    });
  };
  (fn as unknown as Record<symbol, unknown>)[FUNC_INST] = funcInst;
  return fn;
}

export function funcInstOf(f: Function): FuncInst | undefined {
  return (f as unknown as Record<symbol, FuncInst | undefined>)[FUNC_INST];
}
