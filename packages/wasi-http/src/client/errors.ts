// What went wrong on the wire, as a wasi:http `error-code`. The cases follow Wasmtime's default
// client (crates/wasi-http: its connect, TLS and hyper error hooks), made more precise where
// Node tells us more than tokio does (a certificate failure, a received TLS alert, an
// unreachable address). The table is in the README's "Client" section.

import { type ErrorCode, HttpError } from '../host.ts';

/** Where the exchange was when it failed: before the response head arrived, or in its body. */
export type Phase = 'request' | 'response';

// Certificate verification failures (OpenSSL's X509_V_ERR_* names as Node spells them, and
// Node's own host-name check).
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

// getaddrinfo failures. Wasmtime reports every failed lookup as DNS-error with this rcode.
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'EAI_ADDRFAMILY']);

// The connection went away under us.
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

const ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_/;

function code(tag: string, val?: unknown): ErrorCode {
  return val === undefined ? { tag } : { tag, val };
}

/** The `error-code` for a failure of undici, Node's sockets, DNS or TLS. */
export function errorCodeOf(err: unknown, phase: Phase): ErrorCode {
  if (err instanceof HttpError) return err.code;
  if (err instanceof AggregateError && err.errors.length > 0 && !(err as { code?: unknown }).code) {
    // Happy eyeballs tried several addresses; every attempt failed. Report the first.
    return errorCodeOf(err.errors[0], phase);
  }
  const e = (err ?? {}) as { code?: unknown; name?: unknown; message?: unknown; syscall?: unknown; reason?: unknown };
  const c = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);

  if (DNS_CODES.has(c)) return code('DNS-error', { rcode: 'address not available', infoCode: undefined });
  if (c === 'ECONNREFUSED') return code('connection-refused');
  if (c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ERR_TLS_HANDSHAKE_TIMEOUT') return code('connection-timeout');
  if (c === 'ETIMEDOUT') return code(phase === 'request' ? 'connection-timeout' : 'HTTP-response-incomplete');
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'ENETDOWN') return code('destination-IP-unroutable');
  if (c === 'EHOSTDOWN') return code('destination-unavailable');
  // undici's first-byte (headersTimeout) and between-bytes (bodyTimeout) timers: Wasmtime
  // reports both as connection-read-timeout.
  if (c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT') return code('connection-read-timeout');
  if (c === 'UND_ERR_HEADERS_OVERFLOW' || c === 'HPE_HEADER_OVERFLOW') {
    return code('HTTP-response-header-section-size', undefined);
  }
  if (c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return code('HTTP-response-incomplete');
  if (c === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return code('HTTP-response-body-size', undefined);
  if (c === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') return code('HTTP-request-body-size', undefined);
  if (CERTIFICATE_CODES.has(c)) return code('TLS-certificate-error');
  if (ALERT.test(c)) {
    const id = /SSL alert number (\d+)/.exec(message);
    return code('TLS-alert-received', {
      alertId: id ? Number(id[1]) : undefined,
      alertMessage: typeof e.reason === 'string' ? e.reason : undefined,
    });
  }
  if (c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_')) return code('TLS-protocol-error');
  if (LOST_CODES.has(c)) {
    // Before the response head: the connection ended under the request. In the body: the
    // response is cut short.
    return code(phase === 'request' ? 'connection-terminated' : 'HTTP-response-incomplete');
  }
  if (e.name === 'HTTPParserError' || c.startsWith('HPE_')) return code('HTTP-protocol-error');
  // undici refusing what it was asked to send: Wasmtime's answer to an unsendable request.
  if (c === 'UND_ERR_INVALID_ARG' || c === 'UND_ERR_NOT_SUPPORTED') return code('HTTP-protocol-error');
  // Any other failure to connect: Wasmtime's default for connect errors.
  if (e.syscall === 'connect') return code('connection-refused');
  if (c === 'UND_ERR_ABORTED' || c === 'UND_ERR_ABORT' || e.name === 'AbortError') {
    return code('internal-error', 'request aborted');
  }
  const cause = (err as { cause?: unknown })?.cause;
  if (cause !== undefined && cause !== err && !c) return errorCodeOf(cause, phase);
  return code('internal-error', message);
}

/** `err` as an HttpError (itself if it already is one). */
export function toHttpError(err: unknown, phase: Phase): HttpError {
  if (err instanceof HttpError) return err;
  const c = errorCodeOf(err, phase);
  const why = err instanceof Error ? err.message : String(err);
  return new HttpError(c, `${c.tag}: ${why}`);
}
