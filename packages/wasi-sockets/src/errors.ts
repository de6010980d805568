// wasi:sockets `error-code` (types) and the lookup `error-code` (ip-name-lookup), thrown the
// project's way: a ComponentError whose payload is the variant value (`{ tag }`).

import { ComponentError } from '@weft/core';

export type ErrorCodeTag =
  | 'access-denied'
  | 'not-supported'
  | 'invalid-argument'
  | 'out-of-memory'
  | 'timeout'
  | 'invalid-state'
  | 'address-not-bindable'
  | 'address-in-use'
  | 'remote-unreachable'
  | 'connection-refused'
  | 'connection-broken'
  | 'connection-reset'
  | 'connection-aborted'
  | 'datagram-too-large';
export type ErrorCode = { tag: ErrorCodeTag } | { tag: 'other'; val?: string };

export type LookupErrorTag =
  | 'access-denied'
  | 'invalid-argument'
  | 'name-unresolvable'
  | 'temporary-resolver-failure'
  | 'permanent-resolver-failure';
export type LookupErrorCode = { tag: LookupErrorTag } | { tag: 'other'; val?: string };

/** The error a socket operation throws for `code`. */
export function socketError(code: ErrorCodeTag): ComponentError {
  return new ComponentError({ tag: code } satisfies ErrorCode);
}

/** Node errno codes to WASI's, per the POSIX equivalents the WIT lists. */
const ERRNO: Record<string, ErrorCodeTag> = {
  EACCES: 'access-denied',
  EPERM: 'access-denied',
  EOPNOTSUPP: 'not-supported',
  ENOTSUP: 'not-supported',
  ENOPROTOOPT: 'not-supported',
  EPFNOSUPPORT: 'not-supported',
  EPROTONOSUPPORT: 'not-supported',
  ESOCKTNOSUPPORT: 'not-supported',
  EINVAL: 'invalid-argument',
  EDESTADDRREQ: 'invalid-argument',
  EAFNOSUPPORT: 'invalid-argument',
  ENOMEM: 'out-of-memory',
  ENOBUFS: 'out-of-memory',
  // WASI 0.3 has no new-socket-limit (0.2 had): running out of descriptors is resource exhaustion.
  EMFILE: 'out-of-memory',
  ENFILE: 'out-of-memory',
  ETIMEDOUT: 'timeout',
  EADDRNOTAVAIL: 'address-not-bindable',
  EADDRINUSE: 'address-in-use',
  EHOSTUNREACH: 'remote-unreachable',
  EHOSTDOWN: 'remote-unreachable',
  ENETDOWN: 'remote-unreachable',
  ENETUNREACH: 'remote-unreachable',
  ENONET: 'remote-unreachable',
  ECONNREFUSED: 'connection-refused',
  EPIPE: 'connection-broken',
  ECONNRESET: 'connection-reset',
  ECONNABORTED: 'connection-aborted',
  EMSGSIZE: 'datagram-too-large',
  ERR_SOCKET_CLOSED: 'invalid-state',
  ERR_SOCKET_DGRAM_NOT_RUNNING: 'invalid-state',
  ERR_SOCKET_DGRAM_IS_CONNECTED: 'invalid-state',
  ERR_SOCKET_DGRAM_NOT_CONNECTED: 'invalid-state',
  ERR_STREAM_DESTROYED: 'connection-broken',
  ERR_STREAM_WRITE_AFTER_END: 'connection-broken',
};

/**
 * What the guest sees of a host failure: a ComponentError passes through (it already carries a
 * WASI code), a Node errno maps by ERRNO, anything else is `other` naming only the errno (never a
 * message, which may name host details).
 */
export function errorCodeOf(e: unknown): ErrorCode {
  if (e instanceof ComponentError) return e.payload as ErrorCode;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const tag = ERRNO[code];
    return tag === undefined ? { tag: 'other', val: code } : { tag };
  }
  return { tag: 'other', val: undefined };
}

/** `errorCodeOf` as the error to throw. */
export function toSocketError(e: unknown): ComponentError {
  return e instanceof ComponentError ? e : new ComponentError(errorCodeOf(e));
}

export function lookupError(code: LookupErrorTag): ComponentError {
  return new ComponentError({ tag: code } satisfies LookupErrorCode);
}

/** node:dns failures to the lookup error-code. */
const DNS: Record<string, LookupErrorTag> = {
  ENOTFOUND: 'name-unresolvable',
  ENODATA: 'name-unresolvable',
  EAI_NONAME: 'name-unresolvable',
  EAI_NODATA: 'name-unresolvable',
  EAI_ADDRFAMILY: 'name-unresolvable',
  ENONAME: 'name-unresolvable',
  EAI_AGAIN: 'temporary-resolver-failure',
  ETIMEOUT: 'temporary-resolver-failure',
  ECONNREFUSED: 'temporary-resolver-failure',
  ESERVFAIL: 'temporary-resolver-failure',
  EAI_FAIL: 'permanent-resolver-failure',
  EREFUSED: 'permanent-resolver-failure',
  EBADNAME: 'invalid-argument',
  EBADQUERY: 'invalid-argument',
  EINVAL: 'invalid-argument',
  EACCES: 'access-denied',
  EPERM: 'access-denied',
};

export function toLookupError(e: unknown): ComponentError {
  if (e instanceof ComponentError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const tag = typeof code === 'string' ? DNS[code] : undefined;
  return new ComponentError(
    tag === undefined
      ? ({ tag: 'other', val: typeof code === 'string' ? code : undefined } satisfies LookupErrorCode)
      : ({ tag } satisfies LookupErrorCode),
  );
}
