// Codecs of record (a JS object keyed by camelCased labels) and tuple (a JS
// array of fixed length).

import { camelCase } from '../../host/js-names.ts';
import type { ValType } from '../../types/model.ts';
import { badValue } from '../../runtime/errors.ts';
import { fieldOffsets } from '../layout.ts';
import { type Codec, checkObject, composite } from './codec.ts';
import { codecFor } from './index.ts';

export function recordCodec(t: ValType & { kind: 'record' }): Codec {
  const fs = t.fields.map((f) => codecFor(f.type));
  const names = t.fields.map((f) => camelCase(f.label));
  const offs = fieldOffsets(t.fields.map((f) => f.type));
  const n = fs.length;
  return composite(t, {
    load(cx, p) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = fs[i]!.load(cx, p + offs[i]!);
      return o;
    },
    store(cx, v, p) {
      const o = checkObject(v, 'a record object');
      for (let i = 0; i < n; i++) fs[i]!.store(cx, o[names[i]!], p + offs[i]!);
    },
    liftFlat(cx) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = fs[i]!.liftFlat(cx);
      return o;
    },
    lowerFlat(cx, v, out) {
      const o = checkObject(v, 'a record object');
      for (let i = 0; i < n; i++) fs[i]!.lowerFlat(cx, o[names[i]!], out);
    },
  });
}

export function tupleCodec(t: ValType & { kind: 'tuple' }): Codec {
  const fs = t.types.map((u) => codecFor(u));
  const offs = fieldOffsets(t.types);
  const n = fs.length;
  const check = (v: unknown): ArrayLike<unknown> => {
    if (!Array.isArray(v) || v.length !== n) badValue(`a tuple (array of ${n})`, v);
    return v;
  };
  return composite(t, {
    load(cx, p) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = fs[i]!.load(cx, p + offs[i]!);
      return a;
    },
    store(cx, v, p) {
      const a = check(v);
      for (let i = 0; i < n; i++) fs[i]!.store(cx, a[i], p + offs[i]!);
    },
    liftFlat(cx) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = fs[i]!.liftFlat(cx);
      return a;
    },
    lowerFlat(cx, v, out) {
      const a = check(v);
      for (let i = 0; i < n; i++) fs[i]!.lowerFlat(cx, a[i], out);
    },
  });
}
