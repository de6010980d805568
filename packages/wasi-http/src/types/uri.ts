// The request line's parts as wasi:http/types@0.3.0 holds them: `method` and `scheme` variants,
// and the syntax checks of their setters (RFC 9110 methods, RFC 3986 schemes, authorities and
// path-and-query).

import { isToken } from './fields.ts';

export type Method =
  | { tag: 'get' }
  | { tag: 'head' }
  | { tag: 'post' }
  | { tag: 'put' }
  | { tag: 'delete' }
  | { tag: 'connect' }
  | { tag: 'options' }
  | { tag: 'trace' }
  | { tag: 'patch' }
  | { tag: 'other'; val: string };

export type Scheme = { tag: 'HTTP' } | { tag: 'HTTPS' } | { tag: 'other'; val: string };

const METHODS = ['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch'] as const;
const BY_NAME: ReadonlyMap<string, Method> = new Map(METHODS.map((m) => [m.toUpperCase(), { tag: m }]));
const NAMED: ReadonlySet<string> = new Set(METHODS);

/**
 * A method as the request keeps it, or undefined if it is not valid: `other` must be a token,
 * and `other` spelling a named method (`'GET'`) is that method (methods are case-sensitive:
 * `'get'` stays `other`).
 */
export function normalMethod(m: Method): Method | undefined {
  const tag = (m as { tag?: unknown })?.tag;
  if (typeof tag !== 'string') return undefined;
  if (NAMED.has(tag)) return { tag } as Method;
  if (tag !== 'other') return undefined;
  const name = (m as { val?: unknown }).val;
  if (typeof name !== 'string' || !isToken(name)) return undefined;
  const named = BY_NAME.get(name);
  return named !== undefined ? { ...named } : { tag: 'other', val: name };
}

/** The method as the host writes it: 'GET', 'POST', ... or the `other` token. */
export function methodName(m: Method): string {
  return m.tag === 'other' ? m.val : m.tag.toUpperCase();
}

/** A host's method string as the variant. */
export function methodOf(name: string): Method {
  const named = BY_NAME.get(name);
  return named !== undefined ? { ...named } : { tag: 'other', val: name };
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** A scheme as the request keeps it (RFC 3986 syntax; `other('https')` is HTTPS), or undefined. */
export function normalScheme(s: Scheme): Scheme | undefined {
  const tag = (s as { tag?: unknown })?.tag;
  if (tag === 'HTTP' || tag === 'HTTPS') return { tag };
  if (tag !== 'other') return undefined;
  const name = (s as { val?: unknown }).val;
  if (typeof name !== 'string' || !SCHEME.test(name)) return undefined;
  return schemeOf(name);
}

/** The scheme as the host writes it: 'http', 'https' or the other scheme (lower-cased). */
export function schemeName(s: Scheme): string {
  return s.tag === 'other' ? s.val.toLowerCase() : s.tag.toLowerCase();
}

/** A host's scheme string as the variant (schemes are case-insensitive). */
export function schemeOf(name: string): Scheme {
  const lower = name.toLowerCase();
  if (lower === 'http') return { tag: 'HTTP' };
  if (lower === 'https') return { tag: 'HTTPS' };
  return { tag: 'other', val: name };
}

// RFC 3986: unreserved / sub-delims, the characters a reg-name and userinfo may hold besides
// pct-encoded octets (and ':' in userinfo).
const REG = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=")
  REG[c.charCodeAt(0)] = 1;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Every character is unreserved, a sub-delim, a %HH escape, or one of `extra`. */
function isPctText(s: string, extra: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (c >= 128 || (REG[c] === 0 && !extra.includes(s[i]!))) return false;
  }
  return true;
}

/** An IPv6 (or IPvFuture) literal's inside: hex digits, ':' and '.', at least one ':'. */
function isIpLiteral(s: string): boolean {
  if (/^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/.test(s)) return true;
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':') || s.length > 45) return false;
  const doubles = s.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = s.split(':');
  return groups.every((g) => g.length <= 4 || (g.includes('.') && /^\d{1,3}(\.\d{1,3}){3}$/.test(g)));
}

/**
 * RFC 3986 `authority`: `[userinfo "@"] host [":" port]`, with a non-empty host (a reg-name or
 * a bracketed IP literal) and, if a ':' follows the host, a port of 0..65535.
 */
export function isAuthority(a: string): boolean {
  if (typeof a !== 'string') return false;
  const at = a.lastIndexOf('@');
  if (at >= 0 && !isPctText(a.slice(0, at), ':')) return false;
  const hostPort = a.slice(at + 1);
  let host: string;
  let rest: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0 || !isIpLiteral(hostPort.slice(1, close))) return false;
    host = hostPort.slice(0, close + 1);
    rest = hostPort.slice(close + 1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    rest = colon < 0 ? '' : hostPort.slice(colon);
    if (host.length === 0 || !isPctText(host, '')) return false;
  }
  if (rest === '') return true;
  if (!rest.startsWith(':')) return false;
  const port = rest.slice(1);
  return /^\d{1,5}$/.test(port) && Number(port) <= 65535;
}

/**
 * A path-and-query as the request keeps it ('' is '/'), or undefined if it holds what no
 * request target may: controls, space, DEL, '<', '>', '`' or a '#' fragment. Like most HTTP
 * stacks, raw UTF-8 and the characters clients commonly leave unescaped ('"', '{', '}', '|',
 * '\\', '^', '[', ']') are accepted.
 */
export function normalPathWithQuery(p: string): string | undefined {
  if (typeof p !== 'string') return undefined;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x60 || c === 0x23) return undefined;
  }
  return p === '' ? '/' : p;
}
