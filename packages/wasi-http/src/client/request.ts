// A HostRequest checked and turned into what undici dispatches, before anything touches the
// network: the origin from scheme and authority, the request target, the method, the headers
// as latin1 strings (so every byte of a field value goes out as it came), and the declared
// content length.

import { type FieldList, type HostRequest, HttpError } from '../host.ts';

export interface Target {
  /** `scheme://host[:port]`, as undici keys its connection pools. */
  origin: string;
  /** The request target: path and query, starting with '/'. */
  path: string;
  method: string;
  /** Flat `[name, value, name, value, ...]`, values as latin1 strings. */
  headers: string[];
  /** The `content-length` the request declares, if it does. */
  contentLength: number | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A field value as undici (and RFC 9110) accept it: no control characters but tab.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// A request target: visible ASCII only (as the http crate's PathAndQuery).
const TARGET = /^[\x21-\x7e]*$/;

/**
 * Headers the client never forwards: the connection's own (hop-by-hop) fields, which undici
 * writes itself or refuses, and `host`, which comes from the authority (as Wasmtime sets it).
 * `expect` is dropped too: undici cannot wait for a 100-continue on HTTP/1.1, and sends the
 * body straight away.
 */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
  'expect',
]);

function invalid(tag: string, message: string, val?: unknown): HttpError {
  return new HttpError(val === undefined ? { tag } : { tag, val }, `${tag}: ${message}`);
}

/** Bytes to a string of the same code units (0-255), the way undici writes header strings. */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** The bytes of a latin1 string (its code units, each < 256). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Checks a field list, returning its entries as [lower-case name, latin1 value]. */
export function fieldStrings(fields: FieldList, what: 'header' | 'trailer'): [string, string][] {
  const out: [string, string][] = [];
  for (const [rawName, rawValue] of fields) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) throw invalid('HTTP-protocol-error', `invalid ${what} name ${JSON.stringify(rawName)}`);
    const value = latin1(rawValue);
    if (!FIELD_VALUE.test(value)) throw invalid('HTTP-protocol-error', `invalid value for ${what} ${rawName}`);
    out.push([name, value]);
  }
  return out;
}

/** The scheme the request names, or the client's default when it names none. */
function schemeOf(request: HostRequest, defaultScheme: string): string {
  const scheme = (request.scheme ?? defaultScheme).toLowerCase();
  // Wasmtime's is_supported_scheme: anything else is an HTTP-protocol-error.
  if (scheme !== 'http' && scheme !== 'https') {
    throw invalid('HTTP-protocol-error', `unsupported scheme ${JSON.stringify(request.scheme)}`);
  }
  return scheme;
}

function originOf(scheme: string, authority: string | undefined): string {
  if (authority === undefined || authority === '') {
    throw invalid('HTTP-request-URI-invalid', 'the request has no authority');
  }
  // host[:port] only: no user info, path, query, fragment or white space.
  if (/[@/?#\\\s]/.test(authority)) {
    throw invalid('HTTP-request-URI-invalid', `invalid authority ${JSON.stringify(authority)}`);
  }
  let url: URL;
  try {
    url = new URL(`${scheme}://${authority}`);
  } catch {
    throw invalid('HTTP-request-URI-invalid', `invalid authority ${JSON.stringify(authority)}`);
  }
  if (url.hostname === '') throw invalid('HTTP-request-URI-invalid', `invalid authority ${JSON.stringify(authority)}`);
  return url.origin;
}

function pathOf(pathWithQuery: string | undefined): string {
  // `none` is an empty path and query (wasi:http's documentation, WASI issue 949): '/'.
  let path = pathWithQuery ?? '';
  if (path === '' || path.startsWith('?')) path = `/${path}`;
  if (!path.startsWith('/') || !TARGET.test(path)) {
    throw invalid('HTTP-request-URI-invalid', `invalid path and query ${JSON.stringify(pathWithQuery)}`);
  }
  return path;
}

/** Checks `request` and works out what to dispatch. Throws an HttpError for what cannot be sent. */
export function targetOf(request: HostRequest, defaultScheme: string): Target {
  const method = request.method;
  if (!TOKEN.test(method)) throw invalid('HTTP-request-method-invalid', `invalid method ${JSON.stringify(method)}`);
  // A tunnel is not a request/response exchange (undici refuses it, hyper fails it for Wasmtime).
  if (method.toUpperCase() === 'CONNECT') throw invalid('HTTP-protocol-error', 'CONNECT is not supported');
  const origin = originOf(schemeOf(request, defaultScheme), request.authority);
  const path = pathOf(request.pathWithQuery);

  const headers: string[] = [];
  let contentLength: number | undefined;
  for (const [name, value] of fieldStrings(request.headers, 'header')) {
    if (DROPPED.has(name)) continue;
    if (name === 'content-length') {
      if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw invalid('HTTP-protocol-error', `invalid content-length ${JSON.stringify(value)}`);
      }
      const n = Number(value);
      if (contentLength !== undefined && contentLength !== n) {
        throw invalid('HTTP-protocol-error', 'conflicting content-length headers');
      }
      if (contentLength !== undefined) continue;
      contentLength = n;
    }
    headers.push(name, value);
  }
  if (request.contents === undefined && contentLength !== undefined && contentLength > 0) {
    throw invalid('HTTP-request-body-size', `content-length ${contentLength} but no body`, 0n);
  }
  return { origin, path, method, headers, contentLength };
}
