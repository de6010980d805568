// The canon table: each `canon` definition's function, built once per
// instance from canon/ (lift, lower, resource and async built-ins).

import type { Canon, CanonOpts } from '../binary/ir.ts';
import type { CanonOptions } from '../abi/options.ts';
import * as B from '../canon/async-builtins.ts';
import { funcInstOf } from '../canon/async-lift.ts';
import { canonLift } from '../canon/lift.ts';
import { canonLower } from '../canon/lower.ts';
import { canonResourceDrop, canonResourceNew, canonResourceRep } from '../canon/resource-builtins.ts';
import { Trap } from '../host/errors.ts';
import type { ComponentInstance } from '../runtime/component-instance.ts';
import { ReadableFutureEnd, ReadableStreamEnd, WritableFutureEnd, WritableStreamEnd } from '../runtime/copy.ts';
import { asyncState } from '../runtime/instance-state.ts';
import type { ResourceRuntimeType } from '../runtime/resource-type.ts';
import type { CoreValType, FuncType, FutureType, StreamType, Type, ValType } from '../types/model.ts';
import { PRIMS } from '../types/model.ts';
import type { ComponentDef, ComponentFunc, LinkScope } from './runtime.ts';
import { substitute } from './substitute.ts';

export interface CoreSpaces extends LinkScope {
  readonly def: ComponentDef;
  readonly inst: ComponentInstance;
  coreFuncs: Function[];
  coreMemories: WebAssembly.Memory[];
  coreTables: unknown[];
  funcs: ComponentFunc[];
  types: Type[];
}

export function canonOptions(s: CoreSpaces, o: CanonOpts): CanonOptions {
  return {
    instance: s.inst,
    stringEncoding: o.stringEncoding ?? 'utf8',
    memory: o.memory === undefined ? undefined : s.coreMemories[o.memory],
    realloc: o.realloc === undefined ? undefined : (s.coreFuncs[o.realloc] as CanonOptions['realloc']),
    postReturn: o.postReturn === undefined ? undefined : (s.coreFuncs[o.postReturn] as CanonOptions['postReturn']),
    async: o.async ?? false,
    callback: o.callback === undefined ? undefined : s.coreFuncs[o.callback],
  };
}

export function buildCanon(s: CoreSpaces, c: Canon): void {
  prepareAsync(s); // decides JSPI for the instance before its first lift/lower is built
  switch (c.kind) {
    case 'lift': {
      const ft = substitute(s, s.def.elab.types[c.typeIdx] as FuncType);
      const call = canonLift(ft, canonOptions(s, c.opts), s.coreFuncs[c.coreFunc]);
      s.funcs.push({ type: ft, call, instance: s.inst });
      return;
    }
    case 'lower': {
      const f = s.funcs[c.func];
      s.coreFuncs.push(canonLower(f.type, canonOptions(s, c.opts), f.call));
      return;
    }
    case 'resource.new':
      s.coreFuncs.push(canonResourceNew(s.types[c.typeIdx] as ResourceRuntimeType, s.inst));
      return;
    case 'resource.drop':
      s.coreFuncs.push(canonResourceDrop(s.types[c.typeIdx] as ResourceRuntimeType, s.inst));
      return;
    case 'resource.rep':
      s.coreFuncs.push(canonResourceRep(s.types[c.typeIdx] as ResourceRuntimeType, s.inst));
      return;
    default:
      buildAsyncCanon(s, c);
  }
}

const prepared = new WeakSet<object>();

