// Component-level values as written in .wast scripts: `(u32.const 1)`,
// `(record.const (field "a" u32.const 1))`, `(option.some v)`, ...

import { type SNode, WastSyntaxError, describe, head, stringValue } from './sexpr.ts';

export type IntKind = 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64';
export type FloatKind = 'f32' | 'f64';

export type WastValue =
  | { kind: 'bool'; value: boolean }
  | { kind: IntKind; value: bigint }
  /** `nan` is set for `nan:canonical` / `nan:arithmetic` patterns (results only). */
  | { kind: FloatKind; value: number; nan?: 'canonical' | 'arithmetic' }
  | { kind: 'char'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'list'; elems: WastValue[] }
  | { kind: 'record'; fields: { name: string; value: WastValue }[] }
  | { kind: 'tuple'; elems: WastValue[] }
  | { kind: 'variant'; label: string; value?: WastValue }
  | { kind: 'enum'; label: string }
  | { kind: 'option'; value?: WastValue }
  | { kind: 'result'; ok: boolean; value?: WastValue }
  | { kind: 'flags'; labels: string[] }
  /** Core wasm values, for core modules invoked at top level. */
  | { kind: 'i32' | 'i64'; value: bigint };

const INT_RANGES: Record<IntKind | 'i32' | 'i64', [bigint, bigint]> = {
  s8: [-128n, 127n],
  u8: [0n, 255n],
  s16: [-32768n, 32767n],
  u16: [0n, 65535n],
  s32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
  s64: [-(2n ** 63n), 2n ** 63n - 1n],
  u64: [0n, 2n ** 64n - 1n],
  // Core integers accept both signed and unsigned spellings.
  i32: [-(2n ** 31n), 2n ** 32n - 1n],
  i64: [-(2n ** 63n), 2n ** 64n - 1n],
};

/** Parses an integer literal: optional sign, decimal or 0x hex, `_` separators. */
export function parseIntLiteral(text: string): bigint | undefined {
  const m = /^([+-]?)(0x[0-9a-fA-F](?:_?[0-9a-fA-F])*|[0-9](?:_?[0-9])*)$/.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!.replaceAll('_', ''));
  return m[1] === '-' ? -v : v;
}

