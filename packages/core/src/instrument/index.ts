// Compile-time instrumentation of core modules for fuel and interruption
// (issue 9), as Wasmtime's fuel and epoch interruption: a check at every
// `loop` header and at the entry of every function that makes a tail call
// (without loops only a chain of tail calls can run forever; plain recursion
// overflows the stack), so call-heavy code does not pay a check per call.
//
// The rewritten module imports, from the core module `weft:guard` (added at
// the END of its import section, so imported items keep their indices and
// only defined ones shift):
//   fuel:          global `fuel` (mut i64) and func `out-of-fuel` () -> ()
//   interruptible: memory `flag` (shared, 1 page) and func `interrupted` () -> ()
// The checks:
//   fuel:      fuel -= 1; if (fuel < 0) out-of-fuel()          (1 unit per check: a loop iteration or a tail-calling entry)
//   interrupt: if (i32.load flag[0]) interrupted()   (shared memory: reloaded every time)
// The host functions throw the trap; the flag is a word another thread (a
// watchdog worker) may set while a tight loop runs.
//
// `resettable` adds, for a reset to the state instantiation left (link/reset.ts),
// an export of every memory, mutable global and table the module defines
// (`weft:state/memory/N`, `weft:state/global/N`, `weft:state/table/N`, N its
// index) and a custom section `weft:state` of one byte: STATE_WRITES_TABLES
// if its code changes tables, STATE_UNRESETTABLE if it drops segments or
// defines a shared memory (states a reset cannot restore).
//
// Every instruction is decoded so that function, global and memory indices
// can be remapped; an opcode the decoder does not know is a ValidationError
// (never a silent miscompile). The `name` custom section is dropped when
// indices shift (they would be stale).

import { coreSectionRank } from '../binary/decode-core.ts';
import { fail, In, Out } from './bytes.ts';
import { copyExpr, fn, gl, mem, type Remap } from './code.ts';

export interface InstrumentOptions {
  fuel?: boolean;
  interruptible?: boolean;
  resettable?: boolean;
}

/** The core module name of the instrumentation's imports. */
export const GUARD_MODULE = 'weft:guard';
/** The prefix of the exports `resettable` adds, and the name of its custom section. */
export const STATE_EXPORT = 'weft:state';
export const STATE_WRITES_TABLES = 1;
export const STATE_UNRESETTABLE = 2;

/** Rewrites a core module's bytes; `opts` with no flag returns `bytes` itself. */
export function instrument(bytes: Uint8Array, opts: InstrumentOptions): Uint8Array {
  if (!opts.fuel && !opts.interruptible && !opts.resettable) return bytes;
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
  let tableImports = 0;
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
          tableImports++;
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
    check.byte(0x28); // i32.load: a plain load of shared memory is not cached
    check.byte(0x42); //   across iterations, and a flag needs no ordering
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
  // What `resettable` exports: [kind, index] of each defined memory, mutable global and table.
  const state: [number, number][] = [];
  let sharedMemory = false;
  const stateExports = (o: Out) => {
    for (const [kind, i] of state) {
      o.name(`${STATE_EXPORT}/${kind === 1 ? 'table' : kind === 2 ? 'memory' : 'global'}/${i}`);
      o.byte(kind);
      o.u32(i);
    }
  };
  /** An export section of the state exports alone, for a module that has none of its own. */
  const stateExportSection = () => {
    const o = new Out();
    o.u32(state.length);
    stateExports(o);
    section(7, o);
  };
  let typeDone = false;
  let importDone = false;
  let exportDone = !opts.resettable;
  for (const s of sections) {
    const inp = new In(bytes, s.start, s.end);
    const order = coreSectionRank[s.id];
    if (s.id === 0) {
      const nameStart = inp.pos;
      const len = inp.u32();
      const name = new TextDecoder().decode(bytes.subarray(inp.pos, inp.pos + len));
      // Its indices would be stale once imports shift them (not for `resettable` alone).
      if (name === 'name' && r.funcShift + r.globalShift + r.memShift !== 0) continue;
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
    if (!exportDone && order > coreSectionRank[7]!) {
      stateExportSection();
      exportDone = true;
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
          state.push([1, tableImports + i]);
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
      case 5: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          state.push([2, mem(r, r.memImports + i)]);
          if (bytes[inp.pos]! & 2) sharedMemory = true;
          const at = inp.pos;
          inp.limits();
          o.bytes(bytes.subarray(at, inp.pos));
        }
        break;
      }
      case 6: {
        const n = inp.u32();
        o.u32(n);
        for (let i = 0; i < n; i++) {
          const at = inp.pos;
          inp.valtype();
          if (inp.byte() === 1) state.push([3, gl(r, r.globalImports + i)]);
          o.bytes(bytes.subarray(at, inp.pos));
          copyExpr(inp, o, r);
        }
        break;
      }
      case 7: {
        const n = inp.u32();
        o.u32(n + (exportDone ? 0 : state.length));
        for (let i = 0; i < n; i++) {
          const at = inp.pos;
          inp.name();
          const kind = inp.byte();
          o.bytes(bytes.subarray(at, inp.pos));
          const x = inp.u32();
          o.u32(kind === 0 ? fn(r, x) : kind === 2 ? mem(r, x) : kind === 3 ? gl(r, x) : x);
        }
        if (!exportDone) stateExports(o);
        exportDone = true;
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
          const code = new Out();
          r.tailCalls = false;
          copyExpr(fin, code, r, checkBytes);
          if (fin.pos !== end) fail('function body size mismatch', fin.pos);
          // Without loops, only a chain of tail calls runs forever (plain
          // recursion overflows the stack): a function that makes a tail call
          // checks on entry, the others need not pay for it.
          if (r.tailCalls) body.bytes(checkBytes);
          body.bytes(code.buf.subarray(0, code.len));
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
  if (!exportDone) stateExportSection();
  if (opts.resettable) {
    const o = new Out();
    o.name(STATE_EXPORT);
    o.byte((r.writesTables ? STATE_WRITES_TABLES : 0) | (r.dropsSegments || sharedMemory ? STATE_UNRESETTABLE : 0));
    section(0, o);
  }
  return out.result();
}
