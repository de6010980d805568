// wasi:http/types@0.3.0 `fields` (headers and trailers). Names are RFC 9110 tokens, compared
// case-insensitively and kept lower-cased (as Wasmtime does, and as the wasi-testsuite checks);
// values are bytes without control characters other than HTAB. A name keeps the position of its
// first value, as an HTTP field map does. A few hop-by-hop names are forbidden to guests.

import type { FieldList } from '../host.ts';
import { headerError } from './errors.ts';

/** Most bytes one `fields` may hold: each name and value counts its length plus FIELD_OVERHEAD. */
export const FIELDS_SIZE_LIMIT = 128 * 1024;
/** What each name and each value costs besides its bytes, so empty values count too. */
export const FIELD_OVERHEAD = 32;

/**
 * Names a guest may not set, append, delete or read back from the host (the hop-by-hop
 * fields a connection owns, and `host`, which the request's authority gives). Wasmtime's list.
 */
export const FORBIDDEN_FIELDS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
]);

const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[c.charCodeAt(0)] = 1;

/** RFC 9110 `token`: one or more tchars (the syntax of field names and methods). */
export function isToken(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/** A field value's bytes: anything but NUL, CR, LF and the other controls (HTAB is allowed). */
export function isFieldValue(v: Uint8Array): boolean {
  if (!(v instanceof Uint8Array)) return false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if ((b < 0x20 && b !== 0x09) || b === 0x7f) return false;
  }
  return true;
}

/** `content-length` must be 1*DIGIT (RFC 9110 8.6), not whatever a number parser takes. */
function isContentLength(v: Uint8Array): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (v[i]! < 0x30 || v[i]! > 0x39) return false;
  return true;
}

function valueSize(values: readonly Uint8Array[]): number {
  let n = 0;
  for (const v of values) n += v.length + FIELD_OVERHEAD;
  return n;
}

/** A valid name, lower-cased; throws `invalid-syntax` (or `forbidden`) otherwise. */
function checkedName(name: string, forbid: boolean): string {
  if (!isToken(name)) throw headerError('invalid-syntax');
  const key = name.toLowerCase();
  if (forbid && FORBIDDEN_FIELDS.has(key)) throw headerError('forbidden');
  return key;
}

function checkValue(key: string, v: Uint8Array): void {
  if (!isFieldValue(v)) throw headerError('invalid-syntax');
  if (key === 'content-length' && !isContentLength(v)) throw headerError('invalid-syntax');
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw headerError('invalid-syntax');
}

/**
 * The `fields` resource. A `fields` made by its constructor, `fromList` or `clone` is mutable;
 * one attached to a request or response (and every `fields` the host hands out, such as
 * `getHeaders()` and trailers) is immutable: `set`, `append`, `delete` and `getAndDelete` fail
 * with `immutable`.
 */
export class Fields {
  /** name (lower-case) → its values, in the order names were first added. */
  #map: Map<string, Uint8Array[]>;
  #size: number;
  #immutable = false;
  /** Shared with other immutable views of the same entries: copy before any change. */
  #shared = false;

  constructor() {
    this.#map = new Map();
    this.#size = 0;
  }

  /** A mutable `fields` of `entries`; fails with the first entry's error. */
  static fromList(entries: Iterable<[string, Uint8Array]>): Fields {
    const f = new Fields();
    for (const [name, value] of entries) f.append(name, value);
    return f;
  }

  /** The values of `name` in order (none for an absent or invalid name). */
  get(name: string): Uint8Array[] {
    if (!isToken(name)) return [];
    const values = this.#map.get(name.toLowerCase());
    return values === undefined ? [] : values.slice();
  }

  /** Whether `name` has values (false for an invalid name). */
  has(name: string): boolean {
    return isToken(name) && this.#map.has(name.toLowerCase());
  }

