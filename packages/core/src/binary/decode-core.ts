// Core-wasm pieces of the component binary: core types (func types, module
// types and their decls, GC rec/sub types parsed just far enough to skip),
// core extern types, and a light structural check of embedded core modules.

import type { CoreDefType, CoreExternType, CoreModuleDecl, CoreValType } from './ir.ts';
import type { Reader } from './reader.ts';

// Abstract heap types that have a name of their own when nullable.
const heapNames: Record<number, string> = {
  0x73: 'nofunc',
  0x72: 'noextern',
  0x71: 'none',
  0x70: 'func',
  0x6f: 'extern',
  0x6e: 'any',
  0x6d: 'eq',
  0x6c: 'i31',
  0x6b: 'struct',
  0x6a: 'array',
  0x69: 'exn',
  0x74: 'noexn',
  0x68: 'cont',
  0x75: 'nocont',
};

function heapType(r: Reader): string {
  const b = r.peek();
  if (b === 0x65) {
    // shared-everything-threads: `shared` prefix on an abstract heap type
    r.pos++;
    const inner = r.u8();
    const name = heapNames[inner];
    if (name === undefined) r.badByte(inner, 'heap type');
    return `shared ${name}`;
  }
  const name = heapNames[b];
  if (name !== undefined) {
    r.pos++;
    return name;
  }
  const at = r.pos;
  const idx = r.s33();
  if (idx < 0) r.badByte(b, 'heap type', at);
  return String(idx);
}

export function coreValType(r: Reader): CoreValType {
  const b = r.u8();
  switch (b) {
    case 0x7f:
      return 'i32';
    case 0x7e:
      return 'i64';
    case 0x7d:
      return 'f32';
    case 0x7c:
      return 'f64';
    case 0x7b:
      return 'v128';
    case 0x70:
      return 'funcref';
    case 0x6f:
      return 'externref';
    case 0x64:
      return { ref: `ref ${heapType(r)}` };
    case 0x63: {
      const h = heapType(r);
      if (h === 'func') return 'funcref';
      if (h === 'extern') return 'externref';
      return { ref: `ref null ${h}` };
    }
    default: {
      const name = heapNames[b];
      if (name !== undefined) return { ref: `ref null ${name}` };
      return r.badByte(b, 'value type');
    }
  }
}

function storageType(r: Reader): void {
  const b = r.peek();
  if (b === 0x78 || b === 0x77)
    r.pos++; // i8, i16 packed
  else coreValType(r);
}

function fieldType(r: Reader): void {
  storageType(r);
  const m = r.u8();
  if (m > 1) r.badByte(m, 'mutability');
}

/** `core:comptype`; returns the func type when it is one, else undefined after skipping. */
export function compType(r: Reader): (CoreDefType & { kind: 'func' }) | undefined {
  const b = r.u8();
  switch (b) {
    case 0x60: {
      const np = r.count();
      const params: CoreValType[] = new Array(np);
      for (let i = 0; i < np; i++) params[i] = coreValType(r);
      const nr = r.count();
      const results: CoreValType[] = new Array(nr);
      for (let i = 0; i < nr; i++) results[i] = coreValType(r);
      return { kind: 'func', params, results };
    }
    case 0x5f: {
      const n = r.count();
      for (let i = 0; i < n; i++) fieldType(r);
      return undefined;
    }
    case 0x5e:
      fieldType(r);
      return undefined;
    case 0x5d: {
      // stack switching: (cont $ft)
      const at = r.pos;
      if (r.s33() < 0) r.fail('invalid continuation type index', at);
      return undefined;
    }
    default:
      return r.badByte(b, 'type');
  }
}

function superTypes(r: Reader): number {
  const n = r.count();
  for (let i = 0; i < n; i++) r.u32();
  return n;
}

/** `core:subtype` after its opcode has been consumed (`final` says which). */
function subType(r: Reader, opcode: number): (CoreDefType & { kind: 'func' }) | undefined {
  if (opcode === 0x50 || opcode === 0x4f) {
    const supers = superTypes(r);
    const ft = compType(r);
    // `(sub final (func ...))` without supertypes is the plain func type
    return opcode === 0x4f && supers === 0 ? ft : undefined;
  }
  return undefined;
}

function recMember(r: Reader): void {
  const b = r.peek();
  if (b === 0x50 || b === 0x4f) {
    r.pos++;
    subType(r, b);
  } else {
    compType(r);
  }
}

/**
 * `core:type` (= `core:deftype`) in a component core-type section or instance/
 * component type. `inModule` rejects module types nested in module types.
 */
