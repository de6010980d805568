// Component-level types (Binary.md "Type Definitions"), extern types, names,
// sorts and aliases: everything that can appear inside a component or
// instance type as well as at the top level.

import type {
  Alias,
  ComponentDecl,
  CoreSort,
  DefType,
  DefValType,
  ExternName,
  ExternTypeIR,
  FuncTypeIR,
  InstanceDecl,
  PrimValType,
  Sort,
  SortIdx,
  ValTypeRef,
} from './ir.ts';
import type { Reader } from './reader.ts';
import { coreDefType, coreValType } from './decode-core.ts';

/** Nesting limit for component / component-type / instance-type scopes, so deep input can't overflow the stack. */
export const MAX_NESTING = 100;

const primByByte: (PrimValType | undefined)[] = [];
primByByte[0x7f] = 'bool';
primByByte[0x7e] = 's8';
primByByte[0x7d] = 'u8';
primByByte[0x7c] = 's16';
primByByte[0x7b] = 'u16';
primByByte[0x7a] = 's32';
primByByte[0x79] = 'u32';
primByByte[0x78] = 's64';
primByByte[0x77] = 'u64';
primByByte[0x76] = 'f32';
primByByte[0x75] = 'f64';
primByByte[0x74] = 'char';
primByByte[0x73] = 'string';
primByByte[0x64] = 'error-context';

// Shared sort singletons: sorts are compared by value, never mutated.
const coreSorts: Record<number, CoreSort> = {
  0x00: 'func',
  0x01: 'table',
  0x02: 'memory',
  0x03: 'global',
  0x04: 'tag',
  0x10: 'type',
  0x11: 'module',
  0x12: 'instance',
};
const coreSortObjs = new Map<number, Sort>();
for (const [k, v] of Object.entries(coreSorts)) coreSortObjs.set(Number(k), { core: v });
const sorts: (Sort | undefined)[] = [undefined, 'func', 'value', 'type', 'component', 'instance'];

export function coreSort(r: Reader, what = 'core external kind'): CoreSort {
  const b = r.u8();
  const s = coreSorts[b];
  if (s === undefined) r.badByte(b, what);
  return s;
}

export function sort(r: Reader, what = 'component external kind'): Sort {
  const b = r.u8();
  if (b === 0x00) {
    const c = r.u8();
    const s = coreSortObjs.get(c);
    if (s === undefined) r.badByte(c, what);
    return s;
  }
  const s = sorts[b];
  if (s === undefined) r.badByte(b, what);
  return s;
}

export function sortIdx(r: Reader): SortIdx {
  const s = sort(r);
  return { sort: s, idx: r.u32() };
}

/** `valtype`: a primitive opcode, else a non-negative s33 type index. */
export function valType(r: Reader): ValTypeRef {
  const b = r.peek();
  const p = primByByte[b];
  if (p !== undefined) {
    r.pos++;
    return p;
  }
  const at = r.pos;
  const idx = r.s33();
  if (idx < 0) r.badByte(b, 'component value type', at);
  return idx;
}

function optValType(r: Reader): ValTypeRef | undefined {
  const b = r.u8();
  if (b === 0x00) return undefined;
  if (b === 0x01) return valType(r);
  return r.badByte(b, 'optional component value type');
}

function labels(r: Reader): string[] {
  const n = r.count();
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = r.name();
  return out;
}

function labelValTypes(r: Reader): { name: string; type: ValTypeRef }[] {
  const n = r.count();
  const out: { name: string; type: ValTypeRef }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.name();
    out[i] = { name, type: valType(r) };
  }
  return out;
}