/** Canon kinds that may block the calling core stack (the instance then runs on JSPI). */
function blocks(s: CoreSpaces, c: Canon): boolean {
  switch (c.kind) {
    case 'waitable-set.wait':
    case 'thread.suspend':
    case 'thread.yield':
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
      return true;
    case 'stream.read':
    case 'stream.write':
    case 'future.read':
    case 'future.write':
      return !c.opts.async;
    case 'stream.cancel-read':
    case 'stream.cancel-write':
    case 'future.cancel-read':
    case 'future.cancel-write':
      return !c.async;
    case 'subtask.cancel':
      return true; // even async: it waits while the cancelled callee's stack runs
    case 'lower': {
      if (c.opts.async) return false;
      const ft = s.def.elab.funcs[c.func];
      if (ft?.async === true) return true;
      // A sync call into a guest whose stack may suspend suspends this stack too.
      const f = s.funcs[c.func];
      // Not linked yet (defined later in the walk): with the opt-in, assume it may be a host import.
      if (f === undefined) return s.inst.store.hostImportsMaySuspend;
      // A host import (no instance) may return a Promise to wait for, if the embedder opted in.
      if (f.instance === undefined) return s.inst.store.hostImportsMaySuspend;
      return funcInstOf(f.call) !== undefined && asyncState(f.instance).jspi;
    }
    default:
      return false;
  }
}

/** Decides, once per instance before any canon is built, whether its core code runs on JSPI stacks. */
export function prepareAsync(s: CoreSpaces): void {
  if (prepared.has(s)) return;
  prepared.add(s);
  if (!s.inst.store.jspi) return;
  const ai = asyncState(s.inst);
  for (const d of s.def.elab.ir.definitions) {
    if (d.kind === 'canon' && blocks(s, d.canon)) {
      ai.jspi = true;
      return;
    }
  }
  // Time slicing pauses a guest's stack at any loop header: every call runs on JSPI.
  if (s.inst.store.timeSlice) {
    ai.jspi = true;
    ai.slicedOnly = true;
  }
}

function valType(s: CoreSpaces, ref: ValType | number | string | undefined): ValType | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return PRIMS[ref as keyof typeof PRIMS];
  if (typeof ref === 'number') return substitute(s, s.types[ref] as ValType);
  return substitute(s, ref);
}

/** The end class each cancel/drop built-in works on. */
const END_OF = {
  'stream.cancel-read': ReadableStreamEnd,
  'stream.drop-readable': ReadableStreamEnd,
  'stream.cancel-write': WritableStreamEnd,
  'stream.drop-writable': WritableStreamEnd,
  'future.cancel-read': ReadableFutureEnd,
  'future.drop-readable': ReadableFutureEnd,
  'future.cancel-write': WritableFutureEnd,
  'future.drop-writable': WritableFutureEnd,
} as const;

/** Core signatures of the built-ins that may block: n i32 params, one i32 result (shared, never changed). */
const I32: CoreValType[] = ['i32'];
const I32S: CoreValType[][] = [[], ['i32'], ['i32', 'i32'], ['i32', 'i32', 'i32']];

