// `canon` definitions (CanonicalABI.md "Canonical definitions"): option
// validation, lift/lower signature checks, and the core types of built-ins.

import type { Canon, CanonOpts } from '../binary/ir.ts';
import type { CoreFuncType, CoreValType, FuncType, ResourceType, ValType } from './model.ts';
import type { Scope } from './scope.ts';
import { valType } from './deftypes.ts';
import {
  coreFuncTypeEquals,
  flattenFuncType,
  flatLength,
  MAX_FLAT_ASYNC_PARAMS,
  MAX_FLAT_PARAMS,
  MAX_FLAT_RESULTS,
} from './flatten.ts';
import type { PtrType } from './layout.ts';
import { containsListOrString } from './predicates.ts';

function ft(params: CoreValType[], results: CoreValType[]): CoreFuncType {
  return { kind: 'func', params, results };
}

/** wasm-tools-style rendering (`[I32, I64]`) so messages read like the reference tests. */
function showTypes(ts: readonly CoreValType[]): string {
  return `[${ts.map((t) => t.toUpperCase()).join(', ')}]`;
}

interface Opts {
  ptr: PtrType;
  memory: boolean;
  realloc: boolean;
}

type OptContext = 'lift' | 'lower' | 'task.return' | 'builtin';

function checkOpts(s: Scope, o: CanonOpts, context: OptContext): Opts {
  if (o.duplicate) s.fail(o.duplicate);
  let ptr: PtrType = 'i32';
  if (o.memory !== undefined) {
    const m = s.at(s.coreMemories, o.memory, 'memory');
    ptr = m.memory64 ? 'i64' : 'i32';
  }
  if (o.realloc !== undefined) {
    const f = s.at(s.coreFuncs, o.realloc, 'function');
    if (!coreFuncTypeEquals(f, ft([ptr, ptr, ptr, ptr], [ptr]))) {
      s.fail('canonical option `realloc` uses a core function with an incorrect signature');
    }
    if (o.memory === undefined) s.fail('canonical option `memory` is required when `realloc` is present');
  }
  if (o.postReturn !== undefined) {
    if (context !== 'lift')
      s.fail(`canonical option \`post-return\` cannot be specified for ${context === 'lower' ? 'lowerings' : context}`);
    s.at(s.coreFuncs, o.postReturn, 'function');
    if (o.async) s.fail('canonical option `post-return` cannot be used with `async`');
  }
  if (o.callback !== undefined) {
    if (context !== 'lift') s.fail('canonical option `callback` is only allowed on `canon lift`');
    if (!o.async) s.fail('canonical option `callback` requires `async`');
    const f = s.at(s.coreFuncs, o.callback, 'function');
    if (!coreFuncTypeEquals(f, ft(['i32', 'i32', 'i32'], ['i32']))) {
      s.fail('canonical option `callback` uses a core function with an incorrect signature');
    }
  }
  if (o.async && context !== 'lift' && context !== 'lower' && context !== 'builtin') {
    s.fail(`canonical option \`async\` is not allowed here`);
  }
  return { ptr, memory: o.memory !== undefined, realloc: o.realloc !== undefined };
}

function requireMemory(s: Scope, o: Opts, why: string): void {
  if (!o.memory) s.fail(`canonical option \`memory\` is required (${why})`);
}
function requireRealloc(s: Scope, o: Opts, why: string): void {
  if (!o.realloc) s.fail(`canonical option \`realloc\` is required (${why})`);
  requireMemory(s, o, why);
}

function flatParams(f: FuncType): number {
  let n = 0;
  for (let i = 0; i < f.params.length; i++) n += flatLength(f.params[i]!.type);
  return n;
}

function flatResults(f: FuncType): number {
  return f.result ? flatLength(f.result) : 0;
}

function paramsNeedMemory(f: FuncType): boolean {
  for (let i = 0; i < f.params.length; i++) if (containsListOrString(f.params[i]!.type)) return true;
  return false;
}

function resultNeedsMemory(f: FuncType): boolean {
  return f.result !== undefined && containsListOrString(f.result);
}

function funcTypeAt(s: Scope, idx: number): FuncType {
  const t = s.at(s.types, idx, 'type');
  if (t.kind !== 'func') s.fail(`type index ${idx} is not a function type`);
  return t;
}

function resourceAt(s: Scope, idx: number): ResourceType {
  const t = s.at(s.types, idx, 'type');
  if (t.kind !== 'resource') s.fail(`type index ${idx} is not a resource type`);
  return t;
}

function streamOrFuture(s: Scope, idx: number, kind: 'stream' | 'future'): ValType | undefined {
  const t = s.at(s.types, idx, 'type');
  if (t.kind !== kind) s.fail(`type index ${idx} is not a ${kind} type`);
  return t.elem;
}

