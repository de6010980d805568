// The JS side of variant-like types (DESIGN.md conventions): enum ↔ label
// string, option ↔ value or undefined (nested options as { tag }), result and
// variant ↔ { tag, val }.

import type { CaseType, ValType } from '../../types/model.ts';
import { badValue } from '../../runtime/errors.ts';
import { checkObject } from './codec.ts';

/** JS conversions of a variant-like kind; `match` writes into matched. */
export interface VariantJs {
  make(index: number, payload: unknown): unknown;
  match(v: unknown): void;
}
/** Result slot of VariantJs.match (reused: no allocation per value). */
export const matched = { index: 0, val: undefined as unknown };

export function variantJs(t: ValType, cases: CaseType[]): VariantJs {
  switch (t.kind) {
    case 'enum': {
      const idx = new Map(t.labels.map((l, i) => [l, i]));
      return {
        make: (i) => t.labels[i],
        match(v) {
          const i = typeof v === 'string' ? idx.get(v) : undefined;
          if (i === undefined) badValue(`one of ${t.labels.map((l) => `'${l}'`).join(', ')}`, v);
          matched.index = i;
          matched.val = undefined;
        },
      };
    }
    case 'option': {
      if (t.type.kind === 'option') {
        return {
          make: (i, p) => (i === 0 ? { tag: 'none' } : { tag: 'some', val: p }),
          match(v) {
            const tag = checkObject(v, "{ tag: 'some' | 'none' }").tag;
            if (tag === 'none') {
              matched.index = 0;
              matched.val = undefined;
            } else if (tag === 'some') {
              matched.index = 1;
              matched.val = (v as { val: unknown }).val;
            } else badValue("{ tag: 'some' | 'none' }", v);
          },
        };
      }
      return {
        make: (i, p) => (i === 0 ? undefined : p),
        match(v) {
          if (v === undefined || v === null) {
            matched.index = 0;
            matched.val = undefined;
          } else {
            matched.index = 1;
            matched.val = v;
          }
        },
      };
    }
    case 'result':
      return {
        make: (i, p) => ({ tag: i === 0 ? 'ok' : 'err', val: p }),
        match(v) {
          const o = checkObject(v, "{ tag: 'ok' | 'err', val }");
          if (o.tag === 'ok') matched.index = 0;
          else if (o.tag === 'err' || o.tag === 'error') matched.index = 1;
          else badValue("{ tag: 'ok' | 'err', val }", v);
          matched.val = o.val;
        },
      };
    default: {
      const idx = new Map(cases.map((c, i) => [c.label, i]));
      return {
        make: (i, p) => ({ tag: cases[i]!.label, val: p }),
        match(v) {
          const o = checkObject(v, '{ tag, val }');
          const i = typeof o.tag === 'string' ? idx.get(o.tag) : undefined;
          if (i === undefined) badValue(`a variant with tag ${cases.map((c) => `'${c.label}'`).join(' | ')}`, v);
          matched.index = i;
          matched.val = o.val;
        },
      };
    }
  }
}
