// Name grammar and strong uniqueness (Explainer.md "Import and Export
// Definitions" and "Name Uniqueness"). Each checker returns an error message
// or undefined, so callers can add the definition index to it.

const LABEL = /^(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[0-9a-z]+|[0-9A-Z]+))*$/;
const WORDS = /^[a-z][0-9a-z]*(?:-[0-9a-z]+)*$/;

export function isLabel(s: string): boolean {
  let ok = labels.get(s);
  if (ok === undefined) remember(labels, s, (ok = LABEL.test(s)));
  return ok;
}

/** `label` check with the wording used for record fields, cases, params, ... */
export function checkLabel(s: string, what: string): string | undefined {
  if (s === '') return `${what} name cannot be empty`;
  if (!isLabel(s)) return `${what} name \`${s}\` is not in kebab case`;
  return undefined;
}

export type ParsedName =
  | { kind: 'plain'; label: string }
  | { kind: 'constructor'; resource: string }
  | { kind: 'method' | 'static'; resource: string; method: string }
  | { kind: 'interface'; namespace: string; pkg: string; iface: string; version?: string };

/** Parses an `externname`; throws a string message when malformed. */
export function parseExternName(name: string): ParsedName {
  let r = parsedNames.get(name);
  if (r === undefined) {
    try {
      r = Object.freeze(parseExternNameUncached(name));
    } catch (msg) {
      r = msg as string;
    }
    remember(parsedNames, name, r);
  }
  if (typeof r === 'string') throw r;
  return r;
}

// Verdicts per name string: the same names recur in every nested component
// and type (and in every component compiled), and parsing one is slices and
// regexes. Bounded so a long-running host doesn't keep every name it saw.
const MAX_CACHED = 8192;
const parsedNames = new Map<string, ParsedName | string>();
const labels = new Map<string, boolean>();

function remember<V>(m: Map<string, V>, k: string, v: V): void {
  if (m.size >= MAX_CACHED) m.clear();
  m.set(k, v);
}

function parseExternNameUncached(name: string): ParsedName {
  if (name.charCodeAt(0) === 0x5b /* [ */) {
    if (name.startsWith('[constructor]')) {
      const l = name.slice(13);
      kebab(l);
      return { kind: 'constructor', resource: l };
    }
    const ann = name.startsWith('[method]') ? 'method' : name.startsWith('[static]') ? 'static' : undefined;
    if (ann !== undefined) {
      const rest = name.slice(8); // both prefixes are 8 characters
      const dot = rest.indexOf('.');
      if (dot < 0) throw `failed to find \`.\` character`;
      const r = rest.slice(0, dot),
        m = rest.slice(dot + 1);
      kebab(r);
      kebab(m);
      return { kind: ann, resource: r, method: m };
    }
  }
  if (name.includes(':')) return parseInterfaceName(name);
  if (name.startsWith('[')) throw `\`${name}\` is not a valid extern name`;
  kebab(name);
  return { kind: 'plain', label: name };
}

function kebab(s: string): void {
  if (!isLabel(s)) throw `\`${s}\` is not in kebab case`;
}

export function parseInterfaceName(name: string): ParsedName & { kind: 'interface' } {
  const colon = name.indexOf(':');
  if (colon < 0) throw `\`${name}\` is not a valid interface name`;
  const namespace = name.slice(0, colon);
  if (!WORDS.test(namespace)) throw `\`${namespace}\` is not in kebab case`;
  let rest = name.slice(colon + 1);
  let version: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    version = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const err = checkSemver(version);
    if (err) throw err;
  }
  const slash = rest.indexOf('/');
  const pkg0 = slash < 0 ? rest : rest.slice(0, slash);
  if (!pkg0.includes(':') && !WORDS.test(pkg0)) throw `\`${pkg0}\` is not in kebab case`;
  if (slash < 0) {
    if (rest.includes(':')) throw 'expected `/` after package name';
    throw `expected \`/\` after package name`;
  }
  const pkg = rest.slice(0, slash);
  if (pkg.includes(':')) throw 'expected `/` after package name';
  if (!WORDS.test(pkg)) throw `\`${pkg}\` is not in kebab case`;
  const iface = rest.slice(slash + 1);
  const slash2 = iface.indexOf('/');
  if (slash2 >= 0) throw `trailing characters found: \`${iface.slice(slash2)}\``;
  if (!isLabel(iface)) throw `\`${iface}\` is not in kebab case`;
  return { kind: 'interface', namespace, pkg, iface, version };
}

const NUM = /^(?:0|[1-9][0-9]*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;

/** Semantic Versioning 2.0 check; messages follow the usual parser wording. */
export function checkSemver(v: string): string | undefined {
  if (v === '') return 'empty string, expected a semver version';
  let i = 0;
  const core: string[] = [];
  for (let part = 0; part < 3; part++) {
    const start = i;
    while (i < v.length && v[i]! >= '0' && v[i]! <= '9') i++;
    if (i === start) {
      if (i >= v.length) return 'unexpected end of input while parsing version';
      return `unexpected character '${v[i]}' while parsing version`;
    }
    const num = v.slice(start, i);
    if (num.length > 1 && num[0] === '0') return `invalid leading zero in version number`;
    core.push(num);
    if (part < 2) {
      if (i >= v.length) return 'unexpected end of input while parsing version';
      if (v[i] !== '.') return `unexpected character '${v[i]}' while parsing version`;
      i++;
    }
  }
  let rest = v.slice(i);
  if (rest === '') return undefined;
  let pre: string | undefined, build: string | undefined;
  if (rest[0] === '-') {
    const plus = rest.indexOf('+');
    pre = plus < 0 ? rest.slice(1) : rest.slice(1, plus);
    rest = plus < 0 ? '' : rest.slice(plus);
  }
  if (rest[0] === '+') build = rest.slice(1);
  else if (rest !== '') return `unexpected character '${rest[0]}' after version`;
  for (const [segs, numeric] of [
    [pre, true],
    [build, false],
  ] as const) {
    if (segs === undefined) continue;
    for (const s of segs.split('.')) {
      if (s === '') return 'empty identifier segment in version';
      if (!IDENT.test(s)) return `unexpected character in version identifier \`${s}\``;
      if (numeric && /^[0-9]+$/.test(s) && !NUM.test(s)) return 'invalid leading zero in pre-release identifier';
    }
  }
  return undefined;
}

/** The "strongly-unique" canonical form of a name (Explainer "Name Uniqueness"). */
export function canonicalName(name: string): string {
  const n = name.toLowerCase();
  if (n.charCodeAt(0) === 0x5b /* [ */ && (n.startsWith('[method]') || n.startsWith('[static]'))) {
    const rest = n.slice(8); // both prefixes are 8 characters
    const dot = rest.indexOf('.');
    if (dot >= 0 && rest.slice(0, dot) === rest.slice(dot + 1)) return rest.slice(0, dot);
    return rest;
  }
  return n;
}

/** A scope of names that must be strongly-unique (imports of one component, fields of one record, ...). */
export class NameSet {
  private readonly seen = new Map<string, string>();
  /** Returns the previous name this one conflicts with, if any. */
  add(name: string): string | undefined {
    const c = canonicalName(name);
    const prev = this.seen.get(c);
    if (prev !== undefined) return prev;
    this.seen.set(c, name);
    return undefined;
  }
  clear(): void {
    this.seen.clear();
  }
}
