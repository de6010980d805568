// Strings: load_string_from_range / store_string_into_range for the three
// guest encodings. The JS side is always a UTF-16 JS string, so stores follow
// the spec's "source is utf16" paths (store_utf16_to_utf8,
// store_string_copy utf16, store_string_to_latin1_or_utf16).

import { Trap } from '../host/errors.ts';
import type { LiftLowerContext } from './context.ts';
import { badValue } from '../runtime/errors.ts';
import { MAX_STRING_BYTE_LENGTH, UTF16_TAG } from './layout.ts';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Node's Buffer does UTF-8 length, write, validate and decode natively with
// far less per-call overhead than TextEncoder/TextDecoder; elsewhere (browsers)
// the TextEncoder/TextDecoder paths below serve.
type NodeBufferApi = {
  byteLength(s: string, enc: 'utf8'): number;
  from(b: ArrayBufferLike): {
    utf8Write(s: string, off: number, len: number): number;
    latin1Write(s: string, off: number, len: number): number;
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
  };
};
const nodeBuffer = (globalThis as unknown as { Buffer?: NodeBufferApi }).Buffer;
const nodeIsUtf8 = (
  globalThis as { process?: { getBuiltinModule?: (m: string) => { isUtf8?: (v: Uint8Array) => boolean } | undefined } }
).process?.getBuiltinModule?.('node:buffer')?.isUtf8;
/** A Buffer view over the context's memory, or undefined off Node. */
function bufferOf(cx: LiftLowerContext) {
  if (nodeBuffer === undefined) return undefined;
  if (cx.nodeBufferOf !== cx.buffer) {
    cx.nodeBufferOf = cx.buffer;
    cx.nodeBuffer = nodeBuffer.from(cx.buffer);
  }
  return cx.nodeBuffer as ReturnType<NodeBufferApi['from']>;
}
const utf16Decoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export function loadStringFromRange(cx: LiftLowerContext, ptr: number, tagged: number): string {
  let byteLength: number;
  let align: number;
  let enc: 0 | 1 | 2; // utf8, utf16, latin1
  switch (cx.encoding) {
    case 'utf8':
      align = 1;
      byteLength = tagged;
      enc = 0;
      break;
    case 'utf16':
      align = 2;
      byteLength = 2 * tagged;
      enc = 1;
      break;
    default:
      align = 2;
      if (tagged >= UTF16_TAG) {
        byteLength = 2 * (tagged - UTF16_TAG);
        enc = 1;
      } else {
        byteLength = tagged;
        enc = 2;
      }
  }
  if (byteLength > MAX_STRING_BYTE_LENGTH) {
    throw new Trap(cx.fused ? 'string content out-of-bounds' : 'string pointer/length out of bounds of memory');
  }
  cx.checkGuestRange(ptr, align, byteLength, 'string');
  // Its bytes in guest memory (the JS string of UTF-8 with non-Latin-1 characters may take twice).
  cx.charge(byteLength);
  if (byteLength === 0) return '';
  const u8 = cx.u8;
  if (enc === 2) {
    if (nodeBuffer !== undefined) return bufferOf(cx)!.latin1Slice(ptr, ptr + byteLength);
    return latin1(u8, ptr, byteLength);
  }
  if (enc === 0) {
    if (nodeBuffer !== undefined) {
      // One native decode. Node replaces invalid UTF-8 by U+FFFD, so only a
      // result holding one (rare: a real U+FFFD, or bad input) needs the exact check.
      const s = bufferOf(cx)!.utf8Slice(ptr, ptr + byteLength);
      if (s.indexOf('\uFFFD') !== -1) checkUtf8(u8.subarray(ptr, ptr + byteLength));
      return s;
    }
    // Short ASCII strings: a plain loop beats TextDecoder's call overhead.
    if (byteLength <= 32) {
      let s = '';
      let i = 0;
      for (; i < byteLength; i++) {
        const b = u8[ptr + i]!;
        if (b >= 0x80) break;
        s += String.fromCharCode(b);
      }
      if (i === byteLength) return s;
    }
    const bytes = sliceForDecode(cx, ptr, byteLength);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw new Trap(utf8Error(bytes) ?? 'invalid utf-8');
    }
  }
  try {
    return utf16Decoder.decode(sliceForDecode(cx, ptr, byteLength));
  } catch {
    throw new Trap('invalid utf-16: unpaired surrogate');
  }
}

function sliceForDecode(cx: LiftLowerContext, ptr: number, len: number): Uint8Array {
  // TextDecoder refuses views of a SharedArrayBuffer: copy those.
  return cx.buffer instanceof ArrayBuffer ? cx.u8.subarray(ptr, ptr + len) : cx.u8.slice(ptr, ptr + len);
}

function latin1(u8: Uint8Array, ptr: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i += 8192) {
    s += String.fromCharCode.apply(null, u8.subarray(ptr + i, ptr + Math.min(len, i + 8192)) as unknown as number[]);
  }
  return s;
}

function checkUtf8(view: Uint8Array): void {
  const msg = nodeIsUtf8?.(view) === true ? undefined : utf8Error(view);
  if (msg !== undefined) throw new Trap(msg);
}

/** Rust-style message for a UTF-8 decoding failure (wasmtime reports these); undefined if valid. */
function utf8Error(b: Uint8Array): string | undefined {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return `invalid utf-8 sequence of 1 bytes from index ${i}`;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return `incomplete utf-8 byte sequence from index ${i}`;
      const d = b[i + k]!;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf)
        return `invalid utf-8 sequence of ${k} bytes from index ${i}`;
    }
    i += need + 1;
  }
  return undefined;
}