export function canonDefinition(s: Scope, c: Canon): void {
  if (c.kind === 'lift') {
    const core = s.at(s.coreFuncs, c.coreFunc, 'function');
    const f = funcTypeAt(s, c.typeIdx);
    const o = checkOpts(s, c.opts, 'lift');
    if (c.opts.async && !f.async) s.fail('the `async` canonical option requires an async function type');
    if (paramsNeedMemory(f)) requireRealloc(s, o, 'parameters contain a list or string');
    if (resultNeedsMemory(f)) requireMemory(s, o, 'result contains a list or string');
    if (flatParams(f) > MAX_FLAT_PARAMS) requireRealloc(s, o, 'too many flat parameters');
    if (flatResults(f) > (c.opts.async ? MAX_FLAT_PARAMS : MAX_FLAT_RESULTS))
      requireMemory(s, o, 'too many flat results');
    const want = flattenFuncType(
      { async: c.opts.async, callback: c.opts.callback !== undefined, ptr: o.ptr },
      f,
      'lift',
    );
    checkCoreSig(s, core, want);
    if (c.opts.postReturn !== undefined) {
      const pr = s.coreFuncs[c.opts.postReturn]!;
      if (!coreFuncTypeEquals(pr, ft(want.results, []))) {
        s.fail('canonical option `post-return` uses a core function with an incorrect signature');
      }
    }
    s.funcs.push(f);
    return;
  }
  if (c.kind === 'lower') {
    const f = s.at(s.funcs, c.func, 'function');
    const o = checkOpts(s, c.opts, 'lower');
    if (paramsNeedMemory(f)) requireMemory(s, o, 'parameters contain a list or string');
    if (resultNeedsMemory(f)) requireRealloc(s, o, 'result contains a list or string');
    if (flatParams(f) > (c.opts.async ? MAX_FLAT_ASYNC_PARAMS : MAX_FLAT_PARAMS))
      requireMemory(s, o, 'too many flat parameters');
    if (flatResults(f) > MAX_FLAT_RESULTS) requireMemory(s, o, 'too many flat results');
    if (c.opts.async && !f.async) s.fail('the `async` canonical option requires an async function type');
    if (c.opts.async && f.result !== undefined) requireMemory(s, o, '`async` lowering with a result');
    s.coreFuncs.push(flattenFuncType({ async: c.opts.async, ptr: o.ptr }, f, 'lower'));
    return;
  }
  s.coreFuncs.push(builtinType(s, c));
}

function checkCoreSig(s: Scope, got: CoreFuncType, want: CoreFuncType): void {
  if (coreFuncTypeEquals(got, want)) return;
  const pm = got.params.length !== want.params.length || got.params.some((p, i) => p !== want.params[i]);
  if (pm)
    s.fail(
      `type mismatch: lowered parameter types \`${showTypes(want.params)}\` do not match parameter types \`${showTypes(got.params)}\` of core function`,
    );
  s.fail(
    `type mismatch: lowered result types \`${showTypes(want.results)}\` do not match result types \`${showTypes(got.results)}\` of core function`,
  );
}

