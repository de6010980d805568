// Flat-value coercions of variant payloads (definitions.py join and
// lift_flat_variant / lower_flat_variant): a case's own core types are carried
// in the variant's joined core types.

import type { FlatType } from '../layout.ts';

// Bit reinterpretation for variant payload joins.
const scratch = new DataView(new ArrayBuffer(8));
function i32ToF32(x: number): number {
  scratch.setInt32(0, x, true);
  return scratch.getFloat32(0, true);
}
function f32ToI32(x: number): number {
  scratch.setFloat32(0, x, true);
  return scratch.getInt32(0, true);
}
function i64ToF64(x: bigint): number {
  scratch.setBigInt64(0, x, true);
  return scratch.getFloat64(0, true);
}
function f64ToI64(x: number): bigint {
  scratch.setFloat64(0, x, true);
  return scratch.getBigInt64(0, true);
}

export type Coerce = ((x: any) => any) | undefined;

/** lift_flat_variant's CoerceValueIter: joined core type → the case's own. */
export function liftCoercion(have: FlatType, want: FlatType): Coerce {
  if (have === want) return undefined;
  if (have === 'i32' && want === 'f32') return i32ToF32;
  if (have === 'i64' && want === 'i32') return (x: bigint) => Number(BigInt.asIntN(32, x));
  if (have === 'i64' && want === 'f32') return (x: bigint) => i32ToF32(Number(BigInt.asIntN(32, x)));
  if (have === 'i64' && want === 'f64') return i64ToF64;
  throw new Error(`no coercion ${have}→${want}`);
}

/** lower_flat_variant: the case's core type → joined. */
export function lowerCoercion(have: FlatType, want: FlatType): Coerce {
  if (have === want) return undefined;
  if (have === 'f32' && want === 'i32') return f32ToI32;
  if (have === 'i32' && want === 'i64') return (x: number) => BigInt(x >>> 0);
  if (have === 'f32' && want === 'i64') return (x: number) => BigInt(f32ToI32(x) >>> 0);
  if (have === 'f64' && want === 'i64') return f64ToI64;
  throw new Error(`no coercion ${have}→${want}`);
}
