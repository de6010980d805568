// Transitive predicates over value types (definitions.py contains_borrow and
// friends), memoised per type object where validation asks again and again.

import { isPrim, type ValType } from './model.ts';
import { TypeMemo } from './type-memo.ts';

/** Children of a value type, for transitive predicates. */
export function valTypeChildren(t: ValType): ValType[] {
  switch (t.kind) {
    case 'list':
      return [t.elem];
    case 'record':
      return t.fields.map((f) => f.type);
    case 'tuple':
      return t.types;
    case 'variant':
      return t.cases.flatMap((c) => (c.type ? [c.type] : []));
    case 'option':
      return [t.type];
    case 'result':
      return [t.ok, t.err].filter((x): x is ValType => !!x);
    case 'map':
      return [t.key, t.value];
    case 'stream':
    case 'future':
      return t.elem ? [t.elem] : [];
    default:
      return [];
  }
}

/** True when `f` holds for some child of `t` (no allocation, unlike valTypeChildren). */
export function someChild(t: ValType, f: (c: ValType) => boolean): boolean {
  switch (t.kind) {
    case 'list':
      return f(t.elem);
    case 'record':
      for (let i = 0; i < t.fields.length; i++) if (f(t.fields[i]!.type)) return true;
      return false;
    case 'tuple':
      for (let i = 0; i < t.types.length; i++) if (f(t.types[i]!)) return true;
      return false;
    case 'variant':
      for (let i = 0; i < t.cases.length; i++) {
        const c = t.cases[i]!.type;
        if (c !== undefined && f(c)) return true;
      }
      return false;
    case 'option':
      return f(t.type);
    case 'result':
      return (t.ok !== undefined && f(t.ok)) || (t.err !== undefined && f(t.err));
    case 'map':
      return f(t.key) || f(t.value);
    case 'stream':
    case 'future':
      return t.elem !== undefined && f(t.elem);
    default:
      return false;
  }
}

export function contains(t: ValType, pred: (u: ValType) => boolean): boolean {
  if (pred(t)) return true;
  return someChild(t, (c) => contains(c, pred));
}

// Streams/futures are handles: their element types don't make the outer type need memory.
const listOrStringMemo = new TypeMemo<boolean>();
export function containsListOrString(t: ValType): boolean {
  switch (t.kind) {
    case 'string':
    case 'map':
      return true;
    case 'list':
      return t.length === undefined || containsListOrString(t.elem);
    case 'record':
    case 'tuple':
    case 'variant':
    case 'option':
    case 'result': {
      let r = listOrStringMemo.get(t);
      if (r === undefined) listOrStringMemo.set(t, (r = someChild(t, containsListOrString)));
      return r;
    }
    default:
      return false;
  }
}

const borrowMemo = new TypeMemo<boolean>();
export function containsBorrow(t: ValType): boolean {
  switch (t.kind) {
    case 'borrow':
      return true;
    case 'own':
    case 'enum':
    case 'flags':
      return false;
  }
  if (isPrim(t)) return false;
  let r = borrowMemo.get(t);
  if (r === undefined) borrowMemo.set(t, (r = someChild(t, containsBorrow)));
  return r;
}

const depthMemo = new TypeMemo<number>();
/**
 * How deeply a value type nests (a primitive or handle is 1). Types are
 * defined children first, so each call finds its children's depths memoised.
 */
export function typeDepth(t: ValType): number {
  if (isPrim(t)) return 1;
  let d = depthMemo.get(t);
  if (d === undefined) {
    let max = 0;
    someChild(t, (c) => {
      const cd = typeDepth(c);
      if (cd > max) max = cd;
      return false;
    });
    depthMemo.set(t, (d = max + 1));
  }
  return d;
}
