// canon lift for the async ABI (definitions.py canon_lift): callback-ABI
// lifts run each callback as a JS continuation; stackful lifts (and every
// lift of an instance whose component has blocking built-ins) run the core
// code through WebAssembly.promising so it may suspend.

import { LiftLowerContext } from '../abi/context.ts';
import { codecFor, type Codec } from '../abi/codecs/index.ts';
import { HostValueError, poisonWith } from '../runtime/errors.ts';
import { checkCallNesting, enterFrom, leaveTo, takeCaller } from '../runtime/instance-entry.ts';
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, flattenTypes } from '../abi/layout.ts';
import { flattenFuncType } from '../types/flatten.ts';
import type { CanonOptions } from '../abi/options.ts';
import { ComponentError, Trap, unwrapResult } from '../host/errors.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { tableOf } from '../runtime/table.ts';
import type { FuncType, ValType } from '../types/model.ts';
import { type AsyncInstanceState, asyncState } from '../runtime/instance-state.ts';
import { Entry } from '../runtime/jspi.ts';
import { deadlockTrap, running, type Store } from '../runtime/store.ts';
import { type CallSite, type Cancellable, Task, TaskState } from '../runtime/task.ts';
import { Thread } from '../runtime/thread.ts';
import { type AsyncLiftParts, compileAsyncHostCall } from './async-lift-codegen.ts';
import { isPlain } from './lift-codegen.ts';
import { EventCode, type EventTuple, WaitableSet } from '../runtime/waitable.ts';

export const FUNC_INST = Symbol('weft.funcInst');
/** The store of a lifted function's instance. */
const FUNC_STORE = Symbol('weft.funcStore');
/**
 * On an async lift whose result is a `result`: the same call as the host sees it (ok: the
 * value; err: a ComponentError), its Promise settled that way at once (link/host-convention.ts).
 */
export const HOST_UNWRAPPED = Symbol('weft.hostUnwrapped');

type ResultValue = { tag: 'ok' | 'err'; val: unknown };

/** definitions.py FuncInst: the caller's side of the call (its on_start, on_resolve, and where a trap goes) as one CallSite. */
export type FuncInst = (site: CallSite, caller: ComponentInstance | undefined) => Cancellable;

const CallbackCode = { EXIT: 0, YIELD: 1, WAIT: 2, MAX: 2 } as const;

/** What an async lift's calls share: built once per lifted function. */
interface LiftPlan {
  readonly ft: FuncType;
  readonly opts: CanonOptions;
  readonly inst: ComponentInstance;
  readonly ai: AsyncInstanceState;
  readonly store: Store;
  readonly coreFunc: Function;
  readonly params: Codec[];
  readonly result: Codec | undefined;
  readonly spillResult: boolean;
  readonly argsTuple: Codec | undefined;
  readonly callback: Function | undefined;
  readonly entry: Entry | undefined;
  readonly cbEntry: Entry | undefined;
  readonly jspi: boolean;
}

/** What LiftCall.resume does with what its core function returned. */
const AFTER_SYNC = 0;
const AFTER_ASYNC = 1;
const AFTER_CALLBACK = 2;

/**
 * One call of an async lift (definitions.py canon_lift's body): its task, its
 * implicit thread, and the steps, as methods rather than closures made per
 * call. A host's call has no caller-side object: the call is its own
 * CallSite (its arguments, and how it settled or the Promise to settle).
 */
class LiftCall implements StackTarget, CallSite {
  readonly plan: LiftPlan;
  readonly task: Task;
  readonly thread: Thread;
  readonly cx: LiftLowerContext;
  trapped = false;
  /** What `resume` does next (AFTER_*). */
  after = AFTER_SYNC;
  // A host's call (the call is its own site): its arguments and outcome.
  readonly args: unknown[] | undefined;
  /** 0 pending, 1 resolved, 2 rejected. */
  hostState = 0;
  value: unknown = undefined;
  resolveP: ((v: unknown) => void) | undefined = undefined;
  rejectP: ((e: unknown) => void) | undefined = undefined;
  stop: (() => void) | undefined = undefined;