/** Builds the core function of one async `canon` built-in and pushes it. */
export function buildAsyncCanon(s: CoreSpaces, c: Canon): void {
  prepareAsync(s);
  const inst = s.inst;
  const store = inst.store;
  /** Built-ins that may block: core signature (params → i32). */
  const maySuspend = (f: Function, nParams: number): Function =>
    store.jspi ? store.blockable(f, I32S[nParams]!, I32) : f;
  // Element types compare by runtime resource identity: substitute this instance's resources.
  const st = (idx: number) => substitute(s, s.types[idx] as StreamType);
  const fu = (idx: number) => substitute(s, s.types[idx] as FutureType);
  let f: Function;
  switch (c.kind) {
    case 'context.get':
      f = B.canonContextGet(inst, c.type as string, c.index);
      break;
    case 'context.set':
      f = B.canonContextSet(inst, c.type as string, c.index);
      break;
    case 'backpressure.inc':
      f = B.canonBackpressureInc(inst);
      break;
    case 'backpressure.dec':
      f = B.canonBackpressureDec(inst);
      break;
    case 'task.return':
      f = B.canonTaskReturn(inst, valType(s, c.result), canonOptions(s, c.opts));
      break;
    case 'task.cancel':
      f = B.canonTaskCancel(inst);
      break;
    case 'waitable-set.new':
      f = B.canonWaitableSetNew(inst);
      break;
    case 'waitable-set.wait':
      f = maySuspend(B.canonWaitableSetWait(inst, c.cancellable, s.coreMemories[c.memory]), 2);
      break;
    case 'waitable-set.poll':
      f = B.canonWaitableSetPoll(inst, c.cancellable, s.coreMemories[c.memory]);
      // Never blocks, but a JSPI stack looping on it pauses now and then for
      // the event loop (fairness): blockable only where the instance runs on JSPI.
      if (asyncState(inst).jspi) f = maySuspend(f, 2);
      break;
    case 'waitable-set.drop':
      f = B.canonWaitableSetDrop(inst);
      break;
    case 'waitable.join':
      f = B.canonWaitableJoin(inst);
      break;
    case 'subtask.cancel':
      f = maySuspend(B.canonSubtaskCancel(inst, c.async), 1);
      break;
    case 'subtask.drop':
      f = B.canonSubtaskDrop(inst);
      break;
    case 'stream.new':
      f = B.canonStreamNew(inst, st(c.typeIdx));
      break;
    case 'future.new':
      f = B.canonFutureNew(inst, fu(c.typeIdx));
      break;
    case 'stream.read':
    case 'stream.write':
    case 'future.read':
    case 'future.write': {
      const o = canonOptions(s, c.opts);
      const g =
        c.kind === 'stream.read'
          ? B.canonStreamRead(inst, st(c.typeIdx), o)
          : c.kind === 'stream.write'
            ? B.canonStreamWrite(inst, st(c.typeIdx), o)
            : c.kind === 'future.read'
              ? B.canonFutureRead(inst, fu(c.typeIdx), o)
              : B.canonFutureWrite(inst, fu(c.typeIdx), o);
      f = o.async ? g : maySuspend(g, c.kind.startsWith('stream') ? 3 : 2);
      break;
    }
    case 'stream.cancel-read':
    case 'stream.cancel-write':
    case 'future.cancel-read':
    case 'future.cancel-write': {
      const t = substitute(s, s.types[c.typeIdx] as StreamType | FutureType);
      const g = B.canonCancelCopy(inst, END_OF[c.kind], t, c.async);
      f = c.async ? g : maySuspend(g, 1);
      break;
    }
    case 'stream.drop-readable':
    case 'stream.drop-writable':
    case 'future.drop-readable':
    case 'future.drop-writable':
      f = B.canonDropEnd(inst, END_OF[c.kind], substitute(s, s.types[c.typeIdx] as StreamType | FutureType));
      break;
    case 'error-context.new':
      f = B.canonErrorContextNew(inst, canonOptions(s, c.opts));
      break;
    case 'error-context.debug-message':
      f = B.canonErrorContextDebugMessage(inst, canonOptions(s, c.opts));
      break;
    case 'error-context.drop':
      f = B.canonErrorContextDrop(inst);
      break;
    case 'thread.index':
      f = B.canonThreadIndex(inst);
      break;
    case 'thread.new-indirect': {
      const table = s.coreTables[c.table] as WebAssembly.Table;
      const ct = s.coreTypes[c.typeIdx] as { params?: string[] } | undefined;
      f = B.canonThreadNewIndirect(inst, table, ct?.params?.[0] === 'i64' ? 'i64' : 'i32');
      break;
    }
    case 'thread.resume-later':
      f = B.canonThreadResumeLater(inst);
      break;
    case 'thread.suspend':
    case 'thread.yield':
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
      f = maySuspend(
        B.canonThreadSwitch(inst, c.kind, c.cancellable),
        c.kind.endsWith('-then-resume') || c.kind.endsWith('-then-promote') ? 1 : 0,
      );
      break;
    default: {
      const kind = c.kind;
      f = () => {
        throw new Trap(`canon ${kind} is not supported (shared-everything threads)`);
      };
    }
  }
  s.coreFuncs.push(f);
}
