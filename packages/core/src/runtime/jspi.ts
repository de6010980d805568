// JSPI (JS Promise Integration): how a guest stack suspends.
//
// V8 traps (SuspendError) as soon as a `WebAssembly.Suspending` import is
// called on a stack that was not entered through `WebAssembly.promising`, even
// if it would not suspend. So a built-in that may block is never handed to
// core code as a Suspending import directly: `blockable` puts a tiny wasm
// dispatcher in front of it that calls the plain JS built-in first and only
// calls the Suspending half when the built-in asked to suspend (`suspendWith`).
// Any stack can therefore call it; only a call that really blocks needs a
// promising entry (`Entry`).
//
// `Entry` runs a core function through `promising` via a trampoline that
// records completion and the result in wasm globals, so a call that finishes
// without suspending yields its result synchronously.

import { Trap } from '../host/errors.ts';
import type { CoreValType } from '../types/model.ts';

const WA = WebAssembly as unknown as {
  Suspending?: new (f: Function) => unknown;
  promising?: (f: Function) => (...a: unknown[]) => Promise<unknown>;
};

/**
 * Whether this engine has JSPI: a fact of the engine, fixed for the realm.
 * Each store decides whether to use it (`InstantiateOptions.jspi`).
 */
export const HAS_JSPI = typeof WA.Suspending === 'function' && typeof WA.promising === 'function';

/** The trap of a block on a store without JSPI (the engine lacks it, or the instance was made with `jspi: false`). */
export function jspiRequired(what: string): Trap {
  return new Trap(
    `${what} must suspend the calling WebAssembly stack, which requires JSPI (WebAssembly.Suspending / WebAssembly.promising); ${HAS_JSPI ? 'this instance was made with { jspi: false }' : 'this JavaScript engine does not provide it'}`,
  );
}

// ---- a minimal wasm binary writer for the two fixed module shapes ----

const VT: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

