// A small WIT printer over @weft/core's resolved types, for `weft inspect`.
// Types are structural after resolution; names come back where an exported
// or imported `type` declaration points at the very same type object.

import {
  isPrim,
  type ComponentType,
  type ExternType,
  type FuncType,
  type InstanceType,
  type ResourceType,
  type ValType,
} from '@weft/core';

type Names = Map<object, string>;

export function witType(t: ValType, names: Names = new Map(), top = true): string {
  const named = top ? undefined : names.get(t);
  if (named) return named;
  const ty = (x: ValType) => witType(x, names, false);
  switch (t.kind) {
    case 'list':
      return t.length !== undefined ? `list<${ty(t.elem)}, ${t.length}>` : `list<${ty(t.elem)}>`;
    case 'map':
      return `map<${ty(t.key)}, ${ty(t.value)}>`;
    case 'tuple':
      return `tuple<${t.types.map(ty).join(', ')}>`;
    case 'option':
      return `option<${ty(t.type)}>`;
    case 'result':
      if (!t.ok && !t.err) return 'result';
      if (!t.err) return `result<${ty(t.ok!)}>`;
      return `result<${t.ok ? ty(t.ok) : '_'}, ${ty(t.err)}>`;
    case 'record':
      return `record { ${t.fields.map((f) => `${f.label}: ${ty(f.type)}`).join(', ')} }`;
    case 'variant':
      return `variant { ${t.cases.map((c) => (c.type ? `${c.label}(${ty(c.type)})` : c.label)).join(', ')} }`;
    case 'enum':
      return `enum { ${t.labels.join(', ')} }`;
    case 'flags':
      return `flags { ${t.labels.join(', ')} }`;
    case 'own':
      return names.get(t.resource) ?? t.resource.name;
    case 'borrow':
      return `borrow<${names.get(t.resource) ?? t.resource.name}>`;
    case 'stream':
      return t.elem ? `stream<${ty(t.elem)}>` : 'stream';
    case 'future':
      return t.elem ? `future<${ty(t.elem)}>` : 'future';
    default:
      if (isPrim(t)) return t.kind;
      return `/* ${(t as { kind: string }).kind} */`;
  }
}

function params(f: FuncType, names: Names, skipSelf = false): string {
  const ps = skipSelf ? f.params.slice(1) : f.params;
  return ps.map((p) => `${p.label}: ${witType(p.type, names, false)}`).join(', ');
}

export function witFunc(f: FuncType, names: Names = new Map()): string {
  const res = f.result ? ` -> ${witType(f.result, names, false)}` : '';
  return `${f.async ? 'async ' : ''}func(${params(f, names)})${res}`;
}

/** Declaration keyword-form of a defined type: `record r { ... }`, `type t = ...`. */
function typeDecl(name: string, t: ValType, names: Names): string {
  switch (t.kind) {
    case 'record':
      return `record ${name} { ${t.fields.map((f) => `${f.label}: ${witType(f.type, names, false)}`).join(', ')} }`;
    case 'variant':
      return `variant ${name} { ${t.cases.map((c) => (c.type ? `${c.label}(${witType(c.type, names, false)})` : c.label)).join(', ')} }`;
    case 'enum':
      return `enum ${name} { ${t.labels.join(', ')} }`;
    case 'flags':
      return `flags ${name} { ${t.labels.join(', ')} }`;
    default:
      return `type ${name} = ${witType(t, names)};`;
  }
}

function isResource(t: unknown): t is ResourceType {
  return typeof t === 'object' && t !== null && (t as { kind?: string }).kind === 'resource';
}

/** Body lines of an instance type, printed as an interface. */
function interfaceBody(inst: InstanceType, names: Names, indent: string): string[] {
  const local: Names = new Map(names);
  const lines: string[] = [];
  const resources = new Map<string, string[]>();
  for (const [name, ext] of inst.exports) {
    if (ext.kind !== 'type') continue;
    if (isResource(ext.type)) {
      local.set(ext.type, name);
      resources.set(name, []);
    }
  }
  for (const [name, ext] of inst.exports) {
    if (ext.kind !== 'type' || isResource(ext.type)) continue;
    const t = ext.type as ValType;
    lines.push(`${indent}${typeDecl(name, t, local)}`);
    local.set(t, name);
  }
  for (const [name, ext] of inst.exports) {
    if (ext.kind !== 'func') continue;
    const m = /^\[(method|static|constructor)\]([^.]+)(?:\.(.+))?$/.exec(name);
    const f = ext.type;
    if (m && resources.has(m[2]!)) {
      const body = resources.get(m[2]!)!;
      const res = f.result ? ` -> ${witType(f.result, local, false)}` : '';
      if (m[1] === 'constructor') body.push(`constructor(${params(f, local)});`);
      else if (m[1] === 'static')
        body.push(`${m[3]}: static ${f.async ? 'async ' : ''}func(${params(f, local)})${res};`);
      else body.push(`${m[3]}: ${f.async ? 'async ' : ''}func(${params(f, local, true)})${res};`);
      continue;
    }
    lines.push(`${indent}${name}: ${witFunc(f, local)};`);
  }
  const resLines: string[] = [];
  for (const [r, body] of resources) {
    if (body.length === 0) resLines.push(`${indent}resource ${r};`);
    else resLines.push(`${indent}resource ${r} {`, ...body.map((b) => `${indent}  ${b}`), `${indent}}`);
  }
  for (const [name, ext] of inst.exports) {
    if (ext.kind === 'instance') lines.push(...externLine('export', name, ext, local, indent));
  }
  return [...resLines, ...lines];
}

function externLine(dir: string, name: string, ext: ExternType, names: Names, indent: string): string[] {
  switch (ext.kind) {
    case 'func':
      return [`${indent}${dir} ${name}: ${witFunc(ext.type, names)};`];
    case 'instance': {
      const body = interfaceBody(ext.type, names, `${indent}  `);
      if (body.length === 0) return [`${indent}${dir} ${name}: interface {}`];
      return [`${indent}${dir} ${name}: interface {`, ...body, `${indent}}`];
    }
    case 'type':
      if (isResource(ext.type)) return [`${indent}resource ${name};`];
      return [`${indent}${typeDecl(name, ext.type as ValType, names)}`];
    case 'value':
      return [`${indent}/* ${dir} value ${name}: ${witType(ext.type, names)} */`];
    case 'component':
      return [`${indent}/* ${dir} component ${name} */`];
    case 'module':
      return [`${indent}/* ${dir} core module ${name} */`];
  }
}

/** Prints a component type as a WIT world. */
export function printWorld(type: ComponentType, worldName = 'root'): string {
  const names: Names = new Map();
  const lines = [`world ${worldName} {`];
  for (const [dirName, map] of [
    ['import', type.imports],
    ['export', type.exports],
  ] as const) {
    for (const [name, ext] of map) {
      if (ext.kind === 'type') {
        if (isResource(ext.type)) names.set(ext.type, name);
        else names.set(ext.type, name);
      }
      lines.push(...externLine(dirName, name, ext, names, '  '));
    }
  }
  lines.push('}');
  return lines.join('\n');
}
