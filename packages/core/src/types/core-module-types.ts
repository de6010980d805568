// Compile-time type of a core module: its imports and exports with full core
// extern types. `WebAssembly.Module.imports/exports` only give kinds, so we read
// the type/import/function/table/memory/global/export/tag sections ourselves.
// GC types other than plain func types are kept opaque (named by index).

import type { CoreExternType, CoreFuncType, CoreModuleType, CoreValType } from './model.ts';

// One decoder for every name (making one per name showed up in compile profiles).
const nameDecoder = new TextDecoder();

class Bytes {
  pos: number;
  readonly end: number;
  readonly b: Uint8Array;
  constructor(b: Uint8Array, pos: number, end: number) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }
  u8(): number {
    if (this.pos >= this.end) throw new Error('unexpected end of core module');
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0,
      shift = 0,
      byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  /** Signed LEB (s33 heap types, constant immediates): value only matters for heap types. */
  sleb(): number {
    let result = 0,
      shift = 0,
      byte: number;
    do {
      byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (byte & 0x40) result -= 2 ** shift;
    return result;
  }
  name(): string {
    const n = this.u32();
    const s = nameDecoder.decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  skip(n: number): void {
    this.pos += n;
  }
}

const ABSTRACT_HEAP: Record<number, string> = {
  0x70: 'func',
  0x6f: 'extern',
  0x73: 'nofunc',
  0x72: 'noextern',
  0x71: 'none',
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

function heapType(r: Bytes): string {
  const first = r.b[r.pos]!;
  if (first === 0x65) {
    // shared
    r.u8();
    return `shared ${heapType(r)}`;
  }
  const h = r.sleb();
  if (h >= 0) return `${h}`;
  const name = ABSTRACT_HEAP[h & 0x7f];
  if (!name) throw new Error(`unknown heap type ${h}`);
  return name;
}

function refType(r: Bytes, code: number): CoreValType {
  if (code === 0x70) return 'funcref';
  if (code === 0x6f) return 'externref';
  if (code === 0x63 || code === 0x64) {
    const ht = heapType(r);
    if (code === 0x63 && ht === 'func') return 'funcref';
    if (code === 0x63 && ht === 'extern') return 'externref';
    return `(ref ${code === 0x63 ? 'null ' : ''}${ht})`;
  }
  const name = ABSTRACT_HEAP[code];
  if (name) return `(ref null ${name})`;
  throw new Error(`unknown value type 0x${code.toString(16)}`);
}

function valType(r: Bytes): CoreValType {
  const c = r.u8();
  switch (c) {
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
    default:
      return refType(r, c);
  }
}

function limits(r: Bytes): { min: number; max?: number; flags: number } {
  const flags = r.u8();
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  if (flags & 8) r.u32(); // custom page size
  return max === undefined ? { min, flags } : { min, max, flags };
}

function tableType(r: Bytes): CoreExternType {
  const elem = valType(r);
  const { min, max } = limits(r);
  return max === undefined ? { kind: 'table', elem, min } : { kind: 'table', elem, min, max };
}

function memType(r: Bytes): CoreExternType {
  const { min, max, flags } = limits(r);
  const m: CoreExternType = { kind: 'memory', min, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
  if (max !== undefined) m.max = max;
  return m;
}

function globalType(r: Bytes): CoreExternType {
  const type = valType(r);
  const mutable = (r.u8() & 1) === 1;
  return { kind: 'global', type, mutable };
}

/** Skips a constant expression up to and including its `end`. */
function skipConstExpr(r: Bytes): void {
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
      case 0x42:
        r.sleb();
        break;
      case 0x43:
        r.skip(4);
        break;
      case 0x44:
        r.skip(8);
        break;
      case 0x23:
      case 0xd2:
        r.u32();
        break;
      case 0xd0:
        heapType(r);
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xfd:
        r.u32();
        r.skip(16);
        break; // v128.const
      case 0xfb: {
        const sub = r.u32();
        if (sub === 0 || sub === 1 || sub === 6 || sub === 7) r.u32();
        else if (sub === 8) {
          r.u32();
          r.u32();
        } else if (sub !== 0x1a && sub !== 0x1b && sub !== 0x1c) throw new Error('unsupported constant expression');
        break;
      }
      default:
        throw new Error(`unsupported constant expression opcode 0x${op.toString(16)}`);
    }
  }
}

const OPAQUE: CoreFuncType = Object.freeze({ kind: 'func', params: [], results: [] }) as CoreFuncType;

function compType(r: Bytes, types: (CoreFuncType | undefined)[]): void {
  const form = r.u8();
  if (form === 0x60) {
    const params: CoreValType[] = [];
    for (let n = r.u32(); n > 0; n--) params.push(valType(r));
    const results: CoreValType[] = [];
    for (let n = r.u32(); n > 0; n--) results.push(valType(r));
    types.push({ kind: 'func', params, results });
  } else if (form === 0x5f) {
    for (let n = r.u32(); n > 0; n--) {
      storageType(r);
      r.u8();
    }
    types.push(undefined);
  } else if (form === 0x5e) {
    storageType(r);
    r.u8();
    types.push(undefined);
  } else if (form === 0x5d) {
    // cont
    r.sleb();
    types.push(undefined);
  } else {
    throw new Error(`unknown core type form 0x${form.toString(16)}`);
  }
}

function storageType(r: Bytes): void {
  const c = r.b[r.pos]!;
  if (c === 0x78 || c === 0x77) r.u8();
  else valType(r);
}

function subType(r: Bytes, types: (CoreFuncType | undefined)[]): void {
  const c = r.b[r.pos]!;
  if (c === 0x50 || c === 0x4f) {
    r.u8();
    for (let n = r.u32(); n > 0; n--) r.u32();
    compType(r, types);
  } else if (c === 0x65) {
    // shared
    r.u8();
    subType(r, types);
  } else {
    compType(r, types);
  }
}

/**
 * Reads a (WebAssembly-validated) core module's import and export types.
 * Func types that are GC struct/array types come back as an empty signature.
 */
export function coreModuleType(bytes: Uint8Array): CoreModuleType {
  const types: (CoreFuncType | undefined)[] = [];
  const funcs: CoreFuncType[] = [];
  const tables: CoreExternType[] = [];
  const memories: CoreExternType[] = [];
  const globals: CoreExternType[] = [];
  const tags: CoreExternType[] = [];
  const imports: CoreModuleType['imports'] = [];
  const importKeys = new Set<string>();
  const exports = new Map<string, CoreExternType>();
  const ft = (i: number): CoreFuncType => types[i] ?? OPAQUE;
  const r = new Bytes(bytes, 8, bytes.length);
  while (r.pos < r.end) {
    const id = r.u8();
    const size = r.u32();
    const end = r.pos + size;
    const s = new Bytes(bytes, r.pos, end);
    r.pos = end;
    switch (id) {
      case 1:
        for (let n = s.u32(); n > 0; n--) {
          if (s.b[s.pos] === 0x4e) {
            s.u8();
            for (let m = s.u32(); m > 0; m--) subType(s, types);
          } else {
            subType(s, types);
          }
        }
        break;
      case 2:
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          let type: CoreExternType;
          switch (kind) {
            case 0:
              type = { kind: 'func', type: ft(s.u32()) };
              funcs.push(type.type);
              break;
            case 1:
              type = tableType(s);
              tables.push(type);
              break;
            case 2:
              type = memType(s);
              memories.push(type);
              break;
            case 3:
              type = globalType(s);
              globals.push(type);
              break;
            case 4:
              s.u8();
              type = { kind: 'tag', type: ft(s.u32()) };
              tags.push(type);
              break;
            default:
              throw new Error(`unsupported core import kind ${kind}`);
          }
          const key = `${module}\u0000${name}`;
          if (importKeys.has(key)) throw new Error(`duplicate import name \`${module}:${name}\``);
          importKeys.add(key);
          imports.push({ module, name, type });
        }
        break;
      case 3:
        for (let n = s.u32(); n > 0; n--) funcs.push(ft(s.u32()));
        break;
      case 4:
        for (let n = s.u32(); n > 0; n--) {
          if (s.b[s.pos] === 0x40) {
            s.u8();
            s.u8();
            tables.push(tableType(s));
            skipConstExpr(s);
          } else {
            tables.push(tableType(s));
          }
        }
        break;
      case 5:
        for (let n = s.u32(); n > 0; n--) memories.push(memType(s));
        break;
      case 6:
        for (let n = s.u32(); n > 0; n--) {
          globals.push(globalType(s));
          skipConstExpr(s);
        }
        break;
      case 13:
        for (let n = s.u32(); n > 0; n--) {
          s.u8();
          tags.push({ kind: 'tag', type: ft(s.u32()) });
        }
        break;
      case 7:
        for (let n = s.u32(); n > 0; n--) {
          const name = s.name();
          const kind = s.u8();
          const idx = s.u32();
          let t: CoreExternType | undefined;
          switch (kind) {
            case 0: {
              const f = funcs[idx];
              t = f && { kind: 'func', type: f };
              break;
            }
            case 1:
              t = tables[idx];
              break;
            case 2:
              t = memories[idx];
              break;
            case 3:
              t = globals[idx];
              break;
            case 4:
              t = tags[idx];
              break;
          }
          if (t) exports.set(name, t);
        }
        break;
    }
  }
  return { kind: 'module', imports, exports };
}
