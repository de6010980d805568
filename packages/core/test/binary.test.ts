import { describe, expect, it } from 'vitest';
import { parse } from '@bytecodealliance/jco';
import { decodeComponent } from '../src/binary/index.ts';
import type { Canon, ComponentIR, Definition, DefType } from '../src/binary/index.ts';
import { DecodeError } from '../src/host/errors.ts';

// ---- byte builders for hand-assembled binaries ----
type Bytes = number[];
function u32(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const str = (s: string): Bytes => {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
};
const vec = (items: Bytes[]): Bytes => [...u32(items.length), ...items.flat()];
const section = (id: number, body: Bytes): Bytes => [id, ...u32(body.length), ...body];
const PREAMBLE: Bytes = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const CORE_PREAMBLE: Bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const comp = (...sections: Bytes[]): Uint8Array => new Uint8Array([...PREAMBLE, ...sections.flat()]);

function decodeError(bytes: Uint8Array): DecodeError {
  try {
    decodeComponent(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError, but decoding succeeded');
}

const kinds = (ir: ComponentIR) => ir.definitions.map((d) => d.kind);
const types = (ir: ComponentIR): DefType[] => ir.definitions.flatMap((d) => (d.kind === 'type' ? [d.type] : []));
const canons = (ir: ComponentIR): Canon[] => ir.definitions.flatMap((d) => (d.kind === 'canon' ? [d.canon] : []));

// A component touching every section and type constructor the text format can express.
const BIG = `(component $top
  (core module $m
    (func (export "f") (param i32) (result i32) local.get 0)
    (func (export "cb") (param i32 i32 i32) (result i32) i32.const 0)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
    (func (export "dtor") (param i32))
    (memory (export "mem") 1)
    (table (export "tbl") 1 funcref))
  (core instance $i (instantiate $m))
  (core instance $e (export "f2" (func $i "f")))
  (core type $cft (func (param i32)))
  (core type $mt (module (import "a" "b" (func (type 0))) (export "x" (memory 1 2))))
  (alias core export $i "f" (core func $f))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (alias core export $i "cb" (core func $cb))
  (alias core export $i "dtor" (core func $dtor))
  (alias core export $i "tbl" (core table $tbl))
  (type $r (resource (rep i32) (dtor (core func $dtor))))
  (type $rec (record (field "a" u32) (field "b" string)))
  (type (variant (case "x" s8) (case "y")))
  (type (list u8))
  (type (list u16 4))
  (type (tuple s16 u32))
  (type (flags "a" "b"))
  (type (enum "e1" "e2"))
  (type (option s32))
  (type (result u64 (error s64)))
  (type (result))
  (type (own $r))
  (type (borrow $r))
  (type $st (stream u8))
  (type (stream))
  (type $fu (future string))
  (type (future))
  (type (map string u32))
  (type error-context)
  (type bool) (type s8) (type u8) (type s16) (type u16) (type s32) (type u32)
  (type s64) (type u64) (type f32) (type f64) (type char) (type string)
  (type $fn (func (param "x" u32) (result u32)))
  (type $afn (func async (param "x" string)))
  (type $ct (component
    (type $s string)
    (import "a" (type (eq $s)))
    (import "r" (type (sub resource)))
    (export "b" (func (param "p" u32)))))
  (type $it (instance
    (core type (func))
    (alias outer $top $rec (type $rr))
    (export "t" (type (eq $rr)))))
  (import "imp-f" (func $impf (type $fn)))
  (import "wasi:cli/stdout@0.3.0" (instance $imi (export "g" (func))))
  (import "m" (core module (type $mt)))
  (import "c" (component (type $ct)))
  (import "res" (type (sub resource)))
  (alias export $imi "g" (func $g))
  (canon lift (core func $f) (func $lifted (type $fn)))
  (canon lift (core func $f) (memory $mem) (realloc $realloc) string-encoding=utf16 (post-return $dtor) (func (type $fn)))
  (canon lift (core func $f) async (callback $cb) (func (type $afn)))
  (canon lower (func $impf) (memory $mem) string-encoding=latin1+utf16 (core func))
  (canon lower (func $impf) async (memory $mem) (core func))
  (canon resource.new $r (core func))
  (canon resource.drop $r (core func))
  (canon resource.rep $r (core func))
  (canon backpressure.inc (core func))
  (canon backpressure.dec (core func))
  (canon task.return (result u32) (memory $mem) (core func))
  (canon task.return (core func))
  (canon task.cancel (core func))
  (canon context.get i32 0 (core func))
  (canon context.set i32 1 (core func))
  (canon subtask.cancel async (core func))
  (canon subtask.drop (core func))
  (canon stream.new $st (core func))
  (canon stream.read $st (memory $mem) (core func))
  (canon stream.write $st async (memory $mem) (core func))
  (canon stream.cancel-read $st (core func))
  (canon stream.cancel-write $st async (core func))
  (canon stream.drop-readable $st (core func))
  (canon stream.drop-writable $st (core func))
  (canon future.new $fu (core func))
  (canon future.read $fu (memory $mem) (realloc $realloc) (core func))
  (canon future.write $fu (memory $mem) (core func))
  (canon future.cancel-read $fu async (core func))
  (canon future.cancel-write $fu (core func))
  (canon future.drop-readable $fu (core func))
  (canon future.drop-writable $fu (core func))
  (canon error-context.new (memory $mem) (core func))
  (canon error-context.debug-message (memory $mem) (realloc $realloc) (core func))
  (canon error-context.drop (core func))
  (canon waitable-set.new (core func))
  (canon waitable-set.wait (memory $mem) (core func))
  (canon waitable-set.poll (memory $mem) (core func))
  (canon waitable-set.drop (core func))
  (canon waitable.join (core func))
  (canon thread.index (core func))
  (canon thread.new-indirect $cft (core table $tbl) (core func))
  (canon thread.resume-later (core func))
  (canon thread.suspend (core func))
  (canon thread.yield (core func))
  (canon thread.suspend-then-resume (core func))
  (canon thread.yield-then-resume (core func))
  (canon thread.suspend-then-promote (core func))
  (canon thread.yield-then-promote (core func))
  (component $inner
    (import "x" (func $x))
    (export "y" (func $x)))
  (instance $inst (instantiate $inner (with "x" (func $lifted))))
  (instance $inl (export "f" (func $lifted)) (export "t" (type $rec)))
  (export "lifted" (func $lifted))
  (export "typed" (func $lifted) (func (type $fn)))
  (export "wasi:x/y@0.1.0" (instance $inl))
  (export "mod" (core module $m))
)`;

describe('decodeComponent on jco-assembled text', () => {
  let ir: ComponentIR;
  let bytes: Uint8Array;
  it('decodes every section kind', async () => {
    bytes = await parse(BIG);
    ir = decodeComponent(bytes);
    const ks = new Set(kinds(ir));
    for (const k of [
      'core-module',
      'core-instance',
      'core-type',
      'alias',
      'type',
      'import',
      'canon',
      'component',
      'instance',
      'export',
    ]) {
      expect(ks.has(k as Definition['kind'])).toBe(true);
    }
    expect(ir.offsets.length).toBe(ir.definitions.length);
    for (let i = 1; i < ir.offsets.length; i++) expect(ir.offsets[i]!).toBeGreaterThan(ir.offsets[i - 1]!);
    // jco emits a component-name section; it is parsed and kept.
    expect(ir.customs.some((c) => c.name === 'component-name')).toBe(true);
    expect(ir.names?.component).toBe('top');
    const funcNames = ir.names?.sorts.find((s) => s.sort === 'func')?.names;
    expect(funcNames?.get(0)).toBe('impf');
  });

  it('keeps core modules as subarrays with their offset, and decodes core instances and types', () => {
    const mod = ir.definitions[0]!;
    expect(mod.kind).toBe('core-module');
    if (mod.kind !== 'core-module') return;
    expect(ir.offsets[0]).toBe(mod.offset);
    expect(mod.module.buffer).toBe(bytes.buffer);
    expect([...mod.module.subarray(0, 8)]).toEqual(CORE_PREAMBLE);
    expect(new WebAssembly.Module(mod.module as Uint8Array<ArrayBuffer>)).toBeInstanceOf(WebAssembly.Module);
    const insts = ir.definitions.filter((d) => d.kind === 'core-instance');
    expect(insts[0]).toEqual({ kind: 'core-instance', instance: { kind: 'instantiate', module: 0, args: [] } });
    expect(insts[1]).toMatchObject({
      kind: 'core-instance',
      instance: { kind: 'exports', exports: [{ name: 'f2', sortIdx: { sort: 'func' } }] },
    });
    const cts = ir.definitions.filter((d) => d.kind === 'core-type');
    expect(cts[0]).toEqual({ kind: 'core-type', type: { kind: 'func', params: ['i32'], results: [] } });
    expect(cts[1]).toEqual({
      kind: 'core-type',
      type: {
        kind: 'module',
        decls: [
          { kind: 'import', import: { module: 'a', name: 'b', type: { kind: 'func', typeIdx: 0 } } },
          { kind: 'export', name: 'x', type: { kind: 'memory', min: 1, max: 2, shared: false, memory64: false } },
        ],
      },
    });
    const aliases = ir.definitions.filter((d) => d.kind === 'alias').map((d) => d.kind === 'alias' && d.alias);
    expect(aliases).toContainEqual({ kind: 'core-export', sort: { core: 'table' }, instance: 0, name: 'tbl' });
    expect(aliases).toContainEqual({ kind: 'export', sort: 'func', instance: 0, name: 'g' });
  });

  it('decodes every type constructor', () => {
    const ts = types(ir);
    expect(ts.slice(0, 19)).toEqual([
      { kind: 'resource', rep: 'i32', dtor: 4 },
      {
        kind: 'record',
        fields: [
          { name: 'a', type: 'u32' },
          { name: 'b', type: 'string' },
        ],
      },
      { kind: 'variant', cases: [{ name: 'x', type: 's8' }, { name: 'y' }] },
      { kind: 'list', elem: 'u8' },
      { kind: 'list', elem: 'u16', length: 4 },
      { kind: 'tuple', types: ['s16', 'u32'] },
      { kind: 'flags', names: ['a', 'b'] },
      { kind: 'enum', names: ['e1', 'e2'] },
      { kind: 'option', type: 's32' },
      { kind: 'result', ok: 'u64', err: 's64' },
      { kind: 'result' },
      { kind: 'own', type: 0 },
      { kind: 'borrow', type: 0 },
      { kind: 'stream', elem: 'u8' },
      { kind: 'stream' },
      { kind: 'future', elem: 'string' },
      { kind: 'future' },
      { kind: 'map', key: 'string', value: 'u32' },
      { kind: 'prim', type: 'error-context' },
    ]);
    expect(ts.slice(19, 32).map((t) => t.kind === 'prim' && t.type)).toEqual([
      'bool',
      's8',
      'u8',
      's16',
      'u16',
      's32',
      'u32',
      's64',
      'u64',
      'f32',
      'f64',
      'char',
      'string',
    ]);
    expect(ts[32]).toEqual({ kind: 'func', async: false, params: [{ name: 'x', type: 'u32' }], result: 'u32' });
    expect(ts[33]).toEqual({ kind: 'func', async: true, params: [{ name: 'x', type: 'string' }] });
    expect(ts[34]).toEqual({
      kind: 'component',
      decls: [
        { kind: 'type', type: { kind: 'prim', type: 'string' } },
        { kind: 'import', name: { name: 'a' }, type: { kind: 'type', bound: { kind: 'eq', idx: 0 } } },
        { kind: 'import', name: { name: 'r' }, type: { kind: 'type', bound: { kind: 'sub-resource' } } },
        { kind: 'type', type: { kind: 'func', async: false, params: [{ name: 'p', type: 'u32' }] } },
        { kind: 'export', name: { name: 'b' }, type: { kind: 'func', typeIdx: 3 } },
      ],
    });
    expect(ts[35]).toEqual({
      kind: 'instance',
      decls: [
        { kind: 'core-type', type: { kind: 'func', params: [], results: [] } },
        { kind: 'alias', alias: { kind: 'outer', sort: 'type', count: 1, idx: 1 } },
        { kind: 'export', name: { name: 't' }, type: { kind: 'type', bound: { kind: 'eq', idx: 0 } } },
      ],
    });
  });

  it('decodes imports, exports, instances and nested components', () => {
    const imports = ir.definitions.filter((d) => d.kind === 'import');
    expect(imports.map((d) => d.kind === 'import' && [d.name.name, d.type.kind])).toEqual([
      ['imp-f', 'func'],
      ['wasi:cli/stdout@0.3.0', 'instance'],
      ['m', 'module'],
      ['c', 'component'],
      ['res', 'type'],
    ]);
    const exports = ir.definitions.filter((d) => d.kind === 'export');
    expect(exports[0]).toEqual({ kind: 'export', name: { name: 'lifted' }, sortIdx: { sort: 'func', idx: 2 } });
    expect(exports[1]).toEqual({
      kind: 'export',
      name: { name: 'typed' },
      sortIdx: { sort: 'func', idx: 2 },
      type: { kind: 'func', typeIdx: 32 },
    });
    expect(exports[3]).toMatchObject({ sortIdx: { sort: { core: 'module' }, idx: 0 } });
    const nested = ir.definitions.find((d) => d.kind === 'component');
    expect(nested?.kind === 'component' && kinds(nested.component)).toEqual(['type', 'import', 'export']);
    if (nested?.kind === 'component') {
      // offsets of nested definitions point into the outer buffer
      const at = nested.component.offsets[1]!;
      expect(bytes[at]).toBe(0x00); // plain-name nameattributes byte of import "x"
      expect(bytes[at + 2]).toBe('x'.charCodeAt(0));
      expect(nested.component.names?.component).toBe('inner');
    }
    const insts = ir.definitions.filter((d) => d.kind === 'instance');
    expect(insts[0]).toEqual({
      kind: 'instance',
      instance: { kind: 'instantiate', component: 1, args: [{ name: 'x', sortIdx: { sort: 'func', idx: 2 } }] },
    });
    expect(insts[1]).toEqual({
      kind: 'instance',
      instance: {
        kind: 'exports',
        exports: [
          { name: { name: 'f' }, sortIdx: { sort: 'func', idx: 2 } },
          { name: { name: 't' }, sortIdx: { sort: 'type', idx: 1 } },
        ],
      },
    });
  });

  it('decodes every canon opcode the text format expresses, with options', () => {
    const cs = canons(ir);
    expect(cs.map((c) => c.kind)).toEqual([
      'lift',
      'lift',
      'lift',
      'lower',
      'lower',
      'resource.new',
      'resource.drop',
      'resource.rep',
      'backpressure.inc',
      'backpressure.dec',
      'task.return',
      'task.return',
      'task.cancel',
      'context.get',
      'context.set',
      'subtask.cancel',
      'subtask.drop',
      'stream.new',
      'stream.read',
      'stream.write',
      'stream.cancel-read',
      'stream.cancel-write',
      'stream.drop-readable',
      'stream.drop-writable',
      'future.new',
      'future.read',
      'future.write',
      'future.cancel-read',
      'future.cancel-write',
      'future.drop-readable',
      'future.drop-writable',
      'error-context.new',
      'error-context.debug-message',
      'error-context.drop',
      'waitable-set.new',
      'waitable-set.wait',
      'waitable-set.poll',
      'waitable-set.drop',
      'waitable.join',
      'thread.index',
      'thread.new-indirect',
      'thread.resume-later',
      'thread.suspend',
      'thread.yield',
      'thread.suspend-then-resume',
      'thread.yield-then-resume',
      'thread.suspend-then-promote',
      'thread.yield-then-promote',
    ]);
    expect(cs[0]).toEqual({ kind: 'lift', coreFunc: 1, opts: {}, typeIdx: 32 });
    expect(cs[1]).toEqual({
      kind: 'lift',
      coreFunc: 1,
      opts: { memory: 0, realloc: 2, stringEncoding: 'utf16', postReturn: 4 },
      typeIdx: 32,
    });
    expect(cs[2]).toEqual({ kind: 'lift', coreFunc: 1, opts: { async: true, callback: 3 }, typeIdx: 33 });
    expect(cs[3]).toEqual({ kind: 'lower', func: 0, opts: { memory: 0, stringEncoding: 'latin1+utf16' } });
    expect(cs[10]).toEqual({ kind: 'task.return', result: 'u32', opts: { memory: 0 } });
    expect(cs[11]).toEqual({ kind: 'task.return', opts: {} });
    expect(cs[13]).toEqual({ kind: 'context.get', type: 'i32', index: 0 });
    expect(cs[15]).toEqual({ kind: 'subtask.cancel', async: true });
    expect(cs[19]).toEqual({ kind: 'stream.write', typeIdx: 13, opts: { async: true, memory: 0 } });
    expect(cs[21]).toEqual({ kind: 'stream.cancel-write', typeIdx: 13, async: true });
    expect(cs[35]).toEqual({ kind: 'waitable-set.wait', cancellable: false, memory: 0 });
    expect(cs[40]).toEqual({ kind: 'thread.new-indirect', typeIdx: 0, table: 0 });
  });
});

describe('decodeComponent on hand-assembled binaries', () => {
  it('decodes the empty component and accepts padded LEB section sizes', () => {
    expect(decodeComponent(comp())).toEqual({ definitions: [], offsets: [], customs: [] });
    const ir = decodeComponent(comp([0x07, 0x82, 0x80, 0x80, 0x80, 0x00, 0x01, 0x73]));
    expect(ir.definitions).toEqual([{ kind: 'type', type: { kind: 'prim', type: 'string' } }]);
    expect(ir.offsets).toEqual([15]);
    expect(decodeComponent(comp().buffer as ArrayBuffer).definitions).toEqual([]);
  });

  it('decodes start and value sections, keeping value bytes', () => {
    const ir = decodeComponent(
      comp(
        section(
          12,
          vec([
            [0x79, ...u32(1), 0x2a],
            [0x73, ...u32(3), ...str('hi')],
          ]),
        ),
        section(9, [...u32(3), ...vec([u32(0), u32(1)]), ...u32(1)]),
      ),
    );
    expect(ir.definitions[0]).toMatchObject({ kind: 'value', type: 'u32' });
    const v = ir.definitions[0]!;
    expect(v.kind === 'value' && [...v.bytes]).toEqual([0x2a]);
    const s = ir.definitions[1]!;
    expect(s.kind === 'value' && [...s.bytes]).toEqual([2, 0x68, 0x69]);
    expect(ir.definitions[2]).toEqual({ kind: 'start', func: 3, args: [0, 1], results: 1 });
  });

  it('decodes nameattributes 0x00/0x01/0x02 with attributes, flagging duplicates', () => {
    const functype = section(7, vec([[0x40, 0x00, 0x01, 0x00]]));
    const ir = decodeComponent(
      comp(
        functype,
        section(
          10,
          vec([
            [0x00, ...str('a'), 0x01, 0x00],
            [0x01, ...str('b'), 0x01, 0x00],
            [
              0x02,
              ...str('c'),
              ...vec([
                [0x00, ...str('x:y/z')],
                [0x01, ...str('1.2.3')],
                [0x02, ...str('ext')],
              ]),
              0x05,
              0x00,
            ],
            [
              0x02,
              ...str('d'),
              ...vec([
                [0x02, ...str('e1')],
                [0x02, ...str('e2')],
              ]),
              0x01,
              0x00,
            ],
          ]),
        ),
      ),
    );
    const names = ir.definitions.filter((d) => d.kind === 'import').map((d) => d.kind === 'import' && d.name);
    expect(names).toEqual([
      { name: 'a' },
      { name: 'b' },
      { name: 'c', implements: 'x:y/z', versionSuffix: '1.2.3', externalId: 'ext' },
      { name: 'd', externalId: 'e1', duplicateAttribute: 'external-id' },
    ]);
  });

  it('decodes value and type bounds and optional export types', () => {
    const ir = decodeComponent(
      comp(
        section(
          10,
          vec([
            [0x00, ...str('v1'), 0x02, 0x00, ...u32(7)],
            [0x00, ...str('v2'), 0x02, 0x01, 0x7f],
            [0x00, ...str('t'), 0x03, 0x00, ...u32(2)],
          ]),
        ),
      ),
    );
    expect(ir.definitions.map((d) => d.kind === 'import' && d.type)).toEqual([
      { kind: 'value', bound: { kind: 'eq', idx: 7 } },
      { kind: 'value', bound: { kind: 'type', type: 'bool' } },
      { kind: 'type', bound: { kind: 'eq', idx: 2 } },
    ]);
  });

  it('reads valtype indices as non-negative s33 and rejects negative ones', () => {
    const ir = decodeComponent(
      comp(
        section(
          7,
          vec([
            [0x70, 0xe4, 0x00],
            [0x6b, 0x05],
          ]),
        ),
      ),
    );
    expect(types(ir)).toEqual([
      { kind: 'list', elem: 100 },
      { kind: 'option', type: 5 },
    ]);
    expect(decodeError(comp(section(7, vec([[0x70, 0x50]])))).message).toContain('invalid leading byte (0x50)');
  });

  it('decodes the canon opcodes the text format cannot express and records option conflicts', () => {
    // the cancellable flags (= 1) are those of binaries made before component-model #716
    const ir = decodeComponent(
      comp(
        section(
          8,
          vec([
            [0x40, 0x01, ...u32(3)],
            [0x41, 0x00, ...u32(4), ...u32(5)],
            [0x42, 0x01],
            [0x0c, 0x01],
            [0x2d, 0x01],
            [0x20, 0x01, 0x00],
            [0x06, 0x00],
            [0x01, 0x00, 0x00, ...vec([[0x00], [0x01]])],
            [
              0x01,
              0x00,
              0x00,
              ...vec([
                [0x03, 0x00],
                [0x03, 0x01],
              ]),
            ],
            [0x01, 0x00, 0x00, ...vec([[0x06], [0x06]])],
            [
              0x00,
              0x00,
              0x00,
              ...vec([
                [0x05, 0x01],
                [0x05, 0x01],
              ]),
              0x00,
            ],
          ]),
        ),
      ),
      { legacyCancellable: true },
    );
    const cs = canons(ir);
    expect(cs.slice(0, 7)).toEqual([
      { kind: 'thread.spawn-ref', shared: true, typeIdx: 3 },
      { kind: 'thread.spawn-indirect', shared: false, typeIdx: 4, table: 5 },
      { kind: 'thread.available-parallelism', shared: true },
      { kind: 'thread.yield', cancellable: true },
      { kind: 'thread.yield-then-promote', cancellable: true },
      { kind: 'waitable-set.wait', cancellable: true, memory: 0 },
      { kind: 'subtask.cancel', async: false },
    ]);
    const dup = (c: Canon) => ('opts' in c ? c.opts.duplicate : undefined);
    expect(dup(cs[7]!)).toContain('conflicts with');
    expect(dup(cs[8]!)).toContain('`memory` is specified more than once');
    expect(dup(cs[9]!)).toContain('`async`');
    expect(dup(cs[10]!)).toContain('`post-return`');
  });

  it('parses GC core types far enough to skip them', () => {
    const ir = decodeComponent(
      comp(
        section(
          3,
          vec([
            [
              0x4e,
              ...vec([
                [
                  0x5f,
                  ...vec([
                    [0x7f, 0x01],
                    [0x78, 0x00],
                  ]),
                ],
                [0x5e, 0x63, 0x6e, 0x01],
              ]),
            ], // rec (struct) (array)
            [0x00, 0x50, ...vec([u32(0)]), 0x60, 0x00, 0x00], // non-final sub
            [0x4f, 0x00, 0x60, ...vec([[0x64, 0x00]]), ...vec([[0x7e]])], // (sub final (func (param (ref 0)) (result i64)))
            [0x60, ...vec([[0x70], [0x63, 0x6f]]), 0x00], // funcref, externref
          ]),
        ),
      ),
    );
    const cts = ir.definitions.map((d) => d.kind === 'core-type' && d.type);
    expect(cts[0]).toEqual({ kind: 'other', offset: ir.offsets[0] });
    expect(cts[1]).toEqual({ kind: 'other', offset: ir.offsets[1] });
    expect(cts[2]).toEqual({ kind: 'func', params: [{ ref: 'ref 0' }], results: ['i64'] });
    expect(cts[3]).toEqual({ kind: 'func', params: ['funcref', 'externref'], results: [] });
  });

  it('decodes outer, export and core-export aliases of every allowed sort', () => {
    const ir = decodeComponent(
      comp(
        section(
          6,
          vec([
            [0x00, 0x11, 0x02, 0x00, 0x00],
            [0x00, 0x10, 0x02, 0x01, 0x02],
            [0x04, 0x02, 0x00, 0x00],
            [0x05, 0x00, 0x00, ...str('i')],
            [0x00, 0x03, 0x01, 0x00, ...str('g')],
            [0x02, 0x00, 0x00, ...str('v')],
          ]),
        ),
      ),
    );
    expect(ir.definitions.map((d) => d.kind === 'alias' && d.alias)).toEqual([
      { kind: 'outer', sort: { core: 'module' }, count: 0, idx: 0 },
      { kind: 'outer', sort: { core: 'type' }, count: 1, idx: 2 },
      { kind: 'outer', sort: 'component', count: 0, idx: 0 },
      { kind: 'export', sort: 'instance', instance: 0, name: 'i' },
      { kind: 'core-export', sort: { core: 'global' }, instance: 0, name: 'g' },
      { kind: 'export', sort: 'value', instance: 0, name: 'v' },
    ]);
  });

  it('keeps custom sections and tolerates broken component-name sections', () => {
    const ir = decodeComponent(
      comp(section(0, [...str('component-name'), 0x01, 0x7f, 0x01]), section(0, [...str('other'), 1, 2, 3])),
    );
    expect(ir.customs.map((c) => [c.name, [...c.data]])).toEqual([
      ['component-name', [0x01, 0x7f, 0x01]],
      ['other', [1, 2, 3]],
    ]);
    expect(ir.names).toBeUndefined();
    const named = decodeComponent(
      comp(
        section(0, [
          ...str('component-name'),
          ...section(0, str('me')),
          ...section(1, [
            0x03,
            ...vec([
              [...u32(0), ...str('t0')],
              [...u32(4), ...str('t4')],
            ]),
          ]),
        ]),
      ),
    );
    expect(named.names?.component).toBe('me');
    expect(named.names?.sorts[0]?.sort).toBe('type');
    expect([...named.names!.sorts[0]!.names]).toEqual([
      [0, 't0'],
      [4, 't4'],
    ]);
  });
});

describe('malformed binaries', () => {
  it('checks the preamble and names core modules', () => {
    expect(decodeError(new Uint8Array([])).message).toContain('unexpected end-of-file');
    expect(decodeError(new Uint8Array([0x00, 0x61, 0x73])).message).toContain('unexpected end-of-file');
    expect(decodeError(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d])).message).toContain('unexpected end-of-file');
    expect(decodeError(new Uint8Array([0x01, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])).message).toContain(
      'magic header not detected',
    );
    expect(decodeError(new Uint8Array(CORE_PREAMBLE)).message).toMatch(/core module, not a component/);
    expect(decodeError(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0e, 0, 1, 0])).message).toContain(
      'unknown binary version',
    );
    expect(decodeError(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0, 2, 0])).message).toContain(
      'unknown binary version',
    );
  });

  it('rejects bad section ids, sizes and counts', () => {
    const e = decodeError(comp([0x0d, 0x00]));
    expect(e.message).toContain('malformed section id');
    expect(e.offset).toBe(8);
    expect(decodeError(comp([0x07, 0x05, 0x01, 0x73])).message).toContain('unexpected end-of-file');
    expect(decodeError(comp(section(7, [0x01, 0x73, 0x73]))).message).toContain(
      'unexpected data at the end of the section',
    );
    expect(decodeError(comp(section(7, [...u32(1000), 0x73]))).message).toContain('unexpected end-of-file');
    expect(decodeError(comp([0x07, 0xff, 0xff, 0xff, 0xff, 0x7f])).message).toContain('integer too large');
    // a type can't spill into the next section
    expect(decodeError(comp(section(7, [0x01, 0x70]), section(7, [0x01, 0x73]))).message).toContain(
      'unexpected end-of-file',
    );
  });

  it('names the byte for unknown opcodes', () => {
    const cases: [Uint8Array, string][] = [
      [comp(section(7, vec([[0x60]]))), 'invalid leading byte (0x60) for component defined type'],
      [comp(section(8, vec([[0x30]]))), 'invalid leading byte (0x30) for canonical function'],
      [
        comp(section(8, vec([[0x01, 0x00, 0x00, ...vec([[0x08]])]]))),
        'invalid leading byte (0x8) for canonical option',
      ],
      [comp(section(8, vec([[0x29, 0x05]]))), 'invalid boolean value'],
      [comp(section(5, vec([[0x07]]))), 'invalid leading byte (0x7) for instance'],
      [comp(section(2, vec([[0x03]]))), 'invalid leading byte (0x3) for core instance'],
      [comp(section(6, vec([[0x01, 0x09, 0x00, 0x00]]))), 'invalid leading byte (0x9) for alias'],
      [
        comp(section(6, vec([[0x00, 0x00, 0x02, 0x00, 0x00]]))),
        'invalid leading byte (0x0) for component outer alias kind',
      ],
      [comp(section(10, vec([[0x07, ...str('a'), 0x01, 0x00]]))), 'invalid leading byte (0x7) for component name'],
      [
        comp(section(10, vec([[0x00, ...str('a'), 0x09, 0x00]]))),
        'invalid leading byte (0x9) for component external kind',
      ],
      [comp(section(10, vec([[0x00, ...str('a'), 0x03, 0x05]]))), 'invalid leading byte (0x5) for type bound'],
      [
        comp(section(11, vec([[0x00, ...str('a'), 0x01, 0x00, 0x03]]))),
        'invalid leading byte (0x3) for optional component export type',
      ],
      [comp(section(7, vec([[0x71, ...vec([[...str('c'), 0x00, 0x02]])]]))), 'zero byte required'],
      [comp(section(7, vec([[0x40, 0x00, 0x03]]))), 'invalid leading byte (0x3) for component function results'],
      [
        comp(section(7, vec([[0x42, ...vec([[0x03, 0x00, ...str('a'), 0x01, 0x00]])]]))),
        'for component or instance type declaration',
      ],
      [comp(section(3, vec([[0x50, ...vec([[0x01, 0x50, 0x00]])]]))), 'invalid leading byte (0x50)'],
      [comp(section(3, vec([[0x50, ...vec([[0x02, 0x10, 0x00, 0x00, 0x00]])]]))), 'for outer alias target'],
    ];
    for (const [bytes, msg] of cases) expect(decodeError(bytes).message).toContain(msg);
  });

  it('rejects bad names', () => {
    expect(decodeError(comp(section(0, [0x02, 0xc3, 0x28]))).message).toContain('malformed UTF-8 encoding');
    expect(decodeError(comp(section(10, vec([[0x00, 0x40, 0x61]])))).message).toContain('unexpected end-of-file');
  });

  it('checks the framing of embedded core modules and nested components', () => {
    const emptyModule = section(1, CORE_PREAMBLE);
    expect(decodeComponent(comp(emptyModule)).definitions[0]).toMatchObject({ kind: 'core-module', offset: 10 });
    expect(decodeError(comp(section(1, PREAMBLE))).message).toContain('expected a version header for a module');
    const outOfOrder = section(1, [...CORE_PREAMBLE, ...section(3, [0x00]), ...section(1, [0x00])]);
    expect(decodeError(comp(outOfOrder)).message).toContain('section out of order');
    expect(decodeError(comp(section(1, [...CORE_PREAMBLE, 0x01, 0x05, 0x00]))).message).toContain(
      'unexpected end-of-file',
    );
    expect(decodeError(comp(section(4, CORE_PREAMBLE))).message).toContain('expected a version header for a component');
    expect(decodeComponent(comp(section(4, PREAMBLE))).definitions[0]).toEqual({
      kind: 'component',
      component: { definitions: [], offsets: [], customs: [] },
    });
  });

  it('limits nesting depth instead of overflowing the stack', () => {
    let inner: Bytes = PREAMBLE;
    for (let i = 0; i < 500; i++) inner = [...PREAMBLE, ...section(4, inner)];
    expect(decodeError(new Uint8Array(inner)).message).toContain('nesting too deep');
    let ty: Bytes = [0x42, 0x00];
    for (let i = 0; i < 500; i++) ty = [0x42, ...vec([[0x01, ...ty]])];
    expect(decodeError(comp(section(7, vec([ty])))).message).toContain('nesting too deep');
  });
});