  /** `site` undefined: a host's call with `args`; `cx` undefined: a context of its own, fused if a guest calls. */
  constructor(
    plan: LiftPlan,
    site: CallSite | undefined,
    args: unknown[] | undefined,
    cx: LiftLowerContext | undefined,
    fromGuest: boolean,
  ) {
    this.plan = plan;
    this.args = args;
    const task = new Task(plan.ft, plan.opts, plan.inst, site ?? this);
    task.onTrap = this;
    this.task = task;
    if (cx === undefined) {
      cx = new LiftLowerContext(plan.opts);
      cx.borrowScope = task;
      cx.fused = fromGuest;
    }
    this.cx = cx;
    this.thread = new Thread(task, undefined, plan.jspi);
  }

  /** The thread starts: runs the core function, or resolves as cancelled if it was cancelled first. */
  begin(): void {
    const prev = running.current;
    running.current = this.thread;
    try {
      this.run();
    } catch (err) {
      this.fail(err);
    } finally {
      running.current = prev;
    }
  }

  /** The call trapped (or was cancelled while waiting to enter: begin is not called then). */
  fail(e: unknown): void {
    if (this.trapped) return;
    this.trapped = true;
    const task = this.task;
    const thread = this.thread;
    task.endSync();
    const t = poisonWith(this.plan.inst, e);
    // The host's arguments could not be lowered: the guest is not at fault, and its instance
    // must not stay held by a thread that never ran.
    if (t instanceof HostValueError) task.abandon();
    if (thread.waiting()) thread.stopWaitingInternal();
    thread.done = true;
    // The caller learns of the trap (and is poisoned with it) before
    // anything waiting for this thread to settle is resumed.
    try {
      task.site.onTrap(t);
    } finally {
      this.plan.store.exited(thread);
    }
  }

  // ---- CallSite, for a host's call ----

  onStart(): unknown[] {
    return this.args!;
  }

  onResolve(r: unknown[] | undefined): void {
    if (r === undefined) this.settle(false, new Trap('the call was cancelled'));
    else this.settle(true, r[0]);
  }

  onResolveValue(v: unknown): void {
    this.settle(true, v);
  }

  onTrap(e: unknown): void {
    this.settle(false, e);
  }

  settle(ok: boolean, v: unknown): void {
    if (this.hostState !== 0) return;
    this.hostState = ok ? 1 : 2;
    this.value = v;
    this.stop?.();
    if (ok) this.resolveP?.(v);
    else this.rejectP?.(v);
  }

  run(): void {
    const { opts, params, argsTuple, callback } = this.plan;
    const cx = this.cx;
    const args = this.task.start();
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
    this.after = !opts.async ? AFTER_SYNC : callback === undefined ? AFTER_ASYNC : AFTER_CALLBACK;
    runOnStackTo(this.thread, this.plan.coreFunc, this.plan.entry, flatArgs, this);
  }

  /** The core function (or a callback) returned `r`. */
  resume(r: unknown): void {
    if (this.after === AFTER_CALLBACK) this.loop(r);
    else if (this.after === AFTER_ASYNC) this.exit();
    else this.returned(r);
  }

