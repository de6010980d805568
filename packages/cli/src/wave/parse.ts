// WAVE (WebAssembly Value Encoding, as used by wasmtime's --invoke) → JS
// values in Weft's boundary conventions, guided by the expected type.

import type { FuncType, ValType } from '@weft/core';
import { camelCase } from '@weft/core';

export class WaveError extends Error {
  override name = 'WaveError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

type Tok =
  | { t: 'punct'; v: string; at: number }
  | { t: 'label'; v: string; at: number } // identifiers, keywords, numbers (unsigned part)
  | { t: 'number'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'char'; v: string; at: number }
  | { t: 'eof'; at: number };

function unescapeWave(body: string, at: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case "'":
        out += "'";
        break;
      case 'u': {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
        if (!m) throw new WaveError('invalid \\u escape', at + i);
        const cp = Number.parseInt(m[1]!, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) throw new WaveError('invalid unicode scalar value', at + i);
        out += String.fromCodePoint(cp);
        i += m[0].length;
        break;
      }
      default:
        throw new WaveError(`invalid escape \\${e ?? ''}`, at + i);
    }
  }
  return out;
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('[](){},:'.includes(c)) {
      toks.push({ t: 'punct', v: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new WaveError(`unterminated ${c === '"' ? 'string' : 'char'}`, i);
      const v = unescapeWave(src.slice(i + 1, j), i + 1);
      toks.push(c === '"' ? { t: 'string', v, at: i } : { t: 'char', v, at: i });
      i = j + 1;
      continue;
    }
    const m = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|inf\b|nan\b)/.exec(src.slice(i));
    if (m && (/[0-9]/.test(c) || c === '-' || c === '+')) {
      toks.push({ t: 'number', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    const l = /^%?[A-Za-z][A-Za-z0-9-]*/.exec(src.slice(i));
    if (l) {
      toks.push({ t: 'label', v: l[0], at: i });
      i += l[0].length;
      continue;
    }
    throw new WaveError(`unexpected character ${JSON.stringify(c)}`, i);
  }
  toks.push({ t: 'eof', at: src.length });
  return toks;
}

const INT_BOUNDS: Record<string, [bigint, bigint]> = {
  s8: [-128n, 127n],
  u8: [0n, 255n],
  s16: [-32768n, 32767n],
  u16: [0n, 65535n],
  s32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  s64: [-(2n ** 63n), 2n ** 63n - 1n],
  u64: [0n, 2n ** 64n - 1n],
};

const TYPED: Record<string, { from(xs: Iterable<never>): unknown }> = {
  u8: Uint8Array,
  s8: Int8Array,
  u16: Uint16Array,
  s16: Int16Array,
  u32: Uint32Array,
  s32: Int32Array,
  u64: BigUint64Array,
  s64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
};

class Parser {
  readonly toks: Tok[];
  i = 0;
  constructor(src: string) {
    this.toks = tokenize(src);
  }
  peek(): Tok {
    return this.toks[this.i]!;
  }
  next(): Tok {
    return this.toks[this.i++]!;
  }
  isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }
  expect(v: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== v) throw new WaveError(`expected \`${v}\``, t.at);
  }
  label(): { v: string; at: number } {
    const t = this.next();
    if (t.t !== 'label') throw new WaveError('expected a label', t.at);
    return { v: t.v.startsWith('%') ? t.v.slice(1) : t.v, at: t.at };
  }
  end(): void {
    const t = this.peek();
    if (t.t !== 'eof') throw new WaveError('unexpected trailing input', t.at);
  }

  /** Comma-separated items up to `close`, trailing comma allowed. */
  seq(close: string, item: () => void): void {
    while (!this.isPunct(close)) {
      item();
      if (!this.isPunct(close)) this.expect(',');
    }
    this.next();
  }

  value(t: ValType): unknown {
    const tok = this.peek();
    switch (t.kind) {
      case 'bool': {
        const l = this.label();
        if (l.v !== 'true' && l.v !== 'false') throw new WaveError('expected true or false', l.at);
        return l.v === 'true';
      }
      case 's8':
      case 'u8':
      case 's16':
      case 'u16':
      case 's32':
      case 'u32':
      case 's64':
      case 'u64': {
        const n = this.next();
        if (n.t !== 'number' || !/^[-+]?[0-9][0-9_]*$/.test(n.v)) throw new WaveError(`expected ${t.kind}`, n.at);
        const v = BigInt(n.v.replaceAll('_', ''));
        const [lo, hi] = INT_BOUNDS[t.kind]!;
        if (v < lo || v > hi) throw new WaveError(`${n.v} out of range for ${t.kind}`, n.at);
        return t.kind === 's64' || t.kind === 'u64' ? v : Number(v);
      }
      case 'f32':
      case 'f64': {
        const n = this.next();
        let v: number;
        if (n.t === 'label' && (n.v === 'nan' || n.v === 'inf')) v = n.v === 'nan' ? Number.NaN : Infinity;
        else if (n.t === 'number')
          v = /nan$/.test(n.v)
            ? Number.NaN
            : /inf$/.test(n.v)
              ? n.v.startsWith('-')
                ? -Infinity
                : Infinity
              : Number(n.v.replaceAll('_', ''));
        else throw new WaveError(`expected ${t.kind}`, n.at);
        return t.kind === 'f32' ? Math.fround(v) : v;
      }
      case 'char': {
        const n = this.next();
        if (n.t !== 'char' || [...n.v].length !== 1) throw new WaveError("expected a char like 'x'", n.at);
        return n.v;
      }
      case 'string': {
        const n = this.next();
        if (n.t !== 'string') throw new WaveError('expected a string', n.at);
        return n.v;
      }
      case 'list': {
        this.expect('[');
        const xs: unknown[] = [];
        this.seq(']', () => xs.push(this.value(t.elem)));
        if (t.length !== undefined && xs.length !== t.length)
          throw new WaveError(`expected ${t.length} elements`, tok.at);
        const TA = TYPED[t.elem.kind];
        return TA ? TA.from(xs as never) : xs;
      }
      case 'map': {
        // Written as a list of (key, value) tuples; kept as [key, value] pairs
        // (which @weft/core accepts) so repeated keys survive.
        this.expect('[');
        const m: [unknown, unknown][] = [];
        this.seq(']', () => {
          this.expect('(');
          const k = this.value(t.key);
          this.expect(',');
          const v = this.value(t.value);
          if (this.isPunct(',')) this.next();
          this.expect(')');
          m.push([k, v]);
        });
        return m;
      }
      case 'tuple': {
        this.expect('(');
        const xs: unknown[] = [];
        this.seq(')', () => {
          const et = t.types[xs.length];
          if (!et) throw new WaveError(`tuple has ${t.types.length} elements`, this.peek().at);
          xs.push(this.value(et));
        });
        if (xs.length !== t.types.length) throw new WaveError(`expected ${t.types.length} tuple elements`, tok.at);
        return xs;
      }
      case 'record': {
        this.expect('{');
        const out: Record<string, unknown> = {};
        const seen = new Set<string>();
        this.seq('}', () => {
          const l = this.label();
          const f = t.fields.find((x) => x.label === l.v);
          if (!f) throw new WaveError(`record has no field ${l.v}`, l.at);
          if (seen.has(l.v)) throw new WaveError(`duplicate field ${l.v}`, l.at);
          seen.add(l.v);
          this.expect(':');
          out[camelCase(l.v)] = this.value(f.type);
        });
        for (const f of t.fields) {
          if (seen.has(f.label)) continue;
          // Omitted option fields are none.
          if (f.type.kind !== 'option') throw new WaveError(`missing field ${f.label}`, tok.at);
          out[camelCase(f.label)] = undefined;
        }
        return out;
      }
      case 'variant': {
        const l = this.label();
        const c = t.cases.find((x) => x.label === l.v);
        if (!c) throw new WaveError(`unknown case ${l.v}`, l.at);
        if (!c.type) return { tag: c.label, val: undefined };
        this.expect('(');
        const val = this.value(c.type);
        this.expect(')');
        return { tag: c.label, val };
      }
      case 'enum': {
        const l = this.label();
        if (!t.labels.includes(l.v)) throw new WaveError(`unknown case ${l.v}`, l.at);
        return l.v;
      }
      case 'option': {
        // An option of an option takes the `{ tag, val }` form (as @weft/core lifts it).
        const l = this.label();
        const tagged = t.type.kind === 'option';
        if (l.v === 'none') return tagged ? { tag: 'none' } : undefined;
        if (l.v !== 'some') throw new WaveError('expected some(...) or none', l.at);
        this.expect('(');
        const v = this.value(t.type);
        this.expect(')');
        return tagged ? { tag: 'some', val: v } : v;
      }
      case 'result': {
        const l = this.label();
        if (l.v !== 'ok' && l.v !== 'err') throw new WaveError('expected ok or err', l.at);
        const pt = l.v === 'ok' ? t.ok : t.err;
        let val: unknown;
        if (this.isPunct('(')) {
          if (!pt) throw new WaveError(`${l.v} has no payload`, l.at);
          this.next();
          val = this.value(pt);
          this.expect(')');
        } else if (pt) {
          throw new WaveError(`${l.v} needs a payload`, l.at);
        }
        return { tag: l.v, val };
      }
      case 'flags': {
        this.expect('{');
        const out: Record<string, boolean> = {};
        for (const l of t.labels) out[camelCase(l)] = false;
        this.seq('}', () => {
          const l = this.label();
          if (!t.labels.includes(l.v)) throw new WaveError(`unknown flag ${l.v}`, l.at);
          out[camelCase(l.v)] = true;
        });
        return out;
      }
      default:
        throw new WaveError(`values of type ${t.kind} cannot be written in WAVE`, tok.at);
    }
  }
}

