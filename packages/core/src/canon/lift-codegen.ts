// canon lift (sync) of a function of plain values (bool, the integers, floats, char, enum,
// flags: flat, no memory, no handles) compiled once per shape to straight-line JavaScript with
// `new Function`, or ahead of time by `weft bundle`: the checks and conversions of each
// parameter and the result inline, the core function called directly, nothing allocated per
// call. The same steps as lift.ts's closure, which serves where neither is available.

import type { Codec } from '../abi/codecs/index.ts';
import type { CanonOptions } from '../abi/options.ts';
import { poisonWith } from '../runtime/errors.ts';
import { checkCallNesting, enterFrom, leaveTo, takeCaller } from '../runtime/instance-entry.ts';
import { cannotCallOut } from '../runtime/leaf.ts';
import { running } from '../runtime/store.ts';
import type { SyncFrame } from '../runtime/thread.ts';
import type { FuncType, ValType } from '../types/model.ts';

/** Types whose flat form is one core value and whose lifting and lowering touch neither memory nor handles. */
const PLAIN = new Set(['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'enum']);

export function isPlain(t: ValType): boolean {
  if (PLAIN.has(t.kind)) return true;
  return t.kind === 'flags' && t.labels.length <= 32;
}

/**
 * `x`'s lowering as an expression: the fast check of the common types inline, else the
 * codec's toCore (which also throws the precise error for a bad value).
 */
export function lowerExpr(t: ValType, a: string, i: number): string {
  const slow = `T${i}(cx, ${a})`;
  switch (t.kind) {
    case 'u32':
      return `(typeof ${a} === 'number' && ${a} >>> 0 === ${a} ? ${a} : ${slow})`;
    case 's32':
      return `(typeof ${a} === 'number' && (${a} | 0) === ${a} ? ${a} : ${slow})`;
    case 'u8':
      return `(typeof ${a} === 'number' && (${a} & 0xff) === ${a} ? ${a} : ${slow})`;
    case 'u16':
      return `(typeof ${a} === 'number' && (${a} & 0xffff) === ${a} ? ${a} : ${slow})`;
    case 's8':
      return `(typeof ${a} === 'number' && (${a} << 24) >> 24 === ${a} ? ${a} : ${slow})`;
    case 's16':
      return `(typeof ${a} === 'number' && (${a} << 16) >> 16 === ${a} ? ${a} : ${slow})`;
    case 'bool':
      return `(${a} === true ? 1 : ${a} === false ? 0 : ${slow})`;
    case 'f64':
    case 'f32':
      // A NaN is passed as JS's one NaN, as canonF does.
      return `(typeof ${a} === 'number' ? ${a} : ${slow})`;
    default:
      return slow;
  }
}

/** The result's lifting as an expression of `raw`. */
function liftExpr(t: ValType): string {
  switch (t.kind) {
    case 'u32':
      return 'raw >>> 0';
    case 's32':
      return 'raw | 0';
    case 'u8':
      return 'raw & 0xff';
    case 'u16':
      return 'raw & 0xffff';
    case 'bool':
      return 'raw !== 0';
    default:
      return 'R(cx, raw)';
  }
}

export interface SyncLiftParts {
  ft: FuncType;
  opts: CanonOptions;
  core: Function;
  frame: SyncFrame;
  cx: unknown;
  params: Codec[];
  result: Codec | undefined;
}

/** What a generated lift's factory takes, in order (then T0..Tn, each parameter's toCore). */
const FACTORY_PARAMS = [
  'inst',
  'frame',
  'cx',
  'core',
  'postReturn',
  'R',
  'takeCaller',
  'checkCallNesting',
  'enterFrom',
  'leaveTo',
  'running',
  'poisonWith',
];

export type Factory = (...v: unknown[]) => (...args: any[]) => unknown;

/**
 * Lift factories by shape (the source depends only on the parameter and result kinds and
 * whether there is a post-return), shared by every function of that shape: those registered
 * compiled ahead of time (`registerCompiledLifts`, used even with `codegen: false`), and those
 * this realm made with `new Function` (once per shape: a copy per function, tried, doubled the
 * bench's compile + instantiate of its minimal guest, 0.21 to 0.45 ms, for no measured gain).
 */
const registered = new Map<string, Factory>();
const generated = new Map<string, Factory>();
/** Shapes asked for while a recording runs (`recordCompiledLifts`). */
let recording: Map<string, string> | undefined;

/**
 * The shape key of a plain sync lift: `u32,u32>u32` (`+post` with a post-return, `+leaf` when
 * its core functions cannot call out of wasm: see leafGuard).
 */
export function shapeKey(ft: FuncType, post: boolean, leaf = false): string {
  const kind = (t: ValType) => (t.kind === 'flags' ? `flags${t.labels.length}` : t.kind);
  return `${ft.params.map((p) => kind(p.type)).join(',')}>${ft.result === undefined ? '' : kind(ft.result)}${post ? '+post' : ''}${leaf ? '+leaf' : ''}`;
}

/** Result liftings that cannot throw: no try around them when there is no post-return either. */
const TOTAL_LIFT = new Set(['u32', 's32', 'u8', 'u16', 'bool']);

/**
 * `a`'s check and core value when lowering it runs no code but the check (no codec, no getter,
 * no message built from it), or undefined for the kinds without one.
 */
function leafGuard(t: ValType, a: string): { ok: string; core: string } | undefined {
  const num = (ok: string) => ({ ok: `typeof ${a} === 'number' && ${ok}`, core: a });
  switch (t.kind) {
    case 'u32':
      return num(`${a} >>> 0 === ${a}`);
    case 's32':
      return num(`(${a} | 0) === ${a}`);
    case 'u8':
      return num(`(${a} & 0xff) === ${a}`);
    case 'u16':
      return num(`(${a} & 0xffff) === ${a}`);
    case 's8':
      return num(`(${a} << 24) >> 24 === ${a}`);
    case 's16':
      return num(`(${a} << 16) >> 16 === ${a}`);
    case 'f32':
    case 'f64':
      return { ok: `typeof ${a} === 'number'`, core: a };
    case 'bool':
      return { ok: `typeof ${a} === 'boolean'`, core: `(${a} ? 1 : 0)` };
    default:
      return undefined;
  }
}

/**
 * The factory's source: a function of FACTORY_PARAMS and T0..Tn returning the lifted function.
 * Two bodies, picked when the factory runs (at instantiation): `general`, the spec's steps for
 * any caller (enter_from's and leave_to's loops over the instance and its ancestors, the nesting
 * check of a guest caller); and, for an instance with no parent, `liftedFunc`: the host calling
 * it (no caller) comes down to one may-enter flag, with `general` taking over for a guest caller,
 * an instance already entered and a poisoned one (which traps there). The fast body restores the
 * caller's state on each exit itself instead of in a `finally`, and compares the flags with
 * `===` (a plain truthiness test of a field of unknown type is a chain of compares in V8).
 *
 * `leaf`: the core function (and post-return) cannot call out of wasm (runtime/leaf.ts), and
 * every argument's check runs no other code. No JS runs between the entry checks and the return
 * then, so nothing could see the instance entered or the running frame: the fast body checks
 * may-enter, poison and the arguments (else `general`, which traps or throws as ever) and calls
 * the core function without setting either. A trap still poisons the instance.
 */
function factorySource(ft: FuncType, post: boolean, leaf: boolean): string {
  const n = ft.params.length;
  const args = ft.params.map((_, i) => `a${i}`).join(', ');
  const generalArgs = `caller${n ? `, ${args}` : ''}`;
  const lowered = ft.params.map((p, i) => lowerExpr(p.type, `a${i}`, i)).join(', ');
  const hasResult = ft.result !== undefined;
  const postCall = post
    ? `inst.mayLeave = false;
      try { postReturn(${hasResult ? 'raw' : ''}); } finally { inst.mayLeave = true; }`
    : '';
  const params = [...FACTORY_PARAMS, ...Array.from({ length: n }, (_, i) => `T${i}`)].join(', ');
  const release = 'if (frame.thread !== undefined || frame.resolved) frame.release();';
  /** The fast body after the core call, `leave` undoing the entry on each way out. */
  const tail = (leave: string) => {
    if (!hasResult && !post) return `${leave}\n    return undefined;`;
    if (!post && TOTAL_LIFT.has(ft.result!.kind)) return `${leave}\n    return ${liftExpr(ft.result!)};`;
    return `let ret;
    try {
      ${hasResult ? `ret = ${liftExpr(ft.result!)};` : ''}
      ${postCall}
    } catch (e) {
      const t = poisonWith(inst, e);
      ${leave}
      throw t;
    }
    ${leave}
    return ret;`;
  };
  let fast: string;
  if (leaf) {
    const guards = ft.params.map((p, i) => leafGuard(p.type, `a${i}`)!);
    const ok = guards.map((g) => ` || !(${g.ok})`).join('');
    fast = `const caller = takeCaller();
  if (caller !== undefined || inst.mayEnter !== true || inst.poisoned !== undefined${ok}) return general(${generalArgs});
  let raw;
  try {
    raw = core(${guards.map((g) => g.core).join(', ')});
  } catch (e) {
    throw poisonWith(inst, e);
  }
  ${tail('')}`;
  } else {
    // What `general`'s finally does, for a top-level instance and no caller.
    const leave = `${release}
    running.current = prevCurrent;
    inst.mayEnter = true;`;
    fast = `const caller = takeCaller();
  if (caller !== undefined || inst.mayEnter !== true || inst.poisoned !== undefined) return general(${generalArgs});
  inst.mayEnter = false;
  const prevCurrent = running.current;
  running.current = frame;
  let raw;
  try {
    raw = core(${lowered});
  } catch (e) {
    const t = poisonWith(inst, e);
    ${leave}
    throw t;
  }
  ${tail(leave)}`;
  }
  return `function (${params}) {
const general = function liftedFunc(${generalArgs}) {
  if (caller !== undefined) checkCallNesting(inst, caller);
  enterFrom(inst, caller);
  const prevCurrent = running.current;
  running.current = frame;
  try {
    let raw;
    try {
      raw = core(${lowered});
    } catch (e) {
      throw poisonWith(inst, e);
    }
    ${
      !hasResult && !post
        ? 'return undefined;'
        : `let ret;
    try {
      ${hasResult ? `ret = ${liftExpr(ft.result!)};` : ''}
      ${postCall}
    } catch (e) {
      throw poisonWith(inst, e);
    }
    return ret;`
    }
  } finally {
    ${release}
    running.current = prevCurrent;
    leaveTo(inst, caller);
  }
};
if (inst.parent !== undefined) return function liftedFunc(${args}) { return general(takeCaller()${n ? `, ${args}` : ''}); };
return function liftedFunc(${args}) {
  ${fast}
};
}`;
}

/**
 * The factory of shape `key`: registered ahead of time, else (with `codegen`) made once by
 * `new Function` from `source()`; undefined if neither (code generation refused, say).
 */
export function factoryFor(key: string, source: () => string, codegen: boolean): Factory | undefined {
  if (recording !== undefined && !recording.has(key)) recording.set(key, source());
  let make = registered.get(key) ?? (codegen ? generated.get(key) : undefined);
  if (make === undefined) {
    if (!codegen) return undefined;
    try {
      make = new Function(`return ${source()}`)() as Factory;
    } catch {
      // Code generation disallowed (a Content-Security-Policy, workerd): the closure serves.
      return undefined;
    }
    generated.set(key, make);
  }
  return make;
}

/**
 * The compiled sync lift of `parts`, or undefined when its type is not all plain values or it
 * uses memory, or when no factory of its shape was registered and `codegen` is off or the
 * engine refuses `new Function`.
 */
export function compileSyncLift(parts: SyncLiftParts, codegen: boolean): ((...args: any[]) => unknown) | undefined {
  const { ft, opts, params, result } = parts;
  // Plain values are flat (one core value each, at most 16 parameters): a memory or realloc the
  // lift names (toolchains name them on every lift) is never touched.
  if (!ft.params.every((p) => isPlain(p.type))) return undefined;
  if (ft.result !== undefined && !isPlain(ft.result)) return undefined;
  if (params.length > 16) return undefined;
  const post = opts.postReturn !== undefined;
  const leaf =
    cannotCallOut(parts.core) &&
    (!post || cannotCallOut(opts.postReturn)) &&
    ft.params.every((p) => leafGuard(p.type, '') !== undefined);
  const make = factoryFor(shapeKey(ft, post, leaf), () => factorySource(ft, post, leaf), codegen);
  if (make === undefined) return undefined;
  return make(
    opts.instance,
    parts.frame,
    parts.cx,
    parts.core,
    opts.postReturn,
    result?.fromCore,
    takeCaller,
    checkCallNesting,
    enterFrom,
    leaveTo,
    running,
    poisonWith,
    ...params.map((c) => c.toCore),
  );
}

/**
 * Records the shapes of the compiled lifts that instances ask for from now on; `stop()` ends
 * the recording and gives each shape's factory as JavaScript source (a function expression), for
 * a bundler to write into its module (`weft bundle` does), so hosts that refuse `new Function`
 * get the same code. One recording at a time.
 */
export function recordCompiledLifts(): { stop(): Map<string, string> } {
  const shapes = new Map<string, string>();
  recording = shapes;
  return {
    stop() {
      if (recording === shapes) recording = undefined;
      return new Map([...shapes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
  };
}

/**
 * Registers lift factories compiled ahead of time (the functions `recordCompiledLifts` gave the
 * source of, keyed by shape): used even with `codegen: false`, since nothing is evaluated.
 */
export function registerCompiledLifts(lifts: Record<string, Function>): void {
  for (const [key, f] of Object.entries(lifts)) {
    if (!/^[\w,]*>[\w]*(\+post|\+callback)?(\+leaf)?$/.test(key))
      throw new TypeError(`not a compiled lift shape: ${JSON.stringify(key)}`);
    if (typeof f !== 'function') throw new TypeError(`the compiled lift ${key} is not a function`);
    if (!registered.has(key)) registered.set(key, f as Factory);
  }
}
