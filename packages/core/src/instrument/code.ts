// One function body's instructions, copied with every function, global and
// memory index remapped and a check inserted after each `loop` header. Every
// opcode is decoded; one the decoder does not know fails (never a silent
// miscompile).

import { fail, type In, type Out } from './bytes.ts';

export interface Remap {
  funcImports: number;
  funcShift: number;
  globalImports: number;
  globalShift: number;
  memImports: number;
  memShift: number;
  /** Set when the function copied last makes a tail call (it then checks on entry). */
  tailCalls?: boolean;
  /** Set once any code copied changes a table's elements or length (table.set, fill, copy, init, grow). */
  writesTables?: boolean;
  /** Set once any code copied drops a segment (data.drop, elem.drop): a state no reset can undo. */
  dropsSegments?: boolean;
}

export const fn = (r: Remap, i: number) => (i >= r.funcImports ? i + r.funcShift : i);
export const gl = (r: Remap, i: number) => (i >= r.globalImports ? i + r.globalShift : i);
export const mem = (r: Remap, i: number) => (i >= r.memImports ? i + r.memShift : i);

/**
 * Copies instructions from `inp` to `out` up to the `end` closing depth 0,
 * remapping indices; `onLoop` (if given) is written after every loop header.
 */

export function copyExpr(inp: In, out: Out, r: Remap, onLoop?: Uint8Array): void {
  const b = inp.b;
  let from = inp.pos;
  const flush = (to: number) => {
    out.bytes(b.subarray(from, to));
  };
  // rewrite the u32 immediate at inp.pos with f
  const idx = (f: (i: number) => number) => {
    const at = inp.pos;
    const v = inp.u32();
    const n = f(v);
    if (n !== v) {
      flush(at);
      out.u32(n);
      from = inp.pos;
    }
  };
  const memarg = () => {
    const at = inp.pos;
    const align = inp.u32();
    const m = align & 0x40 ? inp.u32() : 0;
    const afterMem = inp.pos;
    inp.leb(); // offset
    const n = mem(r, m);
    if (n !== m) {
      flush(at);
      out.u32(align | 0x40);
      out.u32(n);
      from = afterMem;
    }
  };
  const memidx = () => idx((i) => mem(r, i));
  const blocktype = () => {
    const t = b[inp.pos];
    if (t === 0x63 || t === 0x64) inp.pos++;
    inp.leb();
  };
  let depth = 0;
  for (;;) {
    const at = inp.pos;
    const op = inp.byte();
    switch (op) {
      case 0x0b: // end
        if (depth === 0) {
          flush(inp.pos);
          return;
        }
        depth--;
        break;
      case 0x02: // block
      case 0x04: // if
      case 0x06: // try (legacy exceptions)
        blocktype();
        depth++;
        break;
      case 0x03: // loop
        blocktype();
        depth++;
        if (onLoop) {
          flush(inp.pos);
          out.bytes(onLoop);
          from = inp.pos;
        }
        break;
      case 0x1f: {
        // try_table bt vec(catch)
        blocktype();
        depth++;
        const n = inp.u32();
        for (let i = 0; i < n; i++) {
          const k = inp.byte();
          if (k === 0x00 || k === 0x01) inp.u32();
          else if (k !== 0x02 && k !== 0x03) fail(`unknown catch kind ${k}`, inp.pos - 1);
          inp.u32();
        }
        break;
      }
      case 0x00:
      case 0x01:
      case 0x05:
      case 0x0a:
      case 0x0f:
      case 0x19:
      case 0x1a:
      case 0x1b:
      case 0xd1:
      case 0xd3:
      case 0xd4:
        break;
      case 0x15: // return_call_ref type
        r.tailCalls = true;
        inp.u32();
        break;
      case 0x07: // catch tag
      case 0x08: // throw tag
      case 0x09: // rethrow
      case 0x0c:
      case 0x0d:
      case 0x14: // call_ref type
      case 0x18: // delegate
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x25:
      case 0xd5:
      case 0xd6:
        inp.u32();
        break;
      case 0x26: // table.set
        r.writesTables = true;
        inp.u32();
        break;
      case 0x0e: {
        const n = inp.u32();
        for (let i = 0; i <= n; i++) inp.u32();
        break;
      }
      case 0x12: // return_call
        r.tailCalls = true;
        idx((i) => fn(r, i));
        break;
      case 0x10: // call
      case 0xd2: // ref.func
        idx((i) => fn(r, i));
        break;
      case 0x13: // return_call_indirect
        r.tailCalls = true;
        inp.u32();
        inp.u32();
        break;
      case 0x11:
        inp.u32();
        inp.u32();
        break;
      case 0x1c: {
        const n = inp.u32();
        for (let i = 0; i < n; i++) inp.valtype();
        break;
      }
      case 0x23:
      case 0x24:
        idx((i) => gl(r, i));
        break;
      case 0x3f:
      case 0x40:
        memidx();
        break;
      case 0x41:
      case 0x42:
        inp.leb();
        break;
      case 0x43:
        inp.skip(4);
        break;
      case 0x44:
        inp.skip(8);
        break;
      case 0xd0:
        inp.leb(); // heap type (s33)
        break;
      case 0xfc: {
        const sub = inp.u32();
        if (sub <= 7) break;
        switch (sub) {
          case 8: // memory.init data mem
            inp.u32();
            memidx();
            break;
          case 9: // data.drop
          case 13: // elem.drop
            r.dropsSegments = true;
            inp.u32();
            break;
          case 15: // table.grow
          case 17: // table.fill
            r.writesTables = true;
            inp.u32();
            break;
          case 16: // table.size
            inp.u32();
            break;
          case 10: // memory.copy
            memidx();
            memidx();
            break;
          case 11: // memory.fill
            memidx();
            break;
          case 12: // table.init
          case 14: // table.copy
            r.writesTables = true;
            inp.u32();
            inp.u32();
            break;
          default:
            fail(`unsupported instruction 0xfc ${sub}`, at);
        }
        break;
      }
      case 0xfd: {
        const sub = inp.u32();
        if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) memarg();
        else if (sub === 0x0c || sub === 0x0d) inp.skip(16);
        else if (sub >= 0x15 && sub <= 0x22) inp.skip(1);
        else if (sub >= 0x54 && sub <= 0x5b) {
          memarg();
          inp.skip(1);
        } else if (sub > 0x113) fail(`unsupported SIMD instruction 0xfd ${sub}`, at);
        break;
      }
      case 0xfe: {
        const sub = inp.u32();
        if (sub === 0x03) inp.skip(1);
        else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) memarg();
        else fail(`unsupported atomic instruction 0xfe ${sub}`, at);
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x3e) memarg();
        else if (op >= 0x45 && op <= 0xc4) break;
        else fail(`unsupported instruction 0x${op.toString(16)}`, at);
    }
  }
}