/** Result slot of storeStringIntoRange (reused: no allocation per string). */
export const stored = { ptr: 0, units: 0 };

export function storeStringIntoRange(cx: LiftLowerContext, v: unknown): void {
  if (typeof v !== 'string') badValue('a string', v);
  const n = v.length;
  // UTF-8: encodeInto (and utf8Length) already turn lone surrogates into U+FFFD.
  if (cx.encoding === 'utf8') return storeUtf16ToUtf8(cx, v, n);
  // Lone surrogates are not Unicode scalar values: replace them (as TextEncoder does).
  const w = v as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  const s = w.isWellFormed() ? v : w.toWellFormed();
  if (cx.encoding === 'utf16') return storeUtf16Copy(cx, s, n);
  return storeToLatin1OrUtf16(cx, s, n);
}

/**
 * Up to this many code units, a plain loop writes the string while it is
 * ASCII (cheaper than a native call); longer ones take one native length
 * count and one native write.
 */
const ASCII_LOOP_MAX = 64;

// store_utf16_to_utf8: allocate n bytes (enough if ASCII), else grow to the
// worst case 3n, encode, shrink. After growth the whole string is encoded
// again at the new pointer, as the spec does (no reliance on realloc copying).
function storeUtf16ToUtf8(cx: LiftLowerContext, s: string, n: number): void {
  if (n * 3 > 0xffff_ffff) badValue('a string shorter than 2^30 code units', s);
  if (n > ASCII_LOOP_MAX) return storeUtf8Long(cx, s, n);
  let ptr = cx.allocChecked(1, n, 'string');
  if (writeBytesBelow(cx.u8, s, ptr, n, 0x80) === n) {
    stored.ptr = ptr;
    stored.units = n;
    return;
  }
  const worst = 3 * n;
  ptr = cx.reallocChecked(ptr, n, 1, worst, 'string');
  storeGrown(cx, s, ptr, worst);
}

/** Writes s's code units as bytes at ptr while they are below limit; returns how many it wrote. */
function writeBytesBelow(u8: Uint8Array, s: string, ptr: number, n: number, limit: number): number {
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= limit) break;
    u8[ptr + i] = c;
  }
  return i;
}

/** The same realloc sequence, for long strings: the UTF-8 length counted up front. */
function storeUtf8Long(cx: LiftLowerContext, s: string, n: number): void {
  const len = nodeBuffer !== undefined ? nodeBuffer.byteLength(s, 'utf8') : utf8Length(s, n);
  let ptr = cx.allocChecked(1, n, 'string');
  if (len > n) {
    const worst = 3 * n;
    ptr = cx.reallocChecked(ptr, n, 1, worst, 'string');
    storeGrown(cx, s, ptr, worst);
    return;
  }
  // UTF-8 length == code units: all ASCII, where a one-byte write is the same bytes and cheaper.
  if (nodeBuffer !== undefined) bufferOf(cx)!.latin1Write(s, ptr, len);
  else encoder.encodeInto(s, cx.u8.subarray(ptr, ptr + len));
  stored.ptr = ptr;
  stored.units = len;
}

/** Encode s at ptr (room: worst bytes), then shrink to the encoded length. */
function storeGrown(cx: LiftLowerContext, s: string, ptr: number, worst: number): void {
  const len =
    nodeBuffer !== undefined
      ? bufferOf(cx)!.utf8Write(s, ptr, worst)
      : encoder.encodeInto(s, cx.u8.subarray(ptr, ptr + worst)).written;
  if (worst > len) ptr = cx.reallocChecked(ptr, worst, 1, len, 'string');
  stored.ptr = ptr;
  stored.units = len;
}

/** UTF-8 length of s, lone surrogates counted as U+FFFD (3 bytes), as TextEncoder writes them. */
function utf8Length(s: string, n: number): number {
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 2; // a pair: 2 units, 4 bytes
      i++;
    } else len += 2;
  }
  return len;
}

function storeUtf16Copy(cx: LiftLowerContext, s: string, n: number): void {
  if (n * 2 > 0xffff_ffff) badValue('a string shorter than 2^31 code units', s);
  const ptr = cx.allocChecked(2, 2 * n, 'string');
  writeUtf16(cx, s, ptr, 0, n);
  stored.ptr = ptr;
  stored.units = n;
}

function writeUtf16(cx: LiftLowerContext, s: string, ptr: number, from: number, n: number): void {
  const dst = new Uint16Array(cx.buffer, ptr, n);
  for (let i = from; i < n; i++) dst[i] = s.charCodeAt(i);
}

function storeToLatin1OrUtf16(cx: LiftLowerContext, s: string, n: number): void {
  if (n * 2 > 0xffff_ffff) badValue('a string shorter than 2^31 code units', s);
  let ptr = cx.allocChecked(2, n, 'string');
  const i = writeBytesBelow(cx.u8, s, ptr, n, 0x100);
  if (i === n) {
    stored.ptr = ptr;
    stored.units = n;
    return;
  }
  const worst = 2 * n;
  ptr = cx.reallocChecked(ptr, n, 2, worst, 'string');
  const u8 = cx.u8;
  // Widen the latin1 prefix already written, back to front, then the rest.
  for (let j = i - 1; j >= 0; j--) {
    u8[ptr + 2 * j] = u8[ptr + j]!;
    u8[ptr + 2 * j + 1] = 0;
  }
  writeUtf16(cx, s, ptr, i, n);
  stored.ptr = ptr;
  stored.units = (n | UTF16_TAG) >>> 0;
}
