// Compile-time instrumentation of core modules for fuel and interruption
// (issue 9), as Wasmtime's fuel and epoch interruption: a check at every
// function entry and every `loop` header.
//
// The rewritten module imports, from the core module `weft:guard` (added at
// the END of its import section, so imported items keep their indices and
// only defined ones shift):
//   fuel:          global `fuel` (mut i64) and func `out-of-fuel` () -> ()
//   interruptible: memory `flag` (shared, 1 page) and func `interrupted` () -> ()
// The checks:
//   fuel:      fuel -= 1; if (fuel < 0) out-of-fuel()          (1 unit per check)
//   interrupt: if (i32.atomic.load flag[0]) interrupted()
// The host functions throw the trap; the flag is a word another thread (a
// watchdog worker) may set while a tight loop runs.
//
// Every instruction is decoded so that function, global and memory indices
// can be remapped; an opcode the decoder does not know is a ValidationError
// (never a silent miscompile). The `name` custom section is dropped (its
// function indices would be stale).

import { ValidationError } from '../host/errors.ts';

export interface InstrumentOptions {
  fuel?: boolean;
  interruptible?: boolean;
}

/** The core module name of the instrumentation's imports. */
export const GUARD_MODULE = 'weft:guard';

class Out {
  buf = new Uint8Array(1024);
  len = 0;
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(b: number): void {
    this.grow(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u32(v: number): void {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }
  name(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function fail(msg: string, at: number): never {
  throw new ValidationError(`cannot instrument core module (fuel/interruptible): ${msg} at offset ${at}`);
}

class In {
  readonly b: Uint8Array;
  pos: number;
  readonly end: number;
  constructor(b: Uint8Array, pos: number, end: number) {
    this.b = b;
    this.pos = pos;
    this.end = end;
  }
  byte(): number {
    if (this.pos >= this.end) fail('unexpected end', this.pos);
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) fail('LEB128 too long', this.pos);
    }
  }
  /** Skips any LEB128 (signed or unsigned, up to 64 bits). */
  leb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    fail('LEB128 too long', this.pos);
  }
  skip(n: number): void {
    if (this.pos + n > this.end) fail('unexpected end', this.pos);
    this.pos += n;
  }
  name(): void {
    this.skip(this.u32());
  }
  /** valtype or reftype: one byte, or 0x63/0x64 and a heap type. */
  valtype(): void {
    const t = this.byte();
    if (t === 0x63 || t === 0x64) this.leb();
  }
  limits(): void {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
}

interface Remap {
  funcImports: number;
  funcShift: number;
  globalImports: number;
  globalShift: number;
  memImports: number;
  memShift: number;
}

const fn = (r: Remap, i: number) => (i >= r.funcImports ? i + r.funcShift : i);
const gl = (r: Remap, i: number) => (i >= r.globalImports ? i + r.globalShift : i);
const mem = (r: Remap, i: number) => (i >= r.memImports ? i + r.memShift : i);

/**
 * Copies instructions from `inp` to `out` up to the `end` closing depth 0,
 * remapping indices; `onLoop` (if given) is written after every loop header.
 */
function copyExpr(inp: In, out: Out, r: Remap, onLoop?: Uint8Array): void {
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
      case 0x07: // catch tag
      case 0x08: // throw tag
      case 0x09: // rethrow
      case 0x0c:
      case 0x0d:
      case 0x14: // call_ref type
      case 0x15: // return_call_ref type
      case 0x18: // delegate
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x25:
      case 0x26:
      case 0xd5:
      case 0xd6:
        inp.u32();
        break;
      case 0x0e: {
        const n = inp.u32();
        for (let i = 0; i <= n; i++) inp.u32();
        break;
      }
      case 0x10: // call
      case 0x12: // return_call
      case 0xd2: // ref.func
        idx((i) => fn(r, i));
        break;
      case 0x11:
      case 0x13:
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
          case 15: // table.grow
          case 16: // table.size
          case 17: // table.fill
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

const SECTION_ORDER: Record<number, number> = {
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

/** Rewrites a core module's bytes; `opts` with neither flag returns `bytes` itself. */
export function instrument(bytes: Uint8Array, opts: InstrumentOptions): Uint8Array {
  if (!opts.fuel && !opts.interruptible) return bytes;
  if (bytes.length < 8) fail('not a core module', 0);
  const out = new Out();
  out.bytes(bytes.subarray(0, 8));

  // First pass: the section table, the type count and the import counts.
  const sections: { id: number; start: number; end: number }[] = [];
  let p = 8;
  while (p < bytes.length) {
    const inp = new In(bytes, p, bytes.length);
    const id = inp.byte();
    const size = inp.u32();
    sections.push({ id, start: inp.pos, end: inp.pos + size });
    p = inp.pos + size;
    if (p > bytes.length) fail('section past the end', inp.pos);
  }
  let numTypes = 0;
  const r: Remap = { funcImports: 0, funcShift: 0, globalImports: 0, globalShift: 0, memImports: 0, memShift: 0 };
  for (const s of sections) {
    const inp = new In(bytes, s.start, s.end);
    if (s.id === 1) {
      numTypes = inp.u32();
      for (let i = 0; i < numTypes; i++) {
        const f = inp.byte();
        if (f !== 0x60) fail('GC types are not supported', inp.pos - 1);
        for (let k = 0; k < 2; k++) {
          const n = inp.u32();
          for (let j = 0; j < n; j++) inp.valtype();
        }
      }
    } else if (s.id === 2) {
      const n = inp.u32();
      for (let i = 0; i < n; i++) {
        inp.name();
        inp.name();
        const kind = inp.byte();
        if (kind === 0x00) {
          r.funcImports++;
          inp.u32();
        } else if (kind === 0x01) {
          inp.valtype();
          inp.limits();
        } else if (kind === 0x02) {
          r.memImports++;
          inp.limits();
        } else if (kind === 0x03) {
          r.globalImports++;
          inp.valtype();
          inp.byte();
        } else if (kind === 0x04) {
          inp.byte();
          inp.u32();
        } else fail(`unknown import kind ${kind}`, inp.pos - 1);
      }
    }
  }
  // Our imports: indices right after the module's own imports of each sort.
  const fuelGlobal = r.globalImports;
  const outOfFuel = r.funcImports;
  const interrupted = r.funcImports + (opts.fuel ? 1 : 0);
  const flagMem = r.memImports;
  r.funcShift = (opts.fuel ? 1 : 0) + (opts.interruptible ? 1 : 0);
  r.globalShift = opts.fuel ? 1 : 0;
  r.memShift = opts.interruptible ? 1 : 0;
  const voidType = numTypes;

  const check = new Out();
  if (opts.fuel) {
    check.byte(0x23);
    check.u32(fuelGlobal); // global.get
    check.byte(0x42);
    check.byte(0x01); // i64.const 1
    check.byte(0x7d); // i64.sub
    check.byte(0x24);
    check.u32(fuelGlobal); // global.set
    check.byte(0x23);
    check.u32(fuelGlobal);
    check.byte(0x42);
    check.byte(0x00);
    check.byte(0x53); // i64.lt_s
    check.byte(0x04);
    check.byte(0x40); // if
    check.byte(0x10);
    check.u32(outOfFuel);
    check.byte(0x0b);
  }
  if (opts.interruptible) {
    check.byte(0x41);
    check.byte(0x00); // i32.const 0
    check.byte(0xfe);
    check.byte(0x10); // i32.atomic.load
    check.byte(0x42);
    check.u32(flagMem);
    check.byte(0x00); // align 2, memidx, offset 0
    check.byte(0x04);
    check.byte(0x40);
    check.byte(0x10);
    check.u32(interrupted);
    check.byte(0x0b);
  }
  const checkBytes = check.result();

  const section = (id: number, body: Out) => {
    out.byte(id);
    out.u32(body.len);
    out.bytes(body.buf.subarray(0, body.len));
  };
  const typeSection = (inp?: In) => {
    const o = new Out();
    o.u32(numTypes + 1);
    if (inp) {
      inp.u32();
      o.bytes(bytes.subarray(inp.pos, inp.end));
    }
    o.byte(0x60);
    o.byte(0);
    o.byte(0);
    section(1, o);
  };
  const importSection = (inp?: In) => {
    const o = new Out();
    const n = inp ? inp.u32() : 0;
    o.u32(n + r.funcShift + r.globalShift + r.memShift);
    if (inp) o.bytes(bytes.subarray(inp.pos, inp.end));
    if (opts.fuel) {
      o.name(GUARD_MODULE);
      o.name('out-of-fuel');
      o.byte(0x00);
      o.u32(voidType);
    }
    if (opts.interruptible) {
      o.name(GUARD_MODULE);
      o.name('interrupted');
      o.byte(0x00);
      o.u32(voidType);
    }
    if (opts.fuel) {
      o.name(GUARD_MODULE);
      o.name('fuel');
      o.byte(0x03);
      o.byte(0x7e);
      o.byte(0x01);
    }
    if (opts.interruptible) {
      o.name(GUARD_MODULE);
      o.name('flag');
      o.byte(0x02);
      o.byte(0x03);
      o.u32(1);
      o.u32(1);
    }
    section(2, o);
  };
  let typeDone = false;
  let importDone = false;
  for (const s of sections) {
    const inp = new In(bytes, s.start, s.end);
    const order = SECTION_ORDER[s.id];
    if (s.id === 0) {
      const nameStart = inp.pos;
      const len = inp.u32();
      const name = new TextDecoder().decode(bytes.subarray(inp.pos, inp.pos + len));
      if (name === 'name') continue;
      inp.pos = nameStart;
      out.byte(0);
      out.u32(s.end - s.start);
      out.bytes(bytes.subarray(s.start, s.end));
      continue;
    }
    if (order === undefined) fail(`unknown section ${s.id}`, s.start);
    if (!typeDone && s.id !== 1) {
      typeSection();
      typeDone = true;
    }
    if (!importDone && order > 2) {
      importSection();
      importDone = true;
    }
    const o = new Out();
    switch (s.id) {
      case 1:
        typeSection(inp);
        typeDone = true;
        continue;
      case 2:
        importSection(inp);
        importDone = true;
        continue;
      case 4: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const at = inp.pos;
          if (bytes[inp.pos] === 0x40) {
            inp.skip(2);
            inp.valtype();
            inp.limits();
            o.bytes(bytes.subarray(at, inp.pos));
            copyExpr(inp, o, r);
          } else {
            inp.valtype();
            inp.limits();
            o.bytes(bytes.subarray(at, inp.pos));
          }
        }
        break;
      }
      case 6: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const at = inp.pos;
          inp.valtype();
          inp.byte();
          o.bytes(bytes.subarray(at, inp.pos));
          copyExpr(inp, o, r);
        }
        break;
      }
      case 7: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const at = inp.pos;
          inp.name();
          const kind = inp.byte();
          o.bytes(bytes.subarray(at, inp.pos));
          const x = inp.u32();
          o.u32(kind === 0 ? fn(r, x) : kind === 2 ? mem(r, x) : kind === 3 ? gl(r, x) : x);
        }
        break;
      }
      case 8:
        o.u32(fn(r, inp.u32()));
        break;
      case 9: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const flags = inp.u32();
          o.u32(flags);
          if (flags & 2 && !(flags & 1)) o.u32(inp.u32()); // table index
          if (!(flags & 1)) copyExpr(inp, o, r); // offset
          if (flags & 3) {
            // elemkind or reftype
            const at = inp.pos;
            if (flags & 4) inp.valtype();
            else inp.byte();
            o.bytes(bytes.subarray(at, inp.pos));
          }
          const m = inp.u32();
          o.u32(m);
          for (let j = 0; j < m; j++) {
            if (flags & 4) copyExpr(inp, o, r);
            else o.u32(fn(r, inp.u32()));
          }
        }
        break;
      }
      case 10: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const size = inp.u32();
          const end = inp.pos + size;
          const body = new Out();
          const fin = new In(bytes, inp.pos, end);
          const locals = fin.u32();
          for (let j = 0; j < locals; j++) {
            fin.u32();
            fin.valtype();
          }
          body.bytes(bytes.subarray(inp.pos, fin.pos));
          body.bytes(checkBytes);
          copyExpr(fin, body, r, checkBytes);
          if (fin.pos !== end) fail('function body size mismatch', fin.pos);
          o.u32(body.len);
          o.bytes(body.buf.subarray(0, body.len));
          inp.pos = end;
        }
        break;
      }
      case 11: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const flags = inp.u32();
          if (flags === 1) o.u32(1);
          else {
            const m = flags === 2 ? inp.u32() : 0;
            const nm = mem(r, m);
            if (nm === 0) o.u32(0);
            else {
              o.u32(2);
              o.u32(nm);
            }
            copyExpr(inp, o, r);
          }
          const len = inp.u32();
          o.u32(len);
          o.bytes(bytes.subarray(inp.pos, inp.pos + len));
          inp.skip(len);
        }
        break;
      }
      default:
        // func, memory, tag, data count: no indices that shift
        o.bytes(bytes.subarray(inp.pos, inp.end));
        inp.pos = inp.end;
    }
    if (s.id !== 8 && inp.pos !== inp.end) fail(`section ${s.id} size mismatch`, inp.pos);
    section(s.id, o);
  }
  if (!typeDone) typeSection();
  if (!importDone) importSection();
  return out.result();
}