function builtinType(s: Scope, c: Exclude<Canon, { kind: 'lift' | 'lower' }>): CoreFuncType {
  switch (c.kind) {
    case 'resource.new':
    case 'resource.rep': {
      const r = resourceAt(s, c.typeIdx);
      if (!s.localResources.has(r)) s.fail(`type index ${c.typeIdx} is not a local resource`);
      return c.kind === 'resource.new' ? ft(['i32'], ['i32']) : ft(['i32'], ['i32']);
    }
    case 'resource.drop':
      resourceAt(s, c.typeIdx);
      return ft(['i32'], []);
    case 'backpressure.inc':
    case 'backpressure.dec':
    case 'task.cancel':
      return ft([], []);
    case 'subtask.drop':
      return ft(['i32'], []);
    case 'task.return': {
      const o = c.opts;
      if (o.realloc !== undefined || o.postReturn !== undefined || o.callback !== undefined || o.async) {
        s.fail('`task.return` may only have `memory` and `string-encoding` options');
      }
      const opts = checkOpts(s, o, 'task.return');
      const params: FuncType['params'] = [];
      if (c.result !== undefined) {
        const t = valType(s, c.result);
        if (containsListOrString(t)) requireMemory(s, opts, 'result contains a list or string');
        if (flatLength(t) > MAX_FLAT_PARAMS) requireMemory(s, opts, 'too many flat values');
        params.push({ label: 'result', type: t });
      }
      return flattenFuncType({ ptr: opts.ptr }, { kind: 'func', async: false, params }, 'lower');
    }
    case 'context.get':
    case 'context.set':
      if (c.type !== 'i32') s.fail(`\`${c.kind}\` only supports type \`i32\``);
      if (c.index >= 2) s.fail(`\`${c.kind}\` index ${c.index} out of range (must be less than 2)`);
      return c.kind === 'context.get' ? ft([], ['i32']) : ft(['i32'], []);
    case 'subtask.cancel':
      return ft(['i32'], ['i32']);
    case 'stream.new':
      streamOrFuture(s, c.typeIdx, 'stream');
      return ft([], ['i64']);
    case 'future.new':
      streamOrFuture(s, c.typeIdx, 'future');
      return ft([], ['i64']);
    case 'stream.drop-readable':
    case 'stream.drop-writable':
      streamOrFuture(s, c.typeIdx, 'stream');
      return ft(['i32'], []);
    case 'future.drop-readable':
    case 'future.drop-writable':
      streamOrFuture(s, c.typeIdx, 'future');
      return ft(['i32'], []);
    case 'stream.cancel-read':
    case 'stream.cancel-write':
      streamOrFuture(s, c.typeIdx, 'stream');
      return ft(['i32'], ['i32']);
    case 'future.cancel-read':
    case 'future.cancel-write':
      streamOrFuture(s, c.typeIdx, 'future');
      return ft(['i32'], ['i32']);
    case 'stream.read':
    case 'stream.write':
    case 'future.read':
    case 'future.write': {
      const isStream = c.kind.startsWith('stream');
      const elem = streamOrFuture(s, c.typeIdx, isStream ? 'stream' : 'future');
      const o = checkOpts(s, c.opts, 'builtin');
      if (c.opts.postReturn !== undefined || c.opts.callback !== undefined) s.fail(`invalid options for \`${c.kind}\``);
      if (elem) {
        requireMemory(s, o, `\`${c.kind}\` of a typed ${isStream ? 'stream' : 'future'}`);
        if (c.kind.endsWith('read') && containsListOrString(elem))
          requireRealloc(s, o, 'element contains a list or string');
      }
      return isStream ? ft(['i32', o.ptr, o.ptr], [o.ptr]) : ft(['i32', o.ptr], ['i32']);
    }
    case 'error-context.new':
    case 'error-context.debug-message': {
      const o = checkOpts(s, c.opts, 'builtin');
      if (c.opts.async) s.fail(`\`${c.kind}\` cannot be \`async\``);
      requireMemory(s, o, c.kind);
      if (c.kind === 'error-context.debug-message') {
        requireRealloc(s, o, c.kind);
        return ft(['i32', o.ptr], []);
      }
      return ft([o.ptr, o.ptr], ['i32']);
    }
    case 'error-context.drop':
      return ft(['i32'], []);
    case 'waitable-set.new':
      return ft([], ['i32']);
    case 'waitable-set.wait':
    case 'waitable-set.poll': {
      const m = s.at(s.coreMemories, c.memory, 'memory');
      return ft(['i32', m.memory64 ? 'i64' : 'i32'], ['i32']);
    }
    case 'waitable-set.drop':
      return ft(['i32'], []);
    case 'waitable.join':
      return ft(['i32', 'i32'], []);
    case 'thread.index':
      return ft([], ['i32']);
    case 'thread.resume-later':
      return ft(['i32'], []);
    case 'thread.suspend':
    case 'thread.yield':
      return ft([], ['i32']);
    case 'thread.suspend-then-resume':
    case 'thread.yield-then-resume':
    case 'thread.suspend-then-promote':
    case 'thread.yield-then-promote':
      return ft(['i32'], ['i32']);
    case 'thread.new-indirect': {
      const t = s.at(s.coreTypes, c.typeIdx, 'core type');
      if (t.kind !== 'func' || !coreFuncTypeEquals(t, ft(['i32'], [])))
        s.fail(`core type index ${c.typeIdx} must be \`(func (param i32))\``);
      const tbl = s.at(s.coreTables, c.table, 'table');
      if (tbl.elem !== 'funcref') s.fail(`expected table element type funcref, found ${tbl.elem}`);
      return ft(['i32', 'i32'], ['i32']);
    }
    case 'thread.spawn-ref': {
      const t = s.at(s.coreTypes, c.typeIdx, 'core type');
      if (t.kind !== 'func') s.fail(`core type index ${c.typeIdx} is not a function type`);
      return ft([`(ref ${c.typeIdx})`, 'i32'], ['i32']);
    }
    case 'thread.spawn-indirect': {
      const t = s.at(s.coreTypes, c.typeIdx, 'core type');
      if (t.kind !== 'func') s.fail(`core type index ${c.typeIdx} is not a function type`);
      s.at(s.coreTables, c.table, 'table');
      return ft(['i32', 'i32'], ['i32']);
    }
    case 'thread.available-parallelism':
      return ft([], ['i32']);
  }
}
