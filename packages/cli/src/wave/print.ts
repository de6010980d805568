// JS values (Weft boundary conventions) → WAVE text, guided by the type.

import type { ValType } from '@weft/core';
import { camelCase } from '@weft/core';

const KEYWORDS = new Set(['true', 'false', 'some', 'none', 'ok', 'err', 'inf', 'nan']);

/** A label as WAVE writes it: keywords get a `%` prefix. */
export function waveLabel(l: string): string {
  return KEYWORDS.has(l) ? `%${l}` : l;
}

function escapeChar(c: string, quote: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\t':
      return '\\t';
    case '\r':
      return '\\r';
    case quote:
      return `\\${quote}`;
  }
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\u{${cp.toString(16)}}`;
  return c;
}

export function waveString(s: string): string {
  let out = '"';
  for (const c of s) out += escapeChar(c, '"');
  return `${out}"`;
}

export function waveChar(c: string): string {
  return `'${escapeChar(c, "'")}'`;
}

export function waveFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

function fail(t: ValType, v: unknown): never {
  throw new TypeError(`cannot print ${typeof v} as ${t.kind}`);
}

/** Prints a JS value of type `t` in WAVE syntax. */
export function printWave(v: unknown, t: ValType): string {
  switch (t.kind) {
    case 'bool':
      return v ? 'true' : 'false';
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 's64':
    case 'u64':
      if (typeof v !== 'number' && typeof v !== 'bigint') fail(t, v);
      return String(v);
    case 'f32':
    case 'f64':
      if (typeof v !== 'number') fail(t, v);
      return waveFloat(v);
    case 'char':
      if (typeof v !== 'string') fail(t, v);
      return waveChar(v);
    case 'string':
      if (typeof v !== 'string') fail(t, v);
      return waveString(v);
    case 'list': {
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) fail(t, v);
      const xs = Array.from(v as ArrayLike<unknown>);
      return `[${xs.map((x) => printWave(x, t.elem)).join(', ')}]`;
    }
    case 'map': {
      const entries = v instanceof Map ? [...v] : Array.isArray(v) ? (v as [unknown, unknown][]) : fail(t, v);
      return `[${entries.map(([k, x]) => `(${printWave(k, t.key)}, ${printWave(x, t.value)})`).join(', ')}]`;
    }
    case 'tuple': {
      if (!Array.isArray(v)) fail(t, v);
      return `(${t.types.map((et, i) => printWave(v[i], et)).join(', ')})`;
    }
    case 'record': {
      if (typeof v !== 'object' || v === null) fail(t, v);
      const o = v as Record<string, unknown>;
      return `{${t.fields.map((f) => `${waveLabel(f.label)}: ${printWave(o[camelCase(f.label)], f.type)}`).join(', ')}}`;
    }
    case 'variant': {
      const o = v as { tag?: string; val?: unknown };
      const c = t.cases.find((x) => x.label === o?.tag);
      if (!c) fail(t, v);
      return c.type ? `${waveLabel(c.label)}(${printWave(o.val, c.type)})` : waveLabel(c.label);
    }
    case 'enum':
      if (typeof v !== 'string') fail(t, v);
      return waveLabel(v);
    case 'option': {
      // An option of an option is `{ tag, val }`; any other option is `T | undefined`.
      if (t.type.kind === 'option') {
        const o = v as { tag?: string; val?: unknown };
        return o?.tag === 'some' ? `some(${printWave(o.val, t.type)})` : 'none';
      }
      return v === undefined || v === null ? 'none' : `some(${printWave(v, t.type)})`;
    }
    case 'result': {
      const o = v as { tag?: string; val?: unknown };
      const pt = o?.tag === 'err' ? t.err : t.ok;
      const tag = o?.tag === 'err' ? 'err' : 'ok';
      return pt ? `${tag}(${printWave(o.val, pt)})` : tag;
    }
    case 'flags': {
      if (typeof v !== 'object' || v === null) fail(t, v);
      const o = v as Record<string, unknown>;
      return `{${t.labels
        .filter((l) => o[camelCase(l)])
        .map(waveLabel)
        .join(', ')}}`;
    }
    case 'own':
    case 'borrow':
      return `<resource ${t.resource.name}>`;
    case 'stream':
    case 'future':
      return `<${t.kind}>`;
    default:
      return `<${t.kind}>`;
  }
}