  /** A sync-ABI core function returned: lift its result, post-return, task.return. */
  returned(raw: unknown): void {
    const { opts, inst, result, spillResult } = this.plan;
    const cx = this.cx;
    let ret: unknown;
    if (result !== undefined) {
      if (spillResult) {
        const ptr = (raw as number) >>> 0;
        cx.needMemory();
        cx.checkGuestRange(ptr, result.align, result.size, 'pointer');
        ret = result.load(cx, ptr);
      } else {
        if (opts.memory !== undefined) cx.refresh();
        ret = result.fromCore!(cx, raw);
      }
    }
    // post-return runs before the caller sees the value, so a trap in
    // it fails the call (the spec's sync canon_lift does both before returning).
    const pr = opts.postReturn;
    if (pr !== undefined) {
      inst.mayLeave = false;
      // Called from here, not on the thread's JSPI stack (which has finished): a time slice
      // tick must not try to pause it ("trying to suspend without WebAssembly.promising").
      const thread = this.thread;
      thread.offStack = true;
      try {
        if (result === undefined) pr();
        else pr(raw);
      } finally {
        inst.mayLeave = true;
        thread.offStack = false;
      }
    }
    if (result === undefined) this.task.return_([]);
    else this.task.returnValue(ret);
    this.exit();
  }

  exit(): void {
    this.task.exitImplicitThread();
    this.plan.store.exited(this.thread);
  }

  /** A callback-ABI function returned its packed code: exit, or wait for the next event. */
  loop(packed: unknown): void {
    const p = (packed as number) >>> 0;
    const code = p & 0xf;
    if (code === CallbackCode.EXIT) return this.exit();
    this.wait(p, code);
  }

