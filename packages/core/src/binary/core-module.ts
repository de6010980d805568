// The parts of a core module that component validation needs: its type,
// import, function, table, memory, global, tag and export sections. Code and
// data are skipped; the engine compiles and validates the module itself.

import type { CoreExternType, CoreFuncType, CoreImportDecl } from './ir.ts';
import { compType, coreExternType, coreGlobalType, coreMemoryType, coreTableType } from './decode-core.ts';
import { Reader } from './reader.ts';

export interface CoreModuleIR {
  /** Every type index: its func type, or undefined for a GC type we keep opaque. */
  types: (CoreFuncType | undefined)[];
  imports: CoreImportDecl[];
  /** Type index of every function, imported ones first. */
  funcs: number[];
  tables: CoreExternType[];
  memories: CoreExternType[];
  globals: CoreExternType[];
  /** Type index of every tag, imported ones first. */
  tags: number[];
  exports: { name: string; kind: number; index: number }[];
}

export function readCoreModule(bytes: Uint8Array): CoreModuleIR {
  const m: CoreModuleIR = {
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    exports: [],
  };
  const r = new Reader(bytes, 8);
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    const s = new Reader(bytes, r.pos, r.pos + size);
    r.skip(size);
    switch (id) {
      case 1:
        for (let n = s.count(); n > 0; n--) {
          if (s.peek() === 0x4e) {
            s.u8();
            for (let k = s.count(); k > 0; k--) m.types.push(subType(s));
          } else m.types.push(subType(s));
        }
        break;
      case 2:
        for (let n = s.count(); n > 0; n--) {
          const imp: CoreImportDecl = { module: s.name(), name: s.name(), type: coreExternType(s) };
          m.imports.push(imp);
          const t = imp.type;
          if (t.kind === 'func') m.funcs.push(t.typeIdx);
          else if (t.kind === 'table') m.tables.push(t);
          else if (t.kind === 'memory') m.memories.push(t);
          else if (t.kind === 'global') m.globals.push(t);
          else m.tags.push(t.typeIdx);
        }
        break;
      case 3:
        for (let n = s.count(); n > 0; n--) m.funcs.push(s.u32());
        break;
      case 4:
        for (let n = s.count(); n > 0; n--) {
          const init = s.peek() === 0x40;
          if (init) s.skip(2);
          m.tables.push(coreTableType(s));
          if (init) skipConstExpr(s);
        }
        break;
      case 5:
        for (let n = s.count(); n > 0; n--) m.memories.push(coreMemoryType(s));
        break;
      case 6:
        for (let n = s.count(); n > 0; n--) {
          m.globals.push(coreGlobalType(s));
          skipConstExpr(s);
        }
        break;
      case 13:
        for (let n = s.count(); n > 0; n--) {
          s.expect(0x00, 'tag attribute');
          m.tags.push(s.u32());
        }
        break;
      case 7:
        for (let n = s.count(); n > 0; n--) m.exports.push({ name: s.name(), kind: s.u8(), index: s.u32() });
        break;
    }
  }
  return m;
}

/** A type-section entry: `sub`/`sub final` or a bare comptype; func types are kept whatever their finality. */
function subType(r: Reader): CoreFuncType | undefined {
  const b = r.peek();
  if (b === 0x50 || b === 0x4f) {
    r.u8();
    for (let n = r.count(); n > 0; n--) r.u32();
  }
  return compType(r);
}

/** Skips a constant expression up to its `end`, reading each immediate. */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
        r.s32();
        break;
      case 0x42:
        r.s64();
        break;
      case 0x43:
        r.skip(4);
        break;
      case 0x44:
        r.skip(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32();
        break;
      case 0xd0: // ref.null ht
        r.s33();
        break;
      case 0xfd: // v128.const
        r.u32();
        r.skip(16);
        break;
      case 0xfb: // GC prefix: struct.new/array.new* and friends take one or two indices
        skipGcConst(r);
        break;
      default:
        break; // extended-const arithmetic (i32.add ...) has no immediates
    }
  }
}

function skipGcConst(r: Reader): void {
  const sub = r.u32();
  // array.new_fixed (0x08), array.new_data/elem (0x09/0x0a) take two immediates
  if (sub === 0x08 || sub === 0x09 || sub === 0x0a) {
    r.u32();
    r.u32();
  } else if (sub <= 0x07) r.u32();
  // ref.i31 (0x1c), any.convert_extern (0x1a), extern.convert_any (0x1b): none
}
