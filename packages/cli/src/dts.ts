// TypeScript types of a component's exports, in the host conventions of @weft/core (jco's), for
// the `.d.ts` of `weft bundle`. Plain values are typed exactly; resources, streams, futures and
// error-contexts are `any` (with their WIT in a comment), as are shapes this printer does not
// know, so no type it prints is narrower than what a call can give.

import {
  camelCase,
  type ComponentType,
  type ExternType,
  type FuncType,
  type InstanceType,
  pascalCase,
  type ValType,
} from '@weft/core';
import { witType } from './wit.ts';

const TYPED_ARRAYS: Record<string, string> = {
  u8: 'Uint8Array',
  s8: 'Int8Array',
  u16: 'Uint16Array',
  s16: 'Int16Array',
  u32: 'Uint32Array',
  s32: 'Int32Array',
  u64: 'BigUint64Array',
  s64: 'BigInt64Array',
  f32: 'Float32Array',
  f64: 'Float64Array',
};

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval'.split(
    ' ',
  ),
);

const str = (s: string) => JSON.stringify(s);
const key = (s: string) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : str(s));
const ident = (s: string, i: number) => {
  const c = camelCase(s);
  return /^[A-Za-z_$][\w$]*$/.test(c) && !RESERVED.has(c) ? c : `arg${i}`;
};
const comment = (s: string) => s.replace(/\*\//g, '*\\/');

/** The JS type of a WIT value type. */
export function tsType(t: ValType, names: Map<object, string> = new Map()): string {
  const tsType_ = (x: ValType) => tsType(x, names);
  switch (t.kind) {
    case 'bool':
      return 'boolean';
    case 's8':
    case 'u8':
    case 's16':
    case 'u16':
    case 's32':
    case 'u32':
    case 'f32':
    case 'f64':
      return 'number';
    case 's64':
    case 'u64':
      return 'bigint';
    case 'char':
    case 'string':
      return 'string';
    case 'list': {
      const arr = TYPED_ARRAYS[t.elem.kind];
      return arr ?? `Array<${tsType_(t.elem)}>`;
    }
    case 'map':
      return `Map<${tsType_(t.key)}, ${tsType_(t.value)}>`;
    case 'record':
      return `{ ${t.fields.map((f) => `${key(camelCase(f.label))}: ${tsType_(f.type)}`).join('; ')} }`;
    case 'tuple':
      return `[${t.types.map(tsType_).join(', ')}]`;
    case 'flags':
      return `{ ${t.labels.map((l) => `${key(camelCase(l))}?: boolean`).join('; ')} }`;
    case 'enum':
      return t.labels.map(str).join(' | ') || 'never';
    case 'variant':
      return (
        t.cases
          .map((c) => `{ tag: ${str(c.label)}; val${c.type ? `: ${tsType_(c.type)}` : '?: undefined'} }`)
          .join(' | ') || 'never'
      );
    case 'option':
      if (t.type.kind === 'option') return `{ tag: 'none' } | { tag: 'some'; val: ${tsType_(t.type)} }`;
      return `${tsType_(t.type)} | undefined`;
    case 'result':
      return `{ tag: 'ok'; val: ${t.ok ? tsType_(t.ok) : 'undefined'} } | { tag: 'err'; val: ${t.err ? tsType_(t.err) : 'undefined'} }`;
    case 'own':
    case 'borrow':
      return `any /* ${t.kind}<${comment(names.get(t.resource) || t.resource.name || 'resource')}> */`;
    default:
      return `any /* ${comment(witType(t))} */`;
  }
}

/** Parenthesised when a union, so that `| Promise<...>` binds as meant. */
const grouped = (s: string) => (s.includes('|') ? `(${s})` : s);

function funcSig(f: FuncType, names: Map<object, string> = new Map()): string {
  const tsType_ = (x: ValType) => tsType(x, names);
  const ps = f.params.map((p, i) => `${ident(p.label, i)}: ${tsType_(p.type)}`);
  let ret: string;
  if (f.result === undefined) ret = 'void';
  else if (f.result.kind === 'result') ret = f.result.ok ? tsType_(f.result.ok) : 'void';
  else ret = tsType_(f.result);
  // An async export returns a Promise; a sync one its value, or a Promise when the call blocked
  // (JSPI) or was time-sliced (see @weft/core's README).
  const r = f.async ? `Promise<${ret}>` : `${grouped(ret)} | Promise<${ret}>`;
  const throws = f.result?.kind === 'result' && f.result.err ? ' /* throws ComponentError: err */' : '';
  return `(${ps.join(', ')}) => ${r}${throws}`;
}

function interfaceType(inst: InstanceType, indent: string): string {
  const lines: string[] = [];
  const classes = new Set<string>();
  const names = new Map<object, string>();
  for (const [name, ext] of inst.exports) if (ext.kind === 'type') names.set(ext.type, name);
  for (const [name, ext] of inst.exports) {
    if (ext.kind === 'func') {
      const m = /^\[(method|static|constructor)\]([^.]+)/.exec(name);
      if (m) {
        classes.add(m[2]!);
        continue;
      }
      lines.push(`${indent}  ${key(camelCase(name))}: ${funcSig(ext.type, names)};`);
    } else if (ext.kind === 'type' && (ext.type as { kind?: string }).kind === 'resource') classes.add(name);
    else if (ext.kind === 'instance') lines.push(`${indent}  ${key(name)}: ${interfaceType(ext.type, `${indent}  `)};`);
  }
  for (const c of classes)
    lines.push(`${indent}  /** resource ${comment(c)} */\n${indent}  ${key(pascalCase(c))}: any;`);
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
}

function exportEntries(name: string, ext: ExternType): string[] {
  if (ext.kind === 'func') {
    if (name.startsWith('[')) return [];
    const sig = funcSig(ext.type);
    const out = [`  ${key(name)}: ${sig};`];
    const alias = camelCase(name);
    if (alias !== name) out.push(`  ${key(alias)}: ${sig};`);
    return out;
  }
  if (ext.kind === 'instance') return [`  ${key(name)}: ${interfaceType(ext.type, '  ')};`];
  return [];
}

/** `export interface Exports { ... }`: the component's exports as `Instance.exports` has them. */
export function exportsInterface(type: ComponentType): string {
  const lines: string[] = [];
  for (const [name, ext] of type.exports) lines.push(...exportEntries(name, ext));
  return `export interface Exports {\n${lines.join('\n')}\n}`;
}