/** `defvaltype` after its opcode byte `b` has been read; undefined if `b` isn't one. */
function defValType(r: Reader, b: number): DefValType | undefined {
  const p = primByByte[b];
  if (p !== undefined) return { kind: 'prim', type: p };
  switch (b) {
    case 0x72:
      return { kind: 'record', fields: labelValTypes(r) };
    case 0x71: {
      const n = r.count();
      const cases: { name: string; type?: ValTypeRef }[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const type = optValType(r);
        r.expect(0x00, 'zero byte required');
        cases[i] = type === undefined ? { name } : { name, type };
      }
      return { kind: 'variant', cases };
    }
    case 0x70:
      return { kind: 'list', elem: valType(r) };
    case 0x67: {
      const elem = valType(r);
      return { kind: 'list', elem, length: r.u32() };
    }
    case 0x6f: {
      const n = r.count();
      const types: ValTypeRef[] = new Array(n);
      for (let i = 0; i < n; i++) types[i] = valType(r);
      return { kind: 'tuple', types };
    }
    case 0x6e:
      return { kind: 'flags', names: labels(r) };
    case 0x6d:
      return { kind: 'enum', names: labels(r) };
    case 0x6b:
      return { kind: 'option', type: valType(r) };
    case 0x6a: {
      const ok = optValType(r);
      const err = optValType(r);
      const t: DefValType = { kind: 'result' };
      if (ok !== undefined) t.ok = ok;
      if (err !== undefined) t.err = err;
      return t;
    }
    case 0x69:
      return { kind: 'own', type: r.u32() };
    case 0x68:
      return { kind: 'borrow', type: r.u32() };
    case 0x66: {
      const elem = optValType(r);
      return elem === undefined ? { kind: 'stream' } : { kind: 'stream', elem };
    }
    case 0x65: {
      const elem = optValType(r);
      return elem === undefined ? { kind: 'future' } : { kind: 'future', elem };
    }
    case 0x63: {
      const key = valType(r);
      return { kind: 'map', key, value: valType(r) };
    }
    default:
      return undefined;
  }
}

/** `resultlist` */
export function resultList(r: Reader): ValTypeRef | undefined {
  const b = r.u8();
  if (b === 0x00) return valType(r);
  if (b === 0x01) {
    r.expect(0x00, 'number of results');
    return undefined;
  }
  return r.badByte(b, 'component function results');
}

function funcType(r: Reader, async: boolean): FuncTypeIR {
  const params = labelValTypes(r);
  const result = resultList(r);
  const t: FuncTypeIR = { kind: 'func', async, params };
  if (result !== undefined) t.result = result;
  return t;
}

/** `type` / `deftype` */
export function defType(r: Reader, depth: number): DefType {
  const b = r.u8();
  const dvt = defValType(r, b);
  if (dvt !== undefined) return dvt;
  switch (b) {
    case 0x40:
      return funcType(r, false);
    case 0x43:
      return funcType(r, true);
    case 0x41: {
      const n = r.count();
      const decls: ComponentDecl[] = [];
      enter(r, depth);
      for (let i = 0; i < n; i++) decls.push(componentDecl(r, depth + 1));
      return { kind: 'component', decls };
    }
    case 0x42: {
      const n = r.count();
      const decls: InstanceDecl[] = [];
      enter(r, depth);
      for (let i = 0; i < n; i++) decls.push(instanceDecl(r, depth + 1, r.u8()));
      return { kind: 'instance', decls };
    }
    case 0x3f: {
      const rep = coreValType(r);
      const f = r.u8();
      if (f === 0x00) return { kind: 'resource', rep };
      if (f === 0x01) return { kind: 'resource', rep, dtor: r.u32() };
      return r.badByte(f, 'resource destructor');
    }
    default:
      return r.badByte(b, 'component defined type');
  }
}

export function enter(r: Reader, depth: number): void {
  if (depth >= MAX_NESTING) r.fail('nesting too deep');
}

function componentDecl(r: Reader, depth: number): ComponentDecl {
  const b = r.u8();
  if (b === 0x03) {
    const name = nameAttributes(r);
    return { kind: 'import', name, type: externType(r) };
  }
  return instanceDecl(r, depth, b);
}

