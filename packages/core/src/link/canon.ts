// `canon` definitions: lift/lower through abi/, resource built-ins through
// resources/. Async built-ins belong to async/ (issue #3) and trap for now.

import type { Canon, CanonOpts } from '../binary/ir.ts';
import { canonLift, canonLower, type CanonOptions } from '../abi/index.ts';
import { buildAsyncCanon, prepareAsync } from '../async/index.ts';
import { canonResourceDrop, canonResourceNew, canonResourceRep, type ResourceRuntimeType } from '../resources/index.ts';
import type { FuncType, Type } from '../types/model.ts';
import type { ComponentInstance } from './component-instance.ts';
import type { ComponentDef, ComponentFunc, LinkScope } from './runtime.ts';
import { substitute } from './substitute.ts';

export interface CoreSpaces extends LinkScope {
  readonly def: ComponentDef;
  readonly inst: ComponentInstance;
  coreFuncs: Function[];
  coreMemories: WebAssembly.Memory[];
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