  /** Replaces the values of `name` (none removes it). */
  set(name: string, values: Uint8Array[]): void {
    const key = checkedName(name, true);
    this.#mutable();
    const vs = Array.from(values, bytesOf);
    for (const v of vs) checkValue(key, v);
    const old = this.#map.get(key);
    const oldSize = old === undefined ? 0 : valueSize(old) + key.length + FIELD_OVERHEAD;
    const newSize = vs.length === 0 ? 0 : valueSize(vs) + key.length + FIELD_OVERHEAD;
    const size = this.#size - oldSize + newSize;
    if (size > FIELDS_SIZE_LIMIT) throw headerError('size-exceeded');
    this.#own();
    if (vs.length === 0) this.#map.delete(key);
    else this.#map.set(key, vs);
    this.#size = size;
  }

  /** Removes every value of `name` (nothing if absent). */
  delete(name: string): void {
    this.getAndDelete(name);
  }

  /** Removes every value of `name` and returns them. */
  getAndDelete(name: string): Uint8Array[] {
    const key = checkedName(name, true);
    this.#mutable();
    const old = this.#map.get(key);
    if (old === undefined) return [];
    this.#own();
    this.#map.delete(key);
    this.#size -= valueSize(old) + key.length + FIELD_OVERHEAD;
    return old;
  }

  /** Adds a value after the existing values of `name`. */
  append(name: string, value: Uint8Array): void {
    const key = checkedName(name, true);
    this.#mutable();
    const v = bytesOf(value);
    checkValue(key, v);
    const old = this.#map.get(key);
    const size = this.#size + v.length + FIELD_OVERHEAD + (old === undefined ? key.length + FIELD_OVERHEAD : 0);
    if (size > FIELDS_SIZE_LIMIT) throw headerError('size-exceeded');
    this.#own();
    const values = this.#map.get(key);
    if (values === undefined) this.#map.set(key, [v]);
    else values.push(v);
    this.#size = size;
  }

  /** Every name and value, a name's values together, names in the order they were first added. */
  copyAll(): [string, Uint8Array][] {
    const out: [string, Uint8Array][] = [];
    for (const [name, values] of this.#map) for (const v of values) out.push([name, v]);
    return out;
  }

  /** A mutable deep copy. */
  clone(): Fields {
    const f = new Fields();
    for (const [name, values] of this.#map) f.#map.set(name, values.slice());
    f.#size = this.#size;
    return f;
  }

  /** Whether `set`, `append`, `delete` and `getAndDelete` fail with `immutable`. */
  get immutable(): boolean {
    return this.#immutable;
  }

  /**
   * Host side: immutable fields from a host's list (as an incoming request's headers or a
   * response's trailers): forbidden names and entries that are not valid fields are left out.
   */
  static fromHost(list: FieldList): Fields {
    const f = new Fields();
    for (const [name, value] of list) {
      if (!isToken(name) || !isFieldValue(value)) continue;
      const key = name.toLowerCase();
      if (FORBIDDEN_FIELDS.has(key)) continue;
      const values = f.#map.get(key);
      if (values === undefined) {
        f.#map.set(key, [value]);
        f.#size += key.length + FIELD_OVERHEAD;
      } else values.push(value);
      f.#size += value.length + FIELD_OVERHEAD;
    }
    f.#immutable = true;
    return f;
  }

  /** Host side: the entries as a FieldList (names lower-case). */
  toHost(): FieldList {
    return this.copyAll();
  }

  /** @internal Makes these fields immutable (they were attached to a request or response). */
  freeze(): this {
    this.#immutable = true;
    return this;
  }

  /** @internal An immutable view of the same entries (what `getHeaders()` hands out). */
  view(): Fields {
    const f = new Fields();
    f.#map = this.#map;
    f.#size = this.#size;
    f.#immutable = true;
    f.#shared = this.#shared = true;
    return f;
  }

  #mutable(): void {
    if (this.#immutable) throw headerError('immutable');
  }

  /** Before a change: the map must be this object's alone. */
  #own(): void {
    if (!this.#shared) return;
    const m = new Map<string, Uint8Array[]>();
    for (const [name, values] of this.#map) m.set(name, values.slice());
    this.#map = m;
    this.#shared = false;
  }
}
