// S-expression reader for .wast scripts. Keeps byte-exact source spans so a
// component's text can be handed to the text assembler unchanged, and drops
// comments and `(@annotation ...)` forms.

export interface Span {
  /** Offsets into the source string (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

export interface SList extends Span {
  kind: 'list';
  items: SNode[];
}
export interface SAtom extends Span {
  kind: 'atom';
  text: string;
}
export interface SString extends Span {
  kind: 'string';
  /** The decoded bytes (wast strings are byte strings). */
  bytes: Uint8Array;
}
export type SNode = SList | SAtom | SString;

export class WastSyntaxError extends Error {
  override name = 'WastSyntaxError';
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.line = line;
  }
}

const utf8Enc = new TextEncoder();
const utf8Dec = new TextDecoder('utf-8', { fatal: true });

/** Decodes a string node's bytes as UTF-8 (throws on invalid UTF-8). */
export function stringValue(n: SNode): string {
  if (n.kind !== 'string') throw new WastSyntaxError('expected a string', n.line);
  try {
    return utf8Dec.decode(n.bytes);
  } catch {
    throw new WastSyntaxError('malformed UTF-8 in string', n.line);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Reads every top-level form of `src`. */
export function readAll(src: string): SNode[] {
  const r = new Reader(src);
  const out: SNode[] = [];
  for (;;) {
    r.skipTrivia();
    if (r.pos >= src.length) return out;
    const n = r.readNode();
    if (n) out.push(n);
  }
}

class Reader {
  readonly src: string;
  pos = 0;
  line = 1;
  constructor(src: string) {
    this.src = src;
  }

  private err(msg: string): never {
    throw new WastSyntaxError(msg, this.line);
  }

  private advance(n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.src.charCodeAt(this.pos) === 0x0a) this.line++;
      this.pos++;
    }
  }

  skipTrivia(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.advance();
      } else if (c === 0x3b && s.charCodeAt(this.pos + 1) === 0x3b) {
        // ;; line comment
        while (this.pos < s.length && s.charCodeAt(this.pos) !== 0x0a) this.pos++;
      } else if (c === 0x28 && s.charCodeAt(this.pos + 1) === 0x3b) {
        this.skipBlockComment();
      } else {
        return;
      }
    }
  }

  private skipBlockComment(): void {
    const s = this.src;
    const startLine = this.line;
    let depth = 0;
    while (this.pos < s.length) {
      if (s.startsWith('(;', this.pos)) {
        depth++;
        this.advance(2);
      } else if (s.startsWith(';)', this.pos)) {
        depth--;
        this.advance(2);
        if (depth === 0) return;
      } else {
        this.advance();
      }
    }
    throw new WastSyntaxError('unterminated block comment', startLine);
  }

  /** Returns null for an annotation, which is skipped. */
  readNode(): SNode | null {
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    if (c === 0x28) return this.readList();
    if (c === 0x29) this.err('unexpected `)`');
    if (c === 0x22) return this.readString();
    return this.readAtom();
  }

  private readList(): SList | null {
    const start = this.pos;
    const line = this.line;
    const annotation = this.src.charCodeAt(this.pos + 1) === 0x40; // (@
    this.advance();
    const items: SNode[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.src.length) throw new WastSyntaxError('unclosed `(`', line);
      if (this.src.charCodeAt(this.pos) === 0x29) {
        this.advance();
        break;
      }
      const n = this.readNode();
      if (n) items.push(n);
    }
    if (annotation) return null;
    return { kind: 'list', items, start, end: this.pos, line };
  }

  private readAtom(): SAtom {
    const s = this.src;
    const start = this.pos;
    const line = this.line;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (isSpace(c) || c === 0x28 || c === 0x29 || c === 0x22) break;
      if (c === 0x3b && s.charCodeAt(this.pos + 1) === 0x3b) break;
      this.pos++;
    }
    // `$"quoted id"` style identifiers continue into a string.
    if (this.pos === start + 1 && s.charCodeAt(start) === 0x24 && s.charCodeAt(this.pos) === 0x22) {
      const str = this.readString();
      return { kind: 'atom', text: `$${utf8Dec.decode(str.bytes)}`, start, end: this.pos, line };
    }
    return { kind: 'atom', text: s.slice(start, this.pos), start, end: this.pos, line };
  }

  private readString(): SString {
    const s = this.src;
    const start = this.pos;
    const line = this.line;
    this.pos++; // opening quote
    const bytes: number[] = [];
    for (;;) {
      if (this.pos >= s.length) throw new WastSyntaxError('unterminated string', line);
      const c = s.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        break;
      }
      if (c === 0x0a) this.err('newline in string');
      if (c === 0x5c) {
        const e = s[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case 'n':
            bytes.push(0x0a);
            break;
          case 't':
            bytes.push(0x09);
            break;
          case 'r':
            bytes.push(0x0d);
            break;
          case '"':
            bytes.push(0x22);
            break;
          case "'":
            bytes.push(0x27);
            break;
          case '\\':
            bytes.push(0x5c);
            break;
          case 'u': {
            if (s[this.pos] !== '{') this.err('invalid string escape');
            const close = s.indexOf('}', this.pos);
            if (close < 0) this.err('invalid string escape');
            const hex = s.slice(this.pos + 1, close).replaceAll('_', '');
            if (!/^[0-9a-fA-F]+$/.test(hex)) this.err('invalid string escape');
            const cp = Number.parseInt(hex, 16);
            if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) this.err('invalid unicode escape');
            for (const b of utf8Enc.encode(String.fromCodePoint(cp))) bytes.push(b);
            this.pos = close + 1;
            break;
          }
          default: {
            const h = hexVal(s.charCodeAt(this.pos - 1));
            const l = hexVal(s.charCodeAt(this.pos));
            if (h < 0 || l < 0) this.err('invalid string escape');
            bytes.push(h * 16 + l);
            this.pos++;
          }
        }
        continue;
      }
      // Plain characters: copy as UTF-8 (handle surrogate pairs as one code point).
      const cp = s.codePointAt(this.pos)!;
      if (cp < 0x80) bytes.push(cp);
      else for (const b of utf8Enc.encode(String.fromCodePoint(cp))) bytes.push(b);
      this.pos += cp > 0xffff ? 2 : 1;
    }
    return { kind: 'string', bytes: Uint8Array.from(bytes), start, end: this.pos, line };
  }
}

// Small helpers for walking forms.

export function isAtom(n: SNode | undefined, text?: string): n is SAtom {
  return n !== undefined && n.kind === 'atom' && (text === undefined || n.text === text);
}

export function isId(n: SNode | undefined): n is SAtom {
  return n !== undefined && n.kind === 'atom' && n.text.startsWith('$');
}

/** The head keyword of a list form, or undefined. */
export function head(n: SNode | undefined): string | undefined {
  if (n?.kind !== 'list') return undefined;
  const h = n.items[0];
  return h && h.kind === 'atom' ? h.text : undefined;
}

export function describe(n: SNode): string {
  if (n.kind === 'atom') return n.text;
  if (n.kind === 'string') return '"..."';
  return `(${head(n) ?? ''} ...)`;
}