function u32(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function vt(t: CoreValType): number {
  const v = VT[t];
  if (v === undefined) throw new Trap(`internal: no JSPI trampoline for core type ${t}`);
  return v;
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  u32(body.length, out);
  out.push(...body);
}

function name(s: string, out: number[]): void {
  u32(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

function funcType(params: CoreValType[], results: CoreValType[], out: number[]): void {
  out.push(0x60);
  u32(params.length, out);
  for (const p of params) out.push(vt(p));
  u32(results.length, out);
  for (const r of results) out.push(vt(r));
}

function zeroInit(t: CoreValType, out: number[]): void {
  if (t === 'i32') out.push(0x41, 0);
  else if (t === 'i64') out.push(0x42, 0);
  else if (t === 'f32') out.push(0x43, 0, 0, 0, 0);
  else out.push(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  out.push(0x0b);
}

function moduleOf(sections: number[]): Uint8Array {
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...sections]);
}

/**
 * (import "" "p" (func (type params→results)))   ;; the plain built-in
 * (import "" "s" (func (type →results)))         ;; Suspending: returns the stashed Promise
 * (import "" "g" (global (mut i32)))             ;; set by the plain built-in to ask for a suspension
 * (func (export "f") call p; if g then call s)
 */
function dispatcherModule(params: CoreValType[], results: CoreValType[]): Uint8Array {
  const s: number[] = [];
  const types: number[] = [2];
  funcType(params, results, types);
  funcType([], results, types);
  section(1, types, s);
  const imports: number[] = [3];
  name('', imports);
  name('p', imports);
  imports.push(0x00, 0);
  name('', imports);
  name('s', imports);
  imports.push(0x00, 1);
  name('', imports);
  name('g', imports);
  imports.push(0x03, 0x7f, 1);
  section(2, imports, s);
  section(3, [1, 0], s);
  const exp: number[] = [1];
  name('f', exp);
  exp.push(0x00, 2);
  section(7, exp, s);
  const body: number[] = [];
  const r = results.length > 0;
  if (r) body.push(1, 1, vt(results[0]!));
  else body.push(0);
  const L = params.length;
  for (let i = 0; i < L; i++) body.push(0x20, ...leb(i));
  body.push(0x10, 0);
  if (r) body.push(0x21, ...leb(L));
  body.push(0x23, 0, 0x04, 0x40, 0x10, 1);
  if (r) body.push(0x21, ...leb(L));
  body.push(0x0b);
  if (r) body.push(0x20, ...leb(L));
  body.push(0x0b);
  const code: number[] = [1];
  u32(body.length, code);
  code.push(...body);
  section(10, code, s);
  return moduleOf(s);
}

/**
 * (import "" "f" (func (type params→results)))
 * (global $done (export "done") (mut i32)) (global $r (export "r") (mut result))
 * (func (export "call") call f; global.set $r; done := 1; global.get $r)
 */
function trampolineModule(params: CoreValType[], results: CoreValType[]): Uint8Array {
  const s: number[] = [];
  const types: number[] = [1];
  funcType(params, results, types);
  section(1, types, s);
  const imports: number[] = [1];
  name('', imports);
  name('f', imports);
  imports.push(0x00, 0);
  section(2, imports, s);
  section(3, [1, 0], s);
  const r = results.length > 0;
  const globals: number[] = [r ? 2 : 1];
  globals.push(0x7f, 1);
  zeroInit('i32', globals);
  if (r) {
    globals.push(vt(results[0]!), 1);
    zeroInit(results[0]!, globals);
  }
  section(6, globals, s);
  const exp: number[] = [r ? 3 : 2];
  name('call', exp);
  exp.push(0x00, 1);
  name('done', exp);
  exp.push(0x03, 0);
  if (r) {
    name('r', exp);
    exp.push(0x03, 1);
  }
  section(7, exp, s);
  const body: number[] = [0];
  for (let i = 0; i < params.length; i++) body.push(0x20, ...leb(i));
  body.push(0x10, 0);
  if (r) body.push(0x24, 1);
  body.push(0x41, 1, 0x24, 0);
  if (r) body.push(0x23, 1);
  body.push(0x0b);
  const code: number[] = [1];
  u32(body.length, code);
  code.push(...body);
  section(10, code, s);
  return moduleOf(s);
}

function leb(n: number): number[] {
  const o: number[] = [];
  u32(n, o);
  return o;
}

/**
 * Shim modules by shape (`d:` dispatcher or `t:` trampoline, params>results): a memo of
 * immutable modules shared by every store, each with its bytes once this realm made it (a
 * bundler writes those out), or registered compiled ahead of time (`registerJspiShims`).
 */
const modules = new Map<string, { module: WebAssembly.Module; bytes: Uint8Array | undefined }>();
/** The shapes asked for while a recording runs (`recordJspiShims`). */
let recording: Set<string> | undefined;
function cached(kind: string, params: CoreValType[], results: CoreValType[], make: typeof dispatcherModule) {
  const key = `${kind}:${params.join(',')}>${results.join(',')}`;
  recording?.add(key);
  let m = modules.get(key);
  if (m === undefined) {
    const bytes = make(params, results);
    m = { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), bytes };
    modules.set(key, m);
  }
  return m.module;
}

/**
 * Records the JSPI shim modules instances use from now on (suspending built-ins, time slicing);
 * `stop()` ends the recording and gives their bytes by shape: after instantiating a component
 * with the options it will run with, what it needs on a host that compiles nothing at run time
 * (workerd). `weft bundle` writes them out. One recording at a time.
 */
export function recordJspiShims(): { stop(): Map<string, Uint8Array> } {
  const keys = new Set<string>();
  recording = keys;
  return {
    stop() {
      if (recording === keys) recording = undefined;
      const out = new Map<string, Uint8Array>();
      for (const key of [...keys].sort()) {
        const bytes = modules.get(key)?.bytes;
        if (bytes !== undefined) out.set(key, bytes);
      }
      return out;
    },
  };
}

/**
 * Hands this realm shim modules compiled ahead of time (keys as `jspiShimModules` gave them),
 * so instances use them instead of compiling their own. A key of another shape is refused.
 */
export function registerJspiShims(shims: Record<string, WebAssembly.Module>): void {
  for (const [key, module] of Object.entries(shims)) {
    if (
      !/^[dt]:(?:(?:i32|i64|f32|f64)(?:,(?:i32|i64|f32|f64))*)?>(?:(?:i32|i64|f32|f64)(?:,(?:i32|i64|f32|f64))*)?$/.test(
        key,
      )
    )
      throw new TypeError(`not a JSPI shim key: ${JSON.stringify(key)}`);
    if (!(module instanceof WebAssembly.Module)) throw new TypeError(`the shim ${key} is not a WebAssembly.Module`);
    if (!modules.has(key)) modules.set(key, { module, bytes: undefined });
  }
}

// ---- suspension ----

const ZERO: Record<string, unknown> = { i32: 0, i64: 0n, f32: 0, f64: 0 };

/**
 * The suspension machinery of one store (made on first use): the flag the
 * dispatchers test, the Suspending import, and the Promise a built-in that
 * must block hands to it. A built-in sets both and returns at once, and the
 * dispatcher consumes them before any other JS runs.
 */
export class Suspender {
  private readonly flag = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
  private stashed: Promise<unknown> | undefined = undefined;
  private readonly suspendImport = new WA.Suspending!(() => {
    this.flag.value = 0;
    const p = this.stashed!;
    this.stashed = undefined;
    return p;
  });

  /**
   * Called by a plain built-in (inside `blockable`) that must block: the
   * dispatcher suspends the stack on `p` as soon as the built-in returns the
   * returned placeholder; the stack resumes with `p`'s value.
   */
  suspendWith(p: Promise<unknown>, result: CoreValType | undefined): any {
    this.flag.value = 1;
    this.stashed = p;
    return result === undefined ? undefined : ZERO[result];
  }

  /** Makes a built-in that may block callable from any stack (see the file comment). */
  blockable(plain: Function, params: CoreValType[], results: CoreValType[]): Function {
    const inst = new WebAssembly.Instance(cached('d', params, results, dispatcherModule), {
      '': { p: plain, s: this.suspendImport, g: this.flag },
    } as WebAssembly.Imports);
    return inst.exports.f as Function;
  }
}

/** A promising entry into a core function that reports synchronous completion. */
export class Entry {
  readonly call: (...a: unknown[]) => Promise<unknown>;
  readonly done: WebAssembly.Global;
  readonly r: WebAssembly.Global | undefined;
  constructor(f: Function, params: CoreValType[], results: CoreValType[]) {
    const inst = new WebAssembly.Instance(cached('t', params, results, trampolineModule), {
      '': { f },
    } as WebAssembly.Imports);
    const x = inst.exports as Record<string, unknown>;
    this.call = WA.promising!(x.call as Function);
    this.done = x.done as WebAssembly.Global;
    this.r = x.r as WebAssembly.Global | undefined;
  }
}
