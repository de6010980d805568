// Codecs of the scalar types: bool, the integers, the floats and char
// (load/store/lift_flat/lower_flat of definitions.py, with the JS value
// checks of DESIGN.md's conventions).

import { Trap } from '../../host/errors.ts';
import type { ValType } from '../../types/model.ts';
import { badValue } from '../../runtime/errors.ts';
import { type Codec, scalar } from './codec.ts';

function checkInt(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    badValue(`${what} (an integer in ${lo}..${hi})`, v);
  return v;
}

function checkBig(v: unknown, lo: bigint, hi: bigint, what: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else badValue(`${what} (a bigint)`, v);
  if (b < lo || b > hi) badValue(`${what} in ${lo}..${hi}`, v);
  return b;
}

function checkBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  badValue('a boolean', v);
}

function checkNum(v: unknown, what: string): number {
  if (typeof v !== 'number') badValue(`${what} (a number)`, v);
  return v;
}

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const CANONICAL_F32_NAN = 0x7fc00000;
const CANONICAL_F64_NAN = 0x7ff8000000000000n;

/** convert_i32_to_char */
function toChar(i: number): string {
  i >>>= 0;
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) throw new Trap('invalid `char` bit pattern');
  return String.fromCodePoint(i);
}

function charToI32(v: unknown): number {
  if (typeof v === 'string' && v.length > 0 && v.length <= 2) {
    const cp = v.codePointAt(0)!;
    if ((cp < 0x10000 ? 1 : 2) === v.length && (cp < 0xd800 || cp > 0xdfff)) return cp;
  }
  badValue('a char (a string of one Unicode scalar value)', v);
}

const canonF = (x: number) => (x !== x ? NaN : x);

export function scalarCodec(t: ValType): Codec | undefined {
  switch (t.kind) {
    case 'bool':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint8(p) !== 0,
        (cx, v, p) => cx.dv.setUint8(p, checkBool(v) ? 1 : 0),
        (_cx, x) => x !== 0,
        (_cx, v) => (checkBool(v) ? 1 : 0),
      );
    case 'u8':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint8(p),
        (cx, v, p) => cx.dv.setUint8(p, checkInt(v, 0, 0xff, 'u8')),
        (_cx, x) => x & 0xff,
        (_cx, v) => checkInt(v, 0, 0xff, 'u8'),
      );
    case 's8':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt8(p),
        (cx, v, p) => cx.dv.setInt8(p, checkInt(v, -0x80, 0x7f, 's8')),
        (_cx, x) => (x << 24) >> 24,
        (_cx, v) => checkInt(v, -0x80, 0x7f, 's8'),
      );
    case 'u16':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint16(p, true),
        (cx, v, p) => cx.dv.setUint16(p, checkInt(v, 0, 0xffff, 'u16'), true),
        (_cx, x) => x & 0xffff,
        (_cx, v) => checkInt(v, 0, 0xffff, 'u16'),
      );
    case 's16':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt16(p, true),
        (cx, v, p) => cx.dv.setInt16(p, checkInt(v, -0x8000, 0x7fff, 's16'), true),
        (_cx, x) => (x << 16) >> 16,
        (_cx, v) => checkInt(v, -0x8000, 0x7fff, 's16'),
      );
    case 'u32':
      return scalar(
        t,
        (cx, p) => cx.dv.getUint32(p, true),
        (cx, v, p) => cx.dv.setUint32(p, checkInt(v, 0, 0xffff_ffff, 'u32'), true),
        (_cx, x) => x >>> 0,
        (_cx, v) => checkInt(v, 0, 0xffff_ffff, 'u32'),
      );
    case 's32':
      return scalar(
        t,
        (cx, p) => cx.dv.getInt32(p, true),
        (cx, v, p) => cx.dv.setInt32(p, checkInt(v, -0x8000_0000, 0x7fff_ffff, 's32'), true),
        (_cx, x) => x | 0,
        (_cx, v) => checkInt(v, -0x8000_0000, 0x7fff_ffff, 's32'),
      );
    case 'u64':
      return scalar(
        t,
        (cx, p) => cx.dv.getBigUint64(p, true),
        (cx, v, p) => cx.dv.setBigUint64(p, checkBig(v, 0n, U64_MAX, 'u64'), true),
        (_cx, x) => BigInt.asUintN(64, x),
        (_cx, v) => checkBig(v, 0n, U64_MAX, 'u64'),
      );
    case 's64':
      return scalar(
        t,
        (cx, p) => cx.dv.getBigInt64(p, true),
        (cx, v, p) => cx.dv.setBigInt64(p, checkBig(v, S64_MIN, S64_MAX, 's64'), true),
        (_cx, x) => BigInt.asIntN(64, x),
        (_cx, v) => checkBig(v, S64_MIN, S64_MAX, 's64'),
      );
    case 'f32':
      return scalar(
        t,
        (cx, p) => canonF(cx.dv.getFloat32(p, true)),
        (cx, v, p) => {
          const f = checkNum(v, 'f32');
          if (f !== f) cx.dv.setUint32(p, CANONICAL_F32_NAN, true);
          else cx.dv.setFloat32(p, f, true);
        },
        (_cx, x) => canonF(x),
        (_cx, v) => canonF(checkNum(v, 'f32')),
      );
    case 'f64':
      return scalar(
        t,
        (cx, p) => canonF(cx.dv.getFloat64(p, true)),
        (cx, v, p) => {
          const f = checkNum(v, 'f64');
          if (f !== f) cx.dv.setBigUint64(p, CANONICAL_F64_NAN, true);
          else cx.dv.setFloat64(p, f, true);
        },
        (_cx, x) => canonF(x),
        (_cx, v) => canonF(checkNum(v, 'f64')),
      );
    case 'char':
      return scalar(
        t,
        (cx, p) => toChar(cx.dv.getUint32(p, true)),
        (cx, v, p) => cx.dv.setUint32(p, charToI32(v), true),
        (_cx, x) => toChar(x),
        (_cx, v) => charToI32(v),
      );
    default:
      return undefined;
  }
}
