// Backend values as wasi:filesystem@0.3.0 sees them. In 0.3 `error-code` and `descriptor-type`
// are variants (each has an `other(option<string>)` case), so they cross as `{ tag }`.

import { ComponentError } from '@weft/core';
import { type DescriptorStat, type DescriptorType, type ErrorCode, errorCodeOf } from '../backend.ts';

export type DescriptorTypeP3 = { tag: Exclude<DescriptorType, 'unknown'> } | { tag: 'other'; val?: string };
export type ErrorCodeP3 = { tag: ErrorCode } | { tag: 'other'; val?: string };

export interface DescriptorStatP3 extends Omit<DescriptorStat, 'type'> {
  type: DescriptorTypeP3;
}

export function typeP3(t: DescriptorType): DescriptorTypeP3 {
  return t === 'unknown' ? { tag: 'other', val: undefined } : { tag: t };
}

export function statP3(s: DescriptorStat): DescriptorStatP3 {
  return { ...s, type: typeP3(s.type) };
}

/**
 * What the guest sees of a failure: an FsError's code. Anything else a (custom) backend throws
 * is reported as `io`, without its message (which may name host paths).
 */
export function errorP3(e: unknown): ComponentError {
  return new ComponentError({ tag: errorCodeOf(e) ?? 'io' } satisfies ErrorCodeP3);
}

/** Runs a backend call; its failure becomes the guest's `error-code`. */
export function fsCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errorP3(e);
  }
}
