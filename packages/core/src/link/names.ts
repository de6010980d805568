// Import-name matching (Explainer "Canonical Interface Name"): a host that
// offers `wasi:cli/stdout@0.3.2` serves an import of `wasi:cli/stdout@0.3.0`,
// because both canonicalise to `wasi:cli/stdout@0.3`.

/** `1.2.3` → `1`, `0.2.6-rc.1` → `0.2`, `0.0.1-alpha` → `0.0.1`. */
export function canonVersion(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) return version;
  const [, major, minor, patch, rest] = m;
  if (major !== '0') return major;
  if (minor !== '0') return `0.${minor}`;
  return `0.0.${patch}${rest}`;
}

/** Splits `ns:pkg/iface@ver` into the unversioned name and version ('' when none). */
export function splitVersion(name: string): [string, string] {
  const at = name.lastIndexOf('@');
  if (at <= 0 || !name.includes(':')) return [name, ''];
  return [name.slice(0, at), name.slice(at + 1)];
}

export function canonicalName(name: string): string {
  const [base, ver] = splitVersion(name);
  return ver ? `${base}@${canonVersion(ver)}` : base;
}

/**
 * Finds the key of `offered` that serves `wanted`: the exact name first, then
 * any key with the same canonical name (highest version wins), then the
 * unversioned name.
 */
export function findImportKey(wanted: string, offered: Iterable<string>): string | undefined {
  const keys = [...offered];
  if (keys.includes(wanted)) return wanted;
  const canon = canonicalName(wanted);
  let best: string | undefined;
  let bestVer = '';
  for (const k of keys) {
    if (canonicalName(k) !== canon) continue;
    const v = splitVersion(k)[1];
    if (best === undefined || compareVersions(v, bestVer) > 0) {
      best = k;
      bestVer = v;
    }
  }
  if (best !== undefined) return best;
  const [base, ver] = splitVersion(wanted);
  if (ver && keys.includes(base)) return base;
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Parses `[method]r.m`, `[static]r.s`, `[constructor]r`; plain names give kind 'plain'. */
export function parseFuncName(name: string): {
  kind: 'plain' | 'method' | 'static' | 'constructor';
  resource?: string;
  name: string;
} {
  const m = /^\[(method|static|constructor)\]([^.]+)(?:\.(.+))?$/.exec(name);
  if (!m) return { kind: 'plain', name };
  const kind = m[1] as 'method' | 'static' | 'constructor';
  return { kind, resource: m[2], name: m[3] ?? m[2] };
}

export { camelCase, pascalCase } from '../host/js-names.ts';