/** Parses a float literal (decimal, hex float, inf, nan, nan:0x...) to a JS number. */
export function parseFloatLiteral(text: string, kind: FloatKind): number | undefined {
  let t = text.replaceAll('_', '');
  let sign = 1;
  if (t.startsWith('-')) {
    sign = -1;
    t = t.slice(1);
  } else if (t.startsWith('+')) {
    t = t.slice(1);
  }
  let v: number;
  if (t === 'inf') v = Infinity;
  else if (t === 'nan' || /^nan:0x[0-9a-fA-F]+$/.test(t)) v = Number.NaN;
  else if (/^0x/i.test(t)) {
    const m = /^0x([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(t);
    if (!m || (m[1] === '' && !m[2])) return undefined;
    const digits = `${m[1]}${m[2] ?? ''}`;
    const exp = Number(m[3] ?? 0) - 4 * (m[2]?.length ?? 0);
    // Exact for up to 13 hex digits; wider mantissas round once more here, fine for tests.
    v = Number(BigInt(`0x${digits || '0'}`)) * 2 ** exp;
  } else if (/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    v = Number(t);
  } else {
    return undefined;
  }
  v *= sign;
  return kind === 'f32' ? Math.fround(v) : v;
}

/**
 * Parses one value. `items` is the value's list form contents, e.g. for
 * `(u32.const 7)` it is [u32.const, 7]. Record fields may also be written
 * without parentheses (`(field "n" u32.const 7)`); parseValueSeq handles that.
 */
export function parseValue(n: SNode): WastValue {
  if (n.kind !== 'list') throw new WastSyntaxError(`expected a value, found ${describe(n)}`, n.line);
  return parseValueItems(n.items, n.line);
}

function atomText(n: SNode | undefined, line: number, what: string): string {
  if (n?.kind !== 'atom') throw new WastSyntaxError(`expected ${what}`, n?.line ?? line);
  return n.text;
}

function parseValueItems(items: SNode[], line: number): WastValue {
  const op = atomText(items[0], line, 'a value');
  const args = items.slice(1);
  const arity = (min: number, max: number) => {
    if (args.length < min || args.length > max) {
      throw new WastSyntaxError(`wrong number of operands for ${op}`, line);
    }
  };
  switch (op) {
    case 'bool.const': {
      arity(1, 1);
      const t = atomText(args[0], line, 'true or false');
      if (t !== 'true' && t !== 'false') throw new WastSyntaxError(`invalid bool ${t}`, line);
      return { kind: 'bool', value: t === 'true' };
    }
    case 's8.const':
    case 'u8.const':
    case 's16.const':
    case 'u16.const':
    case 's32.const':
    case 'u32.const':
    case 's64.const':
    case 'u64.const':
    case 'i32.const':
    case 'i64.const': {
      arity(1, 1);
      const kind = op.slice(0, -6) as IntKind | 'i32' | 'i64';
      const text = atomText(args[0], line, 'an integer');
      const v = parseIntLiteral(text);
      const [lo, hi] = INT_RANGES[kind];
      if (v === undefined || v < lo || v > hi) throw new WastSyntaxError(`invalid ${kind} literal ${text}`, line);
      return { kind, value: v };
    }
    case 'f32.const':
    case 'f64.const': {
      arity(1, 1);
      const kind = op.slice(0, 3) as FloatKind;
      const text = atomText(args[0], line, 'a float');
      if (text === 'nan:canonical' || text === 'nan:arithmetic') {
        return { kind, value: Number.NaN, nan: text.slice(4) as 'canonical' | 'arithmetic' };
      }
      const v = parseFloatLiteral(text, kind);
      if (v === undefined) throw new WastSyntaxError(`invalid ${kind} literal ${text}`, line);
      return { kind, value: v };
    }
    case 'char.const': {
      arity(1, 1);
      const s = stringValue(args[0]!);
      if ([...s].length !== 1) throw new WastSyntaxError('char.const needs exactly one character', line);
      return { kind: 'char', value: s };
    }
    case 'str.const':
    case 'string.const':
      arity(1, 1);
      return { kind: 'string', value: stringValue(args[0]!) };
    case 'list.const':
      return { kind: 'list', elems: args.map(parseValue) };
    case 'tuple.const':
      return { kind: 'tuple', elems: args.map(parseValue) };
    case 'record.const':
      return {
        kind: 'record',
        fields: args.map((f) => {
          if (head(f) !== 'field' || f.kind !== 'list')
            throw new WastSyntaxError('expected (field "name" value)', f.line);
          const name = stringValue(f.items[1] ?? f);
          const rest = f.items.slice(2);
          const value = rest.length === 1 ? parseValue(rest[0]!) : parseValueItems(rest, f.line);
          return { name, value };
        }),
      };
    case 'variant.const': {
      arity(1, 2);
      const label = stringValue(args[0]!);
      return args[1] ? { kind: 'variant', label, value: parseValue(args[1]) } : { kind: 'variant', label };
    }
    case 'enum.const':
      arity(1, 1);
      return { kind: 'enum', label: stringValue(args[0]!) };
    case 'flags.const':
      return { kind: 'flags', labels: args.map(stringValue) };
    case 'option.none':
      arity(0, 0);
      return { kind: 'option' };
    case 'option.some':
      arity(1, 1);
      return { kind: 'option', value: parseValue(args[0]!) };
    case 'result.ok':
    case 'result.err': {
      arity(0, 1);
      const ok = op === 'result.ok';
      return args[0] ? { kind: 'result', ok, value: parseValue(args[0]) } : { kind: 'result', ok };
    }
    default:
      throw new WastSyntaxError(`unknown value form ${op}`, line);
  }
}

/** Renders a value back in wast syntax, for failure messages. */
export function showValue(v: WastValue): string {
  switch (v.kind) {
    case 'bool':
      return `(bool.const ${v.value})`;
    case 'f32':
    case 'f64':
      return `(${v.kind}.const ${v.nan ? `nan:${v.nan}` : v.value})`;
    case 'char':
      return `(char.const ${JSON.stringify(v.value)})`;
    case 'string':
      return `(str.const ${JSON.stringify(v.value)})`;
    case 'list':
      return `(list.const${v.elems.map((e) => ` ${showValue(e)}`).join('')})`;
    case 'tuple':
      return `(tuple.const${v.elems.map((e) => ` ${showValue(e)}`).join('')})`;
    case 'record':
      return `(record.const${v.fields.map((f) => ` (field ${JSON.stringify(f.name)} ${showValue(f.value)})`).join('')})`;
    case 'variant':
      return `(variant.const ${JSON.stringify(v.label)}${v.value ? ` ${showValue(v.value)}` : ''})`;
    case 'enum':
      return `(enum.const ${JSON.stringify(v.label)})`;
    case 'flags':
      return `(flags.const${v.labels.map((l) => ` ${JSON.stringify(l)}`).join('')})`;
    case 'option':
      return v.value ? `(option.some ${showValue(v.value)})` : '(option.none)';
    case 'result':
      return `(result.${v.ok ? 'ok' : 'err'}${v.value ? ` ${showValue(v.value)}` : ''})`;
    default:
      return `(${v.kind}.const ${v.value})`;
  }
}
