// Components from core modules compiled elsewhere (`Component.fromModules`, `weft bundle`):
// the order of a component's core modules, their bytes as `compile` would compile them, and
// the check that compiled modules given by the caller are the ones the binary defines.

import type { ComponentIR, CoreImportDecl, Definition } from './binary/ir.ts';
import { readCoreModule } from './binary/core-module.ts';
import { DecodeError, ValidationError } from './host/errors.ts';
import { GUARD_MODULE, instrument, type InstrumentOptions, STATE_EXPORT } from './instrument/index.ts';
import { limitResources, type ResourceLimits } from './instrument/limits.ts';
import { Out } from './instrument/bytes.ts';

/** Every core module definition of `ir`, in binary order (nested components' in place, depth first). */
export function coreModuleDefs(ir: ComponentIR): Extract<Definition, { kind: 'core-module' }>[] {
  const out: Extract<Definition, { kind: 'core-module' }>[] = [];
  const walk = (c: ComponentIR) => {
    for (const d of c.definitions) {
      if (d.kind === 'core-module') out.push(d);
      else if (d.kind === 'component') walk(d.component);
    }
  };
  walk(ir);
  return out;
}

/**
 * A core module's bytes as `compile` compiles them: resource limits applied, instrumented as
 * asked. An invalid module is a ValidationError (from the engine's validator when the
 * rewriting could not explain it).
 */
export function preparedModule(
  d: Extract<Definition, { kind: 'core-module' }>,
  instrumented: InstrumentOptions,
  limits: ResourceLimits,
): Uint8Array {
  try {
    return instrument(limitResources(d.module, limits), instrumented);
  } catch (e) {
    if (!(e instanceof ValidationError) || WebAssembly.validate(d.module as Uint8Array<ArrayBuffer>)) throw e;
    throw new ValidationError(`invalid core module at offset ${d.offset}: WebAssembly.validate rejected it`);
  }
}

const KIND: Record<string, string> = {
  func: 'function',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};
const EXPORT_KIND = ['function', 'table', 'memory', 'global', 'tag'];

/** The imports instrumentation adds, in the order `instrument` appends them. */
function guardImports(o: InstrumentOptions): WebAssembly.ModuleImportDescriptor[] {
  const out: WebAssembly.ModuleImportDescriptor[] = [];
  if (o.fuel) out.push({ module: GUARD_MODULE, name: 'out-of-fuel', kind: 'function' });
  if (o.interruptible) out.push({ module: GUARD_MODULE, name: 'interrupted', kind: 'function' });
  if (o.fuel) out.push({ module: GUARD_MODULE, name: 'fuel', kind: 'global' });
  if (o.interruptible) out.push({ module: GUARD_MODULE, name: 'flag', kind: 'memory' });
  return out;
}

const show = (x: { module?: string; name: string; kind: string } | undefined) =>
  x === undefined
    ? 'nothing'
    : `${x.kind} ${x.module === undefined ? '' : `${JSON.stringify(x.module)} `}${JSON.stringify(x.name)}`;

/** The first difference of two import or export lists, or undefined when they are the same. */
function difference(
  what: string,
  want: { module?: string; name: string; kind: string }[],
  got: { module?: string; name: string; kind: string }[],
): string | undefined {
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const w = want[i];
    const g = got[i];
    if (w?.module === g?.module && w?.name === g?.name && w?.kind === g?.kind) continue;
    return `${what} ${i}: the component's module has ${show(w)}, the given module ${show(g)} (${want.length} ${what}s against ${got.length})`;
  }
  return undefined;
}

/**
 * Pairs `modules` with the core module definitions of `ir` in order, checking the count and
 * that each module's imports and exports (names, kinds, order) are the ones its definition
 * declares (plus instrumentation's `weft:guard` imports when `instrumented` says so).
 */
