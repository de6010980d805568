// Top-level .wast forms → directives.

import { type SList, type SNode, WastSyntaxError, head, isAtom, isId, stringValue } from './sexpr.ts';
import { type WastValue, parseValue } from './values.ts';

/** Where a component (or core module) comes from. */
export type ModuleSource =
  | { kind: 'text'; form: SList; cut?: [number, number]; core: boolean }
  | { kind: 'binary'; bytes: Uint8Array; core: boolean }
  | { kind: 'quote'; text: string; core: boolean };

export interface ModuleDef {
  id?: string;
  /** `(component definition ...)`: compile only. */
  definition: boolean;
  source: ModuleSource;
}

export interface Invoke {
  kind: 'invoke';
  instance?: string;
  name: string;
  args: WastValue[];
}

export type Directive =
  | { kind: 'module'; def: ModuleDef }
  | { kind: 'instance'; id?: string; of: string }
  | { kind: 'register'; name: string; instance?: string }
  | { kind: 'action'; action: Invoke }
  | { kind: 'assert_return'; action: Invoke; results: WastValue[] }
  | { kind: 'assert_trap'; action: Invoke | ModuleDef; message: string }
  | { kind: 'assert_exhaustion'; action: Invoke; message: string }
  | { kind: 'assert_invalid' | 'assert_malformed' | 'assert_unlinkable'; module: ModuleDef; message: string };

function concatStrings(nodes: SNode[], line: number): Uint8Array {
  const parts = nodes.map((n) => {
    if (n.kind !== 'string') throw new WastSyntaxError('expected a string', n.line ?? line);
    return n.bytes;
  });
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parses `(component ...)` / `(module ...)` in any of their forms. */
export function parseModuleDef(form: SNode): ModuleDef {
  const h = head(form);
  if (form.kind !== 'list' || (h !== 'component' && h !== 'module')) {
    throw new WastSyntaxError('expected (component ...) or (module ...)', form.line);
  }
  const core = h === 'module';
  const items = form.items;
  let i = 1;
  let id: string | undefined;
  let definition = false;
  let cut: [number, number] | undefined;
  for (; i < items.length; i++) {
    const it = items[i]!;
    if (isId(it) && id === undefined) id = it.text;
    else if (isAtom(it, 'definition') && !definition) {
      definition = true;
      cut = [it.start, it.end];
    } else break;
  }
  const kw = items[i];
  if (isAtom(kw, 'binary')) {
    return { id, definition, source: { kind: 'binary', bytes: concatStrings(items.slice(i + 1), form.line), core } };
  }
  if (isAtom(kw, 'quote')) {
    const text = new TextDecoder().decode(concatStrings(items.slice(i + 1), form.line));
    return { id, definition, source: { kind: 'quote', text, core } };
  }
  return { id, definition, source: { kind: 'text', form, cut, core } };
}

export function parseInvoke(form: SNode): Invoke {
  if (form.kind !== 'list' || head(form) !== 'invoke') {
    throw new WastSyntaxError(`unsupported action ${head(form) ?? ''}`, form.line);
  }
  let i = 1;
  let instance: string | undefined;
  if (isId(form.items[1])) {
    instance = (form.items[1] as { text: string }).text;
    i = 2;
  }
  const nameNode = form.items[i];
  if (!nameNode) throw new WastSyntaxError('invoke needs a function name', form.line);
  const name = stringValue(nameNode);
  return { kind: 'invoke', instance, name, args: form.items.slice(i + 1).map(parseValue) };
}

function message(n: SNode | undefined, line: number): string {
  if (!n) throw new WastSyntaxError('missing expected message', line);
  return stringValue(n);
}

export function parseDirective(form: SNode): Directive {
  if (form.kind !== 'list') throw new WastSyntaxError('expected a directive', form.line);
  const h = head(form);
  const it = form.items;
  switch (h) {
    case 'component':
      // `(component instance $i $T)`
      if (isAtom(it[1], 'instance')) {
        const ids = it
          .slice(2)
          .filter(isId)
          .map((x) => x.text);
        if (ids.length === 1) return { kind: 'instance', of: ids[0]! };
        if (ids.length === 2) return { kind: 'instance', id: ids[0], of: ids[1]! };
        throw new WastSyntaxError('expected (component instance $id? $definition)', form.line);
      }
      return { kind: 'module', def: parseModuleDef(form) };
    case 'module':
      return { kind: 'module', def: parseModuleDef(form) };
    case 'register': {
      const name = stringValue(it[1] ?? form);
      return { kind: 'register', name, instance: isId(it[2]) ? it[2].text : undefined };
    }
    case 'invoke':
      return { kind: 'action', action: parseInvoke(form) };
    case 'assert_return':
      return { kind: 'assert_return', action: parseInvoke(it[1] ?? form), results: it.slice(2).map(parseValue) };
    case 'assert_trap': {
      const target = it[1] ?? form;
      const hh = head(target);
      const action = hh === 'component' || hh === 'module' ? parseModuleDef(target) : parseInvoke(target);
      return { kind: 'assert_trap', action, message: message(it[2], form.line) };
    }
    case 'assert_exhaustion':
      return { kind: 'assert_exhaustion', action: parseInvoke(it[1] ?? form), message: message(it[2], form.line) };
    case 'assert_invalid':
    case 'assert_malformed':
    case 'assert_unlinkable':
      return { kind: h, module: parseModuleDef(it[1] ?? form), message: message(it[2], form.line) };
    default:
      throw new WastSyntaxError(`unknown directive ${h ?? ''}`, form.line);
  }
}
