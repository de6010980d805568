// decodeComponent: one pass over the bytes (Binary.md "Component Definitions"),
// producing the section-ordered IR of ir.ts. Nothing is validated here beyond
// what the grammar itself requires; every malformed input is a DecodeError.

import type { ComponentIR, CoreInstanceExpr, CoreSortIdx, CustomSection, Definition, InstanceExpr } from './ir.ts';
import { Reader } from './reader.ts';
import { checkCoreModule, coreDefType } from './decode-core.ts';
import { alias, coreSort, defType, enter, externType, nameAttributes, sortIdx, valType } from './decode-types.ts';
import { canon } from './decode-canon.ts';
import { parseComponentNames } from './name-section.ts';

/**
 * Decodes a component binary. Offsets in the result (and in errors) are byte
 * offsets into `bytes`, also for nested components.
 */
export interface DecodeOptions {
  /** Accept `cancellable` = 1, which component-model #716 removed (binaries made before it). */
  legacyCancellable?: boolean;
  /** Most definitions one component may have (default 1,000,000, wasmparser's). */
  maxDefinitions?: number;
}

export function decodeComponent(bytes: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): ComponentIR {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const r = new Reader(u8);
  r.legacyCancellable = options.legacyCancellable === true;
  r.maxDefinitions = options.maxDefinitions ?? MAX_DEFINITIONS;
  return component(r, 0);
}

function preamble(r: Reader): void {
  const start = r.pos;
  const b = r.bytes;
  const magic = [0x00, 0x61, 0x73, 0x6d];
  for (let i = 0; i < 4; i++) {
    if (start + i >= r.end) r.eofError(start + i);
    if (b[start + i] !== magic[i]) r.fail('magic header not detected', start);
  }
  if (r.end - start < 8) r.eofError(r.end);
  const version = b[start + 4]! | (b[start + 5]! << 8);
  const layer = b[start + 6]! | (b[start + 7]! << 8);
  if (layer === 0) {
    r.fail(
      'expected a version header for a component, found a core WebAssembly module (layer 0): this is a core module, not a component',
      start + 4,
    );
  }
  if (version !== 0x0d || layer !== 1) {
    r.fail(
      `unknown binary version and/or layer: 0x${version.toString(16)} 0x${layer.toString(16)} (expected component version 0xd, layer 0x1)`,
      start + 4,
    );
  }
  r.pos = start + 8;
}

/**
 * Counts one component may define, as wasmparser's (Wasmtime's) limits: a
 * hostile binary of millions of tiny definitions is refused while reading,
 * before it costs gigabytes.
 */
const MAX_DEFINITIONS = 1_000_000;
const LIMITS: Partial<Record<Definition['kind'], [number, string]>> = {
  'core-module': [1000, 'modules'],
  component: [1000, 'components'],
  instance: [1000, 'instances'],
  'core-instance': [1000, 'core instances'],
};