export function matchModules(
  ir: ComponentIR,
  modules: readonly WebAssembly.Module[],
  instrumented: InstrumentOptions,
): Map<Definition, WebAssembly.Module> {
  if (!Array.isArray(modules))
    throw new TypeError('Component.fromModules: modules must be an array of WebAssembly.Module');
  const defs = coreModuleDefs(ir);
  if (defs.length !== modules.length)
    throw new ValidationError(
      `Component.fromModules: the component defines ${defs.length} core module${defs.length === 1 ? '' : 's'}, ${modules.length} given`,
    );
  const extra = guardImports(instrumented);
  const flags = [
    instrumented.fuel && 'fuel',
    instrumented.interruptible && 'interruptible',
    instrumented.resettable && 'resettable',
  ].filter(Boolean);
  const out = new Map<Definition, WebAssembly.Module>();
  defs.forEach((d, i) => {
    const m = modules[i];
    if (!(m instanceof WebAssembly.Module))
      throw new TypeError(`Component.fromModules: modules[${i}] is not a WebAssembly.Module`);
    const decl = readCoreModule(d.module);
    const want = [
      ...decl.imports.map((x: CoreImportDecl) => ({ module: x.module, name: x.name, kind: KIND[x.type.kind]! })),
      ...extra,
    ];
    const wantExports = decl.exports.map((x) => ({ name: x.name, kind: EXPORT_KIND[x.kind] ?? `kind ${x.kind}` }));
    // A `resettable` module's state exports come last (instrument/index.ts).
    const gotExports = WebAssembly.Module.exports(m).filter((x) => !x.name.startsWith(`${STATE_EXPORT}/`));
    const diff =
      difference('import', want, WebAssembly.Module.imports(m)) ?? difference('export', wantExports, gotExports);
    if (diff !== undefined) {
      const guarded = WebAssembly.Module.imports(m).some((x) => x.module === GUARD_MODULE);
      const hint =
        guarded !== extra.length > 0 || (guarded && diff.includes(GUARD_MODULE))
          ? `; modules from Component.coreModules need the same fuel/interruptible/resettable options here (given: ${flags.length ? flags.join(', ') : 'none'})`
          : '';
      throw new ValidationError(
        `Component.fromModules: modules[${i}] is not the component's core module ${i} (at offset ${d.offset}): ${diff}${hint}`,
      );
    }
    out.set(d, m);
  });
  return out;
}

// ---- the component binary without its core modules' code ----

/** Sections of a core module that type checking reads (type, import, function, table, memory, global, export, tag). */
const KEEP = new Set([1, 2, 3, 4, 5, 6, 7, 13]);

/** The sections of a binary from `start` (after its 8-byte preamble): id, body start, body end. */
function sections(b: Uint8Array, start: number, end: number): { id: number; at: number; end: number }[] {
  const out: { id: number; at: number; end: number }[] = [];
  let p = start;
  while (p < end) {
    const id = b[p++]!;
    let size = 0;
    let shift = 0;
    for (;;) {
      const x = b[p++];
      if (x === undefined) throw new DecodeError('truncated section header', p);
      size += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(x & 0x80)) break;
    }
    if (p + size > end) throw new DecodeError('a section runs past its end', p);
    out.push({ id, at: p, end: p + size });
    p += size;
  }
  return out;
}

/** Writes one section: its id, its size, its body. */
function section(out: Out, id: number, body: Uint8Array): void {
  out.byte(id);
  out.u32(body.length);
  out.bytes(body);
}

function coreModuleTypesOnly(b: Uint8Array): Uint8Array {
  const out = new Out();
  out.bytes(b.subarray(0, 8));
  for (const s of sections(b, 8, b.length)) if (KEEP.has(s.id)) section(out, s.id, b.subarray(s.at, s.end));
  return out.result();
}

/**
 * A component binary with every core module (nested components' too) cut down to the sections
 * its type checking reads: code, data, start, element and custom sections go. Not a valid
 * component for `compile`; enough for `fromModules`, which gets the compiled modules.
 */
export function stripCoreCode(b: Uint8Array): Uint8Array {
  if (b.length < 8) throw new DecodeError('not a component: shorter than its preamble', 0);
  const out = new Out();
  out.bytes(b.subarray(0, 8));
  for (const s of sections(b, 8, b.length)) {
    const body = b.subarray(s.at, s.end);
    if (s.id === 1) section(out, 1, coreModuleTypesOnly(body));
    else if (s.id === 4) section(out, 4, stripCoreCode(body));
    else section(out, s.id, body);
  }
  return out.result();
}