export function coreDefType(r: Reader, inModule: boolean): CoreDefType {
  const offset = r.pos;
  const b = r.peek();
  switch (b) {
    case 0x50: {
      if (inModule) r.badByte(b, 'type definition: module types cannot be nested', offset);
      r.pos++;
      const n = r.count();
      const decls: CoreModuleDecl[] = [];
      for (let i = 0; i < n; i++) decls.push(moduleDecl(r));
      return { kind: 'module', decls };
    }
    case 0x4e: {
      // rec group
      r.pos++;
      const n = r.count();
      for (let i = 0; i < n; i++) recMember(r);
      return { kind: 'other', offset };
    }
    case 0x4f: {
      r.pos++;
      return subType(r, 0x4f) ?? { kind: 'other', offset };
    }
    case 0x00: {
      // 0x00 0x50: non-final sub, prefixed to avoid the module-type opcode
      r.pos++;
      r.expect(0x50, 'sub type');
      subType(r, 0x50);
      return { kind: 'other', offset };
    }
    case 0x60:
      return compType(r)!;
    case 0x5f:
    case 0x5e:
    case 0x5d:
      compType(r);
      return { kind: 'other', offset };
    default:
      r.pos++;
      return r.badByte(b, 'core type');
  }
}

function limits(r: Reader, what: string): { min: number; max?: number; shared: boolean; is64: boolean } {
  const flags = r.u8();
  if (flags > 0x0f) r.badByte(flags, what);
  const is64 = (flags & 0x04) !== 0;
  const min = is64 ? Number(r.u64()) : r.u32();
  const max = flags & 0x01 ? (is64 ? Number(r.u64()) : r.u32()) : undefined;
  if (flags & 0x08) r.u32(); // custom page size (log2)
  const out: { min: number; max?: number; shared: boolean; is64: boolean } = {
    min,
    shared: (flags & 0x02) !== 0,
    is64,
  };
  if (max !== undefined) out.max = max;
  return out;
}

export function coreExternType(r: Reader): CoreExternType {
  const b = r.u8();
  switch (b) {
    case 0x00:
      return { kind: 'func', typeIdx: r.u32() };
    case 0x01:
      return coreTableType(r);
    case 0x02:
      return coreMemoryType(r);
    case 0x03:
      return coreGlobalType(r);
    case 0x04: {
      r.expect(0x00, 'tag attribute');
      return { kind: 'tag', typeIdx: r.u32() };
    }
    default:
      return r.badByte(b, 'external kind');
  }
}

export function coreTableType(r: Reader): CoreExternType & { kind: 'table' } {
  const elem = coreValType(r);
  const l = limits(r, 'table limits');
  return l.max === undefined ? { kind: 'table', elem, min: l.min } : { kind: 'table', elem, min: l.min, max: l.max };
}

export function coreMemoryType(r: Reader): CoreExternType & { kind: 'memory' } {
  const l = limits(r, 'memory limits');
  const m: CoreExternType & { kind: 'memory' } = { kind: 'memory', min: l.min, shared: l.shared, memory64: l.is64 };
  if (l.max !== undefined) m.max = l.max;
  return m;
}

export function coreGlobalType(r: Reader): CoreExternType & { kind: 'global' } {
  const type = coreValType(r);
  const m = r.u8();
  if (m > 3) r.badByte(m, 'global mutability');
  return { kind: 'global', type, mutable: (m & 1) !== 0 };
}

function moduleDecl(r: Reader): CoreModuleDecl {
  const b = r.u8();
  switch (b) {
    case 0x00: {
      const module = r.name();
      const name = r.name();
      return { kind: 'import', import: { module, name, type: coreExternType(r) } };
    }
    case 0x01:
      return { kind: 'type', type: coreDefType(r, true) };
    case 0x02: {
      r.expect(0x10, 'outer alias kind');
      r.expect(0x01, 'outer alias target');
      const count = r.u32();
      return { kind: 'alias', count, idx: r.u32() };
    }
    case 0x03: {
      const name = r.name();
      return { kind: 'export', name, type: coreExternType(r) };
    }
    default:
      return r.badByte(b, 'type definition');
  }
}

// Core module section order (custom sections may appear anywhere). Tag (13)
// sits between memory and global; data count (12) between element and code.
export const coreSectionRank: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

/**
 * Checks a core module's preamble and section framing without parsing the
 * sections: the engine compiles it later, but a broken frame is malformed here.
 */
export function checkCoreModule(r: Reader): void {
  const start = r.pos;
  if (r.remaining < 8) r.eofError();
  const b = r.bytes;
  if (b[start] !== 0 || b[start + 1] !== 0x61 || b[start + 2] !== 0x73 || b[start + 3] !== 0x6d) {
    r.fail('magic header not detected', start);
  }
  if (b[start + 4] !== 1 || b[start + 5] !== 0 || b[start + 6] !== 0 || b[start + 7] !== 0) {
    if (b[start + 6] === 1 && b[start + 7] === 0)
      r.fail('expected a version header for a module, found a component', start + 4);
    r.fail('unknown binary version: expected a version header for a module', start + 4);
  }
  r.pos = start + 8;
  let last = 0;
  while (!r.eof()) {
    const at = r.pos;
    const id = r.u8();
    const size = r.u32();
    r.skip(size);
    if (id === 0) continue;
    const rank = coreSectionRank[id];
    if (rank === undefined) continue; // a newer proposal's section: the engine decides
    if (rank <= last) r.fail('section out of order', at);
    last = rank;
  }
}
