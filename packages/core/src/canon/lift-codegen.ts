// canon lift (sync) of a function of plain values (bool, the integers, floats, char, enum,
// flags; no memory, no handles) compiled once to straight-line JavaScript with `new
// Function`: the checks and conversions of each parameter and the result inline, the
// core function called directly, nothing allocated per call. The same steps as lift.ts's
// closure, which is used where code generation is not allowed (CSP, workerd) or turned off.

import type { Codec } from '../abi/codecs/index.ts';
import type { CanonOptions } from '../abi/options.ts';
import { poisonWith } from '../runtime/errors.ts';
import { checkCallNesting, enterFrom, leaveTo, takeCaller } from '../runtime/instance-entry.ts';
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
function lowerExpr(t: ValType, a: string, i: number): string {
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

/**
 * The compiled sync lift of `parts`, or undefined when its type is not all plain values,
 * it uses memory, or the engine refuses `new Function`.
 */
export function compileSyncLift(parts: SyncLiftParts): ((...args: any[]) => unknown) | undefined {
  const { ft, opts, params, result } = parts;
  if (opts.memory !== undefined || opts.realloc !== undefined) return undefined;
  if (!ft.params.every((p) => isPlain(p.type))) return undefined;
  if (ft.result !== undefined && !isPlain(ft.result)) return undefined;
  if (params.length > 16) return undefined;
  const args = params.map((_, i) => `a${i}`);
  const lowered = ft.params.map((p, i) => lowerExpr(p.type, `a${i}`, i)).join(', ');
  const post = opts.postReturn
    ? `inst.mayLeave = false;
      try { postReturn(${result === undefined ? '' : 'raw'}); } finally { inst.mayLeave = true; }`
    : '';
  const body = `return function liftedFunc(${args.join(', ')}) {
  const caller = takeCaller();
  // The host calling a top-level instance: enter_from's loops come down to one flag.
  const top = caller === undefined && inst.parent === undefined && inst.mayEnter && inst.poisoned === undefined;
  if (top) inst.mayEnter = false;
  else {
    if (caller !== undefined) checkCallNesting(inst, caller);
    enterFrom(inst, caller);
  }
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
      result === undefined && !post
        ? 'return undefined;'
        : `let ret;
    try {
      ${result === undefined ? '' : `ret = ${liftExpr(ft.result!)};`}
      ${post}
    } catch (e) {
      throw poisonWith(inst, e);
    }
    return ret;`
    }
  } finally {
    if (frame.thread !== undefined || frame.resolved) frame.release();
    running.current = prevCurrent;
    if (top) inst.mayEnter = true;
    else leaveTo(inst, caller);
  }
};`;
  const names = ['inst', 'frame', 'cx', 'core', 'postReturn', 'R', 'takeCaller', 'checkCallNesting', 'enterFrom'];
  names.push('leaveTo', 'running', 'poisonWith', ...params.map((_, i) => `T${i}`));
  const values = [opts.instance, parts.frame, parts.cx, parts.core, opts.postReturn, result?.fromCore];
  values.push(takeCaller, checkCallNesting, enterFrom, leaveTo, running, poisonWith, ...params.map((c) => c.toCore));
  let make: (...v: unknown[]) => (...args: any[]) => unknown;
  try {
    make = new Function(...names, body) as typeof make;
  } catch {
    // Code generation disallowed (a Content-Security-Policy, workerd): the closure serves.
    return undefined;
  }
  return make(...values);
}
