// wasi:http `error-code` values as they cross into a guest: whatever a host rejects with becomes
// a well-formed case (an unknown tag or a malformed payload would otherwise trap the guest when
// lowered), and the `result`-typed resource methods fail with ComponentError.

import { ComponentError } from '@weft/core';
import { type ErrorCode, HttpError } from '../host.ts';

type Payload = 'none' | 'dns' | 'tls' | 'u64?' | 'u32?' | 'field-size?' | 'field-size' | 'string?';

/** Every case of `error-code` (wasi:http@0.3.0) and the shape of its payload. */
const CASES: ReadonlyMap<string, Payload> = new Map<string, Payload>([
  ['DNS-timeout', 'none'],
  ['DNS-error', 'dns'],
  ['destination-not-found', 'none'],
  ['destination-unavailable', 'none'],
  ['destination-IP-prohibited', 'none'],
  ['destination-IP-unroutable', 'none'],
  ['connection-refused', 'none'],
  ['connection-terminated', 'none'],
  ['connection-timeout', 'none'],
  ['connection-read-timeout', 'none'],
  ['connection-write-timeout', 'none'],
  ['connection-limit-reached', 'none'],
  ['TLS-protocol-error', 'none'],
  ['TLS-certificate-error', 'none'],
  ['TLS-alert-received', 'tls'],
  ['HTTP-request-denied', 'none'],
  ['HTTP-request-length-required', 'none'],
  ['HTTP-request-body-size', 'u64?'],
  ['HTTP-request-method-invalid', 'none'],
  ['HTTP-request-URI-invalid', 'none'],
  ['HTTP-request-URI-too-long', 'none'],
  ['HTTP-request-header-section-size', 'u32?'],
  ['HTTP-request-header-size', 'field-size?'],
  ['HTTP-request-trailer-section-size', 'u32?'],
  ['HTTP-request-trailer-size', 'field-size'],
  ['HTTP-response-incomplete', 'none'],
  ['HTTP-response-header-section-size', 'u32?'],
  ['HTTP-response-header-size', 'field-size'],
  ['HTTP-response-body-size', 'u64?'],
  ['HTTP-response-trailer-section-size', 'u32?'],
  ['HTTP-response-trailer-size', 'field-size'],
  ['HTTP-response-transfer-coding', 'string?'],
  ['HTTP-response-content-coding', 'string?'],
  ['HTTP-response-timeout', 'none'],
  ['HTTP-upgrade-failed', 'none'],
  ['HTTP-protocol-error', 'none'],
  ['loop-detected', 'none'],
  ['configuration-error', 'none'],
  ['internal-error', 'string?'],
]);

/** The `error-code` case names. */
export const ERROR_CODE_TAGS: readonly string[] = [...CASES.keys()];

function get(o: unknown, key: string): unknown {
  try {
    return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function uint(v: unknown, max: number): number | undefined {
  if (typeof v === 'bigint') v = v <= BigInt(max) && v >= 0n ? Number(v) : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
}

function u64(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return typeof v === 'bigint' && v >= 0n && v < 1n << 64n ? v : undefined;
}

function fieldSize(v: unknown): { fieldName: string | undefined; fieldSize: number | undefined } {
  return { fieldName: str(get(v, 'fieldName')), fieldSize: uint(get(v, 'fieldSize'), 0xffff_ffff) };
}

function safeMessage(e: unknown): string {
  try {
    if (e instanceof Error) return e.message || e.name;
    return typeof e === 'string' ? e : String(e);
  } catch {
    return 'unknown error';
  }
}

/**
 * `code` as a well-formed `error-code`: a known tag with its payload in the WIT's shape (a
 * missing or malformed payload becomes empty); anything else is `internal-error`.
 */
export function errorCode(code: unknown): ErrorCode {
  const tag = get(code, 'tag');
  const shape = typeof tag === 'string' ? CASES.get(tag) : undefined;
  if (shape === undefined) {
    const what = typeof tag === 'string' ? `unknown error-code ${tag}` : safeMessage(code);
    return { tag: 'internal-error', val: what };
  }
  const val = get(code, 'val');
  switch (shape) {
    case 'none':
      return { tag: tag as string };
    case 'dns':
      return { tag: 'DNS-error', val: { rcode: str(get(val, 'rcode')), infoCode: uint(get(val, 'infoCode'), 0xffff) } };
    case 'tls':
      return {
        tag: 'TLS-alert-received',
        val: { alertId: uint(get(val, 'alertId'), 0xff), alertMessage: str(get(val, 'alertMessage')) },
      };
    case 'u64?':
      return { tag: tag as string, val: u64(val) };
    case 'u32?':
      return { tag: tag as string, val: uint(val, 0xffff_ffff) };
    case 'field-size?':
      return { tag: tag as string, val: val === undefined || val === null ? undefined : fieldSize(val) };
    case 'field-size':
      return { tag: tag as string, val: fieldSize(val) };
    case 'string?':
      return { tag: tag as string, val: str(val) };
  }
}

/**
 * The `error-code` a failure stands for: an HttpError's code, a ComponentError's payload, an
 * object that is itself an error-code; any other failure (a trap, a bug) is `internal-error`
 * with its message.
 */
export function toErrorCode(e: unknown): ErrorCode {
  try {
    if (e instanceof HttpError) return errorCode(e.code);
    if (e instanceof ComponentError) return errorCode(e.payload);
  } catch {
    // a value that cannot be looked at (a revoked Proxy): below, as any other failure
  }
  const code = get(e, 'code');
  if (typeof get(code, 'tag') === 'string') return errorCode(code);
  if (typeof get(e, 'tag') === 'string') return errorCode(e);
  return { tag: 'internal-error', val: safeMessage(e) };
}

/** `e` as an HttpError (the host side's failures). */
export function toHttpError(e: unknown): HttpError {
  try {
    if (e instanceof HttpError) return e;
  } catch {
    // not one
  }
  return new HttpError(toErrorCode(e), safeMessage(e));
}

/** A `result<_, error-code>` failure for the guest: its `payload` is the code. */
export function codeError(code: ErrorCode): ComponentError {
  return new ComponentError(code);
}

export type HeaderError =
  | { tag: 'invalid-syntax' }
  | { tag: 'forbidden' }
  | { tag: 'immutable' }
  | { tag: 'size-exceeded' }
  | { tag: 'other'; val: string | undefined };

export type RequestOptionsError = { tag: 'not-supported' } | { tag: 'immutable' } | { tag: 'other'; val?: string };

/** A `header-error` failure of a `fields` method. */
export function headerError(tag: 'invalid-syntax' | 'forbidden' | 'immutable' | 'size-exceeded'): ComponentError {
  return new ComponentError({ tag } satisfies HeaderError);
}

/** The failure of a `result` with no error payload (`set-method`, `set-status-code`, ...). */
export function invalid(): ComponentError {
  return new ComponentError(undefined);
}