function instanceDecl(r: Reader, depth: number, b: number): InstanceDecl {
  switch (b) {
    case 0x00:
      return { kind: 'core-type', type: coreDefType(r, false) };
    case 0x01:
      return { kind: 'type', type: defType(r, depth) };
    case 0x02:
      return { kind: 'alias', alias: alias(r) };
    case 0x04: {
      const name = nameAttributes(r);
      return { kind: 'export', name, type: externType(r) };
    }
    default:
      return r.badByte(b, 'component or instance type declaration');
  }
}

export function externType(r: Reader): ExternTypeIR {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const c = r.u8();
      if (c !== 0x11) r.badByte(c, 'component external kind');
      return { kind: 'module', typeIdx: r.u32() };
    }
    case 0x01:
      return { kind: 'func', typeIdx: r.u32() };
    case 0x02: {
      const v = r.u8();
      if (v === 0x00) return { kind: 'value', bound: { kind: 'eq', idx: r.u32() } };
      if (v === 0x01) return { kind: 'value', bound: { kind: 'type', type: valType(r) } };
      return r.badByte(v, 'value bound');
    }
    case 0x03: {
      const t = r.u8();
      if (t === 0x00) return { kind: 'type', bound: { kind: 'eq', idx: r.u32() } };
      if (t === 0x01) return { kind: 'type', bound: { kind: 'sub-resource' } };
      return r.badByte(t, 'type bound');
    }
    case 0x04:
      return { kind: 'component', typeIdx: r.u32() };
    case 0x05:
      return { kind: 'instance', typeIdx: r.u32() };
    default:
      return r.badByte(b, 'component external kind');
  }
}

const attributeNames = ['implements', 'versionsuffix', 'external-id'] as const;

/** `nameattributes` */
export function nameAttributes(r: Reader): ExternName {
  const b = r.u8();
  if (b > 0x02) r.badByte(b, 'component name');
  const en: ExternName = { name: r.name() };
  if (b !== 0x02) return en;
  const n = r.count();
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const a = r.u8();
    if (a > 0x02) r.badByte(a, 'name option');
    const value = r.name();
    if (seen & (1 << a)) en.duplicateAttribute ??= attributeNames[a];
    seen |= 1 << a;
    if (a === 0x00) en.implements ??= value;
    else if (a === 0x01) en.versionSuffix ??= value;
    else en.externalId ??= value;
  }
  return en;
}

const outerAliasSorts = new Map<number, Sort>([
  [0x03, 'type'],
  [0x04, 'component'],
]);

/** `alias` */
export function alias(r: Reader): Alias {
  // The sort is read raw first: which sorts are allowed depends on the target.
  const at = r.pos;
  const b0 = r.u8();
  const b1 = b0 === 0x00 ? r.u8() : -1;
  const target = r.u8();
  switch (target) {
    case 0x00:
    case 0x01: {
      const s = rawSort(r, b0, b1, at);
      const instance = r.u32();
      const name = r.name();
      return { kind: target === 0x00 ? 'export' : 'core-export', sort: s, instance, name };
    }
    case 0x02: {
      let s: Sort | undefined;
      if (b0 === 0x00) {
        if (b1 === 0x10 || b1 === 0x11) s = coreSortObjs.get(b1);
      } else {
        s = outerAliasSorts.get(b0);
      }
      if (s === undefined) r.badByte(b0 === 0x00 ? b1 : b0, 'component outer alias kind', b0 === 0x00 ? at + 1 : at);
      const count = r.u32();
      return { kind: 'outer', sort: s, count, idx: r.u32() };
    }
    default:
      return r.badByte(target, 'alias');
  }
}

function rawSort(r: Reader, b0: number, b1: number, at: number): Sort {
  if (b0 === 0x00) {
    const s = coreSortObjs.get(b1);
    if (s === undefined) r.badByte(b1, 'core external kind', at + 1);
    return s;
  }
  const s = sorts[b0];
  if (s === undefined) r.badByte(b0, 'component external kind', at);
  return s;
}