/** Parses one WAVE value of type `t`. */
export function parseWave(text: string, t: ValType): unknown {
  const p = new Parser(text);
  const v = p.value(t);
  p.end();
  return v;
}

export interface ParsedCall {
  name: string;
  /** The raw text of each argument is not kept; parse with the func's type via `args(type)`. */
  args(type: FuncType): unknown[];
}

/**
 * Splits `name(arg, ...)` into the function name and a typed argument parser.
 * The name may be anything up to the first `(` (e.g. `greet`, `wasi:cli/run@0.3.0#run`).
 */
export function parseCall(text: string): ParsedCall {
  const open = text.indexOf('(');
  const name = (open < 0 ? text : text.slice(0, open)).trim();
  if (!name) throw new WaveError('expected a function name', 0);
  const rest = open < 0 ? '()' : text.slice(open);
  return {
    name,
    args(type: FuncType): unknown[] {
      const p = new Parser(rest);
      p.expect('(');
      const out: unknown[] = [];
      p.seq(')', () => {
        const pt = type.params[out.length];
        if (!pt)
          throw new WaveError(`${name} takes ${type.params.length} argument(s)`, Math.max(open, 0) + p.peek().at);
        out.push(p.value(pt.type));
      });
      p.end();
      if (out.length !== type.params.length) {
        throw new WaveError(`${name} takes ${type.params.length} argument(s), ${out.length} given`, 0);
      }
      return out;
    },
  };
}