function component(r: Reader, depth: number): ComponentIR {
  enter(r, depth);
  preamble(r);
  const definitions: Definition[] = [];
  const offsets: number[] = [];
  const customs: CustomSection[] = [];
  const ir: ComponentIR = { definitions, offsets, customs };
  const outerEnd = r.end;
  const counts = new Map<string, number>();
  const push = (d: Definition, at: number) => {
    const limit = LIMITS[d.kind];
    if (limit !== undefined) {
      const n = (counts.get(d.kind) ?? 0) + 1;
      if (n > limit[0]) r.fail(`${limit[1]} count exceeds limit of ${limit[0]}`, at);
      counts.set(d.kind, n);
    }
    if (definitions.length >= r.maxDefinitions)
      r.fail(`definitions count exceeds limit of ${r.maxDefinitions} (compile option maxDefinitions)`, at);
    definitions.push(d);
    offsets.push(at);
  };

  while (r.pos < outerEnd) {
    const sectionStart = r.pos;
    const id = r.u8();
    if (id > 12) r.fail(`malformed section id: ${id}`, sectionStart);
    const size = r.u32();
    if (size > outerEnd - r.pos) r.eofError(r.pos);
    const start = r.pos;
    const end = start + size;
    r.end = end; // the section's reader can't read past its declared size

    switch (id) {
      case 0: {
        const name = r.name();
        const data = r.take(end - r.pos);
        customs.push({ name, data });
        if (name === 'component-name' && ir.names === undefined) {
          const names = parseComponentNames(data);
          if (names !== undefined) ir.names = names;
        }
        break;
      }
      case 1:
        checkCoreModule(r);
        push({ kind: 'core-module', module: r.bytes.subarray(start, end), offset: start }, start);
        break;
      case 2:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'core-instance', instance: coreInstance(r) }, at);
        }
        break;
      case 3:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'core-type', type: coreDefType(r, false) }, at);
        }
        break;
      case 4:
        push({ kind: 'component', component: component(r, depth + 1) }, start);
        break;
      case 5:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'instance', instance: instance(r) }, at);
        }
        break;
      case 6:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'alias', alias: alias(r) }, at);
        }
        break;
      case 7:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'type', type: defType(r, depth) }, at);
        }
        break;
      case 8:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          push({ kind: 'canon', canon: canon(r) }, at);
        }
        break;
      case 9: {
        const func = r.u32();
        const n = r.count();
        const args: number[] = new Array(n);
        for (let i = 0; i < n; i++) args[i] = r.u32();
        push({ kind: 'start', func, args, results: r.u32() }, start);
        break;
      }
      case 10:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          const name = nameAttributes(r);
          push({ kind: 'import', name, type: externType(r) }, at);
        }
        break;
      case 11:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          const name = nameAttributes(r);
          const si = sortIdx(r);
          const opt = r.u8();
          if (opt === 0x00) push({ kind: 'export', name, sortIdx: si }, at);
          else if (opt === 0x01) push({ kind: 'export', name, sortIdx: si, type: externType(r) }, at);
          else r.badByte(opt, 'optional component export type');
        }
        break;
      case 12:
        for (let n = r.count(); n > 0; n--) {
          const at = r.pos;
          const type = valType(r);
          const len = r.u32();
          push({ kind: 'value', type, bytes: r.take(len) }, at);
        }
        break;
    }

    if (r.pos !== end) {
      r.fail(`section size mismatch: unexpected data at the end of the section (${end - r.pos} bytes left)`, r.pos);
    }
    r.end = outerEnd;
  }
  return ir;
}

function coreInstance(r: Reader): CoreInstanceExpr {
  const b = r.u8();
  if (b === 0x00) {
    const module = r.u32();
    const n = r.count();
    const args: { name: string; instance: number }[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      r.expect(0x12, 'instantiation arg kind');
      args[i] = { name, instance: r.u32() };
    }
    return { kind: 'instantiate', module, args };
  }
  if (b === 0x01) {
    const n = r.count();
    const exports: { name: string; sortIdx: CoreSortIdx }[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      const sort = coreSort(r);
      exports[i] = { name, sortIdx: { sort, idx: r.u32() } };
    }
    return { kind: 'exports', exports };
  }
  return r.badByte(b, 'core instance');
}

function instance(r: Reader): InstanceExpr {
  const b = r.u8();
  if (b === 0x00) {
    const component = r.u32();
    const n = r.count();
    const args: (InstanceExpr & { kind: 'instantiate' })['args'] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = r.name();
      args[i] = { name, sortIdx: sortIdx(r) };
    }
    return { kind: 'instantiate', component, args };
  }
  if (b === 0x01) {
    const n = r.count();
    const exports: (InstanceExpr & { kind: 'exports' })['exports'] = new Array(n);
    for (let i = 0; i < n; i++) {
      const name = nameAttributes(r);
      exports[i] = { name, sortIdx: sortIdx(r) };
    }
    return { kind: 'exports', exports };
  }
  return r.badByte(b, 'instance');
}
