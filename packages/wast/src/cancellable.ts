// jco 1.35's text assembler rejects the `cancellable` immediate of
// waitable-set.wait / waitable-set.poll / thread.yield. We strip the word from
// the text, assemble, then set the `cancel?` byte of those canon entries in
// the binary (Binary.md: 0x20 cancel? m, 0x21 cancel? m, 0x0c cancel?).

import { type SList, type SNode, head, isAtom } from './sexpr.ts';

const TARGETS: Record<string, number> = { 'waitable-set.wait': 0x20, 'waitable-set.poll': 0x21, 'thread.yield': 0x0c };
const TARGET_OPS = new Set(Object.values(TARGETS));

export interface Stripped {
  text: string;
  /** One entry per targeted canon in text order: was it `cancellable`? */
  flags: boolean[];
}

/** Removes `cancellable` from targeted canon forms inside `form` (whose text is src.slice(form.start, form.end)). */
export function stripCancellable(src: string, form: SList): Stripped {
  const flags: boolean[] = [];
  const cuts: [number, number][] = [];
  const walk = (n: SNode) => {
    if (n.kind !== 'list') return;
    if (head(n) === 'canon' && isAtom(n.items[1]) && n.items[1].text in TARGETS) {
      const c = n.items.find((x, i) => i >= 2 && isAtom(x, 'cancellable'));
      flags.push(c !== undefined);
      if (c) cuts.push([c.start, c.end]);
      return;
    }
    for (const x of n.items) walk(x);
  };
  walk(form);
  let text = '';
  let pos = form.start;
  for (const [s, e] of cuts) {
    text += src.slice(pos, s);
    pos = e;
  }
  text += src.slice(pos, form.end);
  return { text, flags };
}

/** Sets the cancel byte of the targeted canon entries (in binary order) whose flag is true. */
export function patchCancellable(bytes: Uint8Array, flags: boolean[]): Uint8Array {
  if (!flags.includes(true)) return bytes;
  const sites = findCancelBytes(bytes);
  if (sites.length !== flags.length) {
    throw new Error(`cancellable patch: found ${sites.length} canon entries in the binary, text has ${flags.length}`);
  }
  const out = bytes.slice();
  flags.forEach((f, i) => {
    if (f) out[sites[i]!] = 1;
  });
  return out;
}

/** Offsets of the `cancel?` byte of every wait/poll/yield canon, depth first in byte order. */
export function findCancelBytes(bytes: Uint8Array): number[] {
  const out: number[] = [];
  scanComponent(bytes, 0, bytes.length, out);
  return out;
}

function scanComponent(b: Uint8Array, start: number, end: number, out: number[]): void {
  const r = new Cursor(b, start + 8); // magic + version + layer
  while (r.pos < end) {
    const id = r.byte();
    const size = r.u32();
    const body = r.pos;
    if (id === 4) scanComponent(b, body, body + size, out);
    else if (id === 8) scanCanons(new Cursor(b, body), out);
    r.pos = body + size;
  }
}

function scanCanons(r: Cursor, out: number[]): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const op = r.byte();
    if (TARGET_OPS.has(op)) {
      out.push(r.pos);
      r.byte();
      if (op !== 0x0c) r.u32(); // memory index
      continue;
    }
    switch (op) {
      case 0x00:
        r.byte();
        r.u32();
        opts(r);
        r.u32();
        break; // lift
      case 0x01:
        r.byte();
        r.u32();
        opts(r);
        break; // lower
      case 0x02:
      case 0x03:
      case 0x04:
      case 0x07:
      case 0x0e:
      case 0x13:
      case 0x14:
      case 0x15:
      case 0x1a:
      case 0x1b:
        r.u32();
        break;
      case 0x05:
      case 0x0d:
      case 0x1e:
      case 0x1f:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x25:
      case 0x26:
      case 0x28:
        break;
      case 0x06:
      case 0x29:
      case 0x2a:
      case 0x2b:
      case 0x2c:
      case 0x2d:
      case 0x42:
        r.byte();
        break;
      case 0x09: // task.return resultlist opts
        if (r.byte() === 0x00) r.u32();
        else r.byte();
        opts(r);
        break;
      case 0x0a:
      case 0x0b:
        r.u32();
        r.u32();
        break; // context.get/set t i
      case 0x0f:
      case 0x10:
      case 0x16:
      case 0x17:
        r.u32();
        opts(r);
        break;
      case 0x11:
      case 0x12:
      case 0x18:
      case 0x19:
        r.u32();
        r.byte();
        break;
      case 0x1c:
      case 0x1d:
        opts(r);
        break;
      case 0x27:
        r.u32();
        r.u32();
        break;
      case 0x40:
        r.byte();
        r.u32();
        break;
      case 0x41:
        r.byte();
        r.u32();
        r.u32();
        break;
      default:
        throw new Error(`cancellable patch: unknown canon opcode 0x${op.toString(16)} at ${r.pos - 1}`);
    }
  }
}

function opts(r: Cursor): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const o = r.byte();
    if (o === 0x03 || o === 0x04 || o === 0x05 || o === 0x07 || o === 0x08) r.u32();
  }
}

class Cursor {
  readonly b: Uint8Array;
  pos: number;
  constructor(b: Uint8Array, pos: number) {
    this.b = b;
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.b.length) throw new Error('cancellable patch: unexpected end of binary');
    return this.b[this.pos++]!;
  }
  /** Any LEB128 (u32 or s33); only its length matters here, except for sizes. */
  u32(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      v += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return v;
      shift += 7;
    }
  }
}