  /** The callback's YIELD or WAIT (out of line: `loop` stays small enough to inline where a call exits at once). */
  private wait(p: number, code: number): void {
    const { ai, store, inst } = this.plan;
    const thread = this.thread;
    if (code > CallbackCode.MAX) throw new Trap('unsupported callback code');
    ai.exclusiveThread = undefined;
    store.schedule();
    if (code === CallbackCode.YIELD) {
      thread.waitUntil(
        () => ai.exclusiveThread === undefined,
        true,
        (c) => this.next(c ? [EventCode.TASK_CANCELLED, 0, 0] : [EventCode.NONE, 0, 0]),
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
            return this.fail(err);
          }
          this.next(ev);
        },
      );
    }
    store.blocked(thread);
  }

  /** Delivers an event to the callback. */
  next(ev: EventTuple): void {
    const { inst, ai } = this.plan;
    // A trap elsewhere poisoned this instance: its callbacks never run again.
    if (inst.poisoned) return this.fail(inst.poisoned);
    try {
      ai.exclusiveThread = this.thread;
      runOnStackTo(this.thread, this.plan.callback!, this.plan.cbEntry, ev, this);
    } catch (err) {
      this.fail(err);
    }
  }
}

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

  const plan: LiftPlan = {
    ft,
    opts,
    inst,
    ai,
    store,
    coreFunc,
    params,
    result,
    spillResult,
    argsTuple,
    callback,
    entry,
    cbEntry,
    jspi,
  };

  /** A call from `caller` (undefined: the host); `site` undefined: a host's call with `args`, its own site. */
  const startCall = (site: CallSite | undefined, caller: ComponentInstance | undefined, args?: unknown[]): LiftCall => {
    // An async call chain may not come back into an instance with a task still in it
    // ($Parent → $Child → $Parent), which enter_from alone does not see across async calls.
    const cur = caller !== undefined ? running.current : undefined;
    const supertask = cur instanceof Thread ? cur.task : undefined;
    for (let t = supertask; t !== undefined; t = t.supertask) {
      if (t.inst === inst && t.state !== TaskState.RESOLVED) throw new Trap('cannot enter component instance');
    }
    checkCallNesting(inst, caller);
    enterFrom(inst, caller);
    const call = new LiftCall(plan, site, args, sharedCx, caller !== undefined);
    const task = call.task;
    task.supertask = supertask;
    try {
      if (task.enterImplicitThreadNow(call.thread)) call.begin();
      else
        task.enterImplicitThreadLater(call.thread, (entered) => {
          if (entered) call.begin();
        });
    } finally {
      leaveTo(inst, caller);
    }
    return call;
  };
  const funcInst: FuncInst = (site, caller) => startCall(site, caller).task;

  // The host's (and sync lower's) view: an async-typed function returns a
  // Promise; a sync-typed one returns its value, or a Promise of it if the
  // call had to block (or trapped on a suspendable stack).
  const sync = !ft.async;
  const outcome = (call: LiftCall): unknown => {
    const state = call.hostState;
    if (sync && state === 1) return call.value;
    if (sync && state === 2) throw call.value;
    if (state === 1) return Promise.resolve(call.value);
    if (state === 2) return Promise.reject(call.value);
    return new Promise((resolve, reject) => {
      call.resolveP = resolve;
      call.rejectP = reject;
      call.stop = store.watchIdle(() => call.settle(false, deadlockTrap()));
    });
  };
  const slow = (caller: ComponentInstance | undefined, args: unknown[]) => outcome(startCall(undefined, caller, args));
  // The host's view of a `result`: settled unwrapped, without a `then` of its own.
  const unwrapped =
    ft.async && ft.result?.kind === 'result'
      ? function asyncLiftedUnwrapped(...args: unknown[]): Promise<unknown> {
          const call = startCall(undefined, takeCaller(), args);
          const state = call.hostState;
          if (state === 1) {
            try {
              return Promise.resolve(unwrapResult(call.value as ResultValue));
            } catch (e) {
              return Promise.reject(e);
            }
          }
          if (state === 2) return Promise.reject(call.value);
          return new Promise((resolve, reject) => {
            call.resolveP = (v) => {
              const r = v as ResultValue;
              if (r.tag === 'err') reject(new ComponentError(r.val));
              else resolve(r.val);
            };
            call.rejectP = reject;
            call.stop = store.watchIdle(() => call.settle(false, deadlockTrap()));
          });
        }
      : undefined;
  // A host's call of an async callback-ABI lift of plain values on the main stack: compiled.
  const compiled =
    plain && ft.async && opts.async && callback !== undefined && !jspi
      ? compileAsyncHostCall(
          {
            ft,
            inst,
            ai,
            cx: sharedCx,
            core: coreFunc,
            makeCall: () => {
              const call = new LiftCall(plan, undefined, undefined, sharedCx, false);
              call.after = AFTER_CALLBACK;
              return call;
            },
            slow: slow as AsyncLiftParts['slow'],
            outcome: outcome as AsyncLiftParts['outcome'],
            takeCaller,
            running,
            toCore: params.map((c) => c.toCore!),
          },
          store.codegen,
        )
      : undefined;
  const fn =
    compiled ??
    function asyncLifted(...args: unknown[]): unknown {
      return slow(takeCaller(), args);
    };
  (fn as unknown as Record<symbol, unknown>)[FUNC_INST] = funcInst;
  (fn as unknown as Record<symbol, unknown>)[FUNC_STORE] = store;
  // (Not for a compiled call: its own path is faster than a hop saved.)
  if (unwrapped !== undefined && compiled === undefined)
    (fn as unknown as Record<symbol, unknown>)[HOST_UNWRAPPED] = unwrapped;
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
  runOnStackTo(thread, f, e, args, { resume: k, fail });
}

/** Where runOnStackTo continues: with the result, or with what was thrown. */
export interface StackTarget {
  resume(r: unknown): void;
  fail(err: unknown): void;
}

/** runOnStack with its continuation and failure as one object (no closures per call). */
export function runOnStackTo(
  thread: Thread,
  f: Function,
  e: Entry | undefined,
  args: unknown[],
  to: StackTarget,
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
      to.fail(err);
      return;
    }
    running.current = prev;
    try {
      to.resume(r);
    } catch (err) {
      to.fail(err);
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
      // Finished without suspending: the result is here already, and `p` is fulfilled (no
      // handler needed; one would keep it, and what it holds, until a microtask ran).
      try {
        to.resume(e.r?.value);
      } catch (err) {
        to.fail(err);
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
        to.resume(r);
      } catch (err) {
        to.fail(err);
      } finally {
        running.current = prev === thread ? undefined : prev;
      }
      store.exited(thread);
    },
    (err) => {
      try {
        to.fail(err);
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
