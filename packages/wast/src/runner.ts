// Runs .wast scripts against @weft/core. A file stops at its first failing
// directive, since later ones usually depend on the state built before it.

import { readFile } from 'node:fs/promises';
import { type Component, type ComponentType, camelCase, type FuncType, type ValType } from '@weft/core';
import { assembleComponentForm, assembleText, cleanAssemblerError } from './assemble.ts';
import { ConvertError, diff, show, toJs } from './convert.ts';
import { type Directive, type Invoke, type ModuleDef, parseDirective } from './directives.ts';
import { type SNode, head, readAll } from './sexpr.ts';
import { showValue } from './values.ts';

export interface WastFailure {
  /** The directive's keyword, e.g. `assert_return`. */
  directive: string;
  /** 1-based line of the directive. */
  line: number;
  reason: string;
}

export interface WastResult {
  file: string;
  passed: boolean;
  failure?: WastFailure;
  /** Directives run (including a failing one). */
  directives: number;
}

export interface WastOptions {
  /** Per-directive timeout in ms (default 10 000). */
  timeoutMs?: number;
  /**
   * Compile components with `legacyCancellable` (core's CompileOptions): for
   * scripts written before component-model #716 removed the `cancellable` flag.
   */
  legacyCancellable?: boolean;
  /** Instantiate with core's `codegen` (default: core's default, on); false runs the closure paths. */
  codegen?: boolean;
  /**
   * Bundle mode, as `weft bundle` output loads a component: its core modules compiled on their
   * own (`Component.coreModules`), the binary stripped of their code, `Component.fromModules`,
   * and no code generation (`codegen: false`).
   */
  bundle?: boolean;
}

const TYPE = Symbol.for('weft.type');

type CoreApi = typeof import('@weft/core');
let coreApi: CoreApi | undefined;
async function core(): Promise<CoreApi> {
  coreApi ??= await import('@weft/core');
  return coreApi;
}

type Compiled =
  | {
      kind: 'component';
      component: Component;
    }
  | { kind: 'core'; module: WebAssembly.Module };

type Live =
  | { kind: 'component'; exports: Record<string, any>; type: ComponentType }
  | { kind: 'core'; exports: WebAssembly.Exports };

/** Lower-case letters and digits only: the assembler words `invalid string escape` as `InvalidStringEscape`. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Thrown to fail a directive with a reason. */
class Fail extends Error {}

class Timeout extends Error {}

export async function runWastFile(path: string, options?: WastOptions): Promise<WastResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return {
      file: path,
      passed: false,
      failure: { directive: 'read', line: 0, reason: (e as Error).message },
      directives: 0,
    };
  }
  return runWast(text, path, options);
}

export async function runWast(text: string, name = '<wast>', options: WastOptions = {}): Promise<WastResult> {
  let forms: SNode[];
  try {
    forms = readAll(text);
  } catch (e) {
    const line = (e as { line?: number }).line ?? 0;
    return {
      file: name,
      passed: false,
      failure: { directive: 'parse', line, reason: (e as Error).message },
      directives: 0,
    };
  }
  const runner = new Runner(
    text,
    options.timeoutMs ?? 10_000,
    { legacyCancellable: options.legacyCancellable === true },
    { codegen: options.bundle ? false : options.codegen, bundle: options.bundle === true },
  );
  let count = 0;
  for (const form of forms) {
    count++;
    const directive = (form.kind === 'list' && head(form)) || 'form';
    try {
      await runner.run(form);
    } catch (e) {
      const reason =
        e instanceof Fail || e instanceof Timeout
          ? e.message
          : `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
      return { file: name, passed: false, failure: { directive, line: form.line, reason }, directives: count };
    }
  }
  return { file: name, passed: true, directives: count };
}

function isComponentError(e: unknown): e is { payload: unknown } {
  return e instanceof Error && e.name === 'ComponentError' && 'payload' in e;
}

// wasmtime's trap texts that V8 words differently.
const TRAP_ALIASES: Record<string, string[]> = {
  'wasm `unreachable` instruction executed': ['unreachable'],
  'out of bounds memory access': ['memory access out of bounds'],
  'integer divide by zero': ['divide by zero'],
  'integer overflow': ['divide result unrepresentable', 'float unrepresentable'],
  'indirect call type mismatch': ['function signature mismatch', 'null function'],
  'undefined element': ['table index is out of bounds'],
  'call stack exhausted': ['Maximum call stack size exceeded'],
};

export function trapMatches(message: string, expected: string): boolean {
  const e = expected.replace(/^wasm trap: /, '');
  if (message.includes(e)) return true;
  return (TRAP_ALIASES[e] ?? []).some((a) => message.includes(a));
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

class Runner {
  readonly src: string;
  readonly timeoutMs: number;
  readonly definitions = new Map<string, Compiled>();
  readonly instances = new Map<string, Live>();
  readonly registered: Record<string, unknown> = {};
  current: Live | undefined;
  readonly compileOptions: { legacyCancellable: boolean };
  readonly instantiateOptions: { codegen?: boolean; bundle?: boolean };

  constructor(
    src: string,
    timeoutMs: number,
    compileOptions: { legacyCancellable: boolean },
    instantiateOptions: { codegen?: boolean; bundle?: boolean } = {},
  ) {
    this.src = src;
    this.timeoutMs = timeoutMs;
    this.compileOptions = compileOptions;
    this.instantiateOptions = instantiateOptions;
  }

  /** Races `p` against the directive timeout. */
  async timed<T>(p: Promise<T> | T, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`${what} timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve(p), t]);
    } finally {
      clearTimeout(timer);
    }
  }

  async run(form: SNode): Promise<void> {
    const d = parseDirective(form);
    switch (d.kind) {
      case 'module': {
        const c = await this.compile(d.def);
        if (d.def.definition) {
          if (d.def.id) this.definitions.set(d.def.id, c);
          return;
        }
        const live = await this.instantiate(c);
        if (d.def.id) {
          this.definitions.set(d.def.id, c);
          this.instances.set(d.def.id, live);
        }
        this.current = live;
        return;
      }
      case 'instance': {
        const c = this.definitions.get(d.of);
        if (!c) throw new Fail(`unknown component definition ${d.of}`);
        const live = await this.instantiate(c);
        if (d.id) this.instances.set(d.id, live);
        this.current = live;
        return;
      }
      case 'register': {
        const inst = this.instance(d.instance);
        this.registered[d.name] = inst.exports;
        return;
      }
      case 'action':
        await this.invoke(d.action);
        return;
      case 'assert_return':
        return this.assertReturn(d);
      case 'assert_trap':
      case 'assert_exhaustion':
        return this.assertTrap(d);
      case 'assert_invalid':
      case 'assert_malformed': {
        // Only Weft's own verdict counts: a DecodeError or ValidationError (a
        // CompileError for core modules). Text the assembler rejects counts
        // only when its message is the one the test expects.
        let bytes: Uint8Array;
        try {
          bytes = await this.bytesOf(d.module);
        } catch (e) {
          if (e instanceof Fail && squash(e.message).includes(squash(d.message))) return;
          throw e;
        }
        try {
          if (d.module.source.core) await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
          else await this.compileComponent(bytes);
        } catch (e) {
          const { DecodeError, ValidationError } = await core();
          if (e instanceof DecodeError || e instanceof ValidationError || e instanceof WebAssembly.CompileError) return;
          throw new Fail(
            `expected a DecodeError or ValidationError, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
          );
        }
        throw new Fail(
          `expected ${d.kind === 'assert_invalid' ? 'an invalid' : 'a malformed'} component ("${d.message}"), but it compiled`,
        );
      }
      case 'assert_unlinkable': {
        const c = await this.compile(d.module);
        try {
          await this.instantiate(c);
        } catch (e) {
          const { LinkError } = await core();
          if (e instanceof LinkError || e instanceof WebAssembly.LinkError) return;
          throw new Fail(`expected a LinkError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
        }
        throw new Fail(`expected link failure ("${d.message}"), but it instantiated`);
      }
    }
  }

  async bytesOf(def: ModuleDef): Promise<Uint8Array> {
    const s = def.source;
    try {
      if (s.kind === 'binary') return s.bytes;
      if (s.kind === 'quote') return await assembleText(`(${s.core ? 'module' : 'component'} ${s.text})`);
      if (s.core) return await assembleText(this.src.slice(s.form.start, s.form.end));
      return await assembleComponentForm(this.src, s.form, s.cut?.[0], s.cut?.[1]);
    } catch (e) {
      throw new Fail(`text assembler: ${cleanAssemblerError(e)}`);
    }
  }

  async compile(def: ModuleDef): Promise<Compiled> {
    const bytes = await this.bytesOf(def);
    if (def.source.core) {
      return {
        kind: 'core',
        module: await this.timed(WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), 'compile'),
      };
    }
    return { kind: 'component', component: await this.timed(this.compileComponent(bytes), 'compile') };
  }

  /** Component.compile, or in bundle mode what a `weft bundle` output does at load. */
  async compileComponent(bytes: Uint8Array): Promise<Component> {
    const { Component } = await core();
    if (!this.instantiateOptions.bundle) return Component.compile(bytes, this.compileOptions);
    const modules = await Promise.all(
      Component.coreModules(bytes, this.compileOptions).map((b) => WebAssembly.compile(b as Uint8Array<ArrayBuffer>)),
    );
    return Component.fromModules(Component.stripCoreCode(bytes), modules, this.compileOptions);
  }

  async instantiate(c: Compiled): Promise<Live> {
    if (c.kind === 'core') {
      const inst = await this.timed(
        WebAssembly.instantiate(c.module, this.registered as WebAssembly.Imports),
        'instantiate',
      );
      return { kind: 'core', exports: inst.exports };
    }
    const inst = await this.timed(
      c.component.instantiate({ ...this.registered }, { codegen: this.instantiateOptions.codegen }),
      'instantiate',
    );
    return { kind: 'component', exports: inst.exports, type: c.component.type };
  }

  instance(id?: string): Live {
    const inst = id ? this.instances.get(id) : this.current;
    if (!inst) throw new Fail(id ? `unknown instance ${id}` : 'no component instantiated yet');
    return inst;
  }

  /** Looks up the function and converts the arguments; the call itself is separate so errors are told apart. */
  prepare(a: Invoke): { call: () => unknown; type?: FuncType; resultType?: ValType } {
    const inst = this.instance(a.instance);
    const fn = inst.exports[a.name] ?? inst.exports[camelCase(a.name)];
    if (typeof fn !== 'function') throw new Fail(`no exported function "${a.name}"`);
    let type: FuncType | undefined = (fn as unknown as Record<symbol, FuncType | undefined>)[TYPE];
    if (!type && inst.kind === 'component') {
      const ext = inst.type.exports.get(a.name);
      if (ext?.kind === 'func') type = ext.type;
    }
    if (type && type.params.length !== a.args.length) {
      throw new Fail(`"${a.name}" takes ${type.params.length} arguments, ${a.args.length} given`);
    }
    let args: unknown[];
    try {
      args = a.args.map((v, i) => toJs(v, type?.params[i]?.type));
    } catch (e) {
      if (e instanceof ConvertError) throw new Fail(`argument does not fit "${a.name}": ${e.message}`);
      throw e;
    }
    return { call: () => (fn as (...xs: unknown[]) => unknown)(...args), type, resultType: type?.result };
  }

  async invoke(a: Invoke): Promise<unknown> {
    const p = this.prepare(a);
    return this.timed(Promise.resolve().then(p.call), `invoke "${a.name}"`);
  }

  async assertReturn(d: Extract<Directive, { kind: 'assert_return' }>): Promise<void> {
    const p = this.prepare(d.action);
    const expected = d.results[0];
    if (d.results.length > 1) throw new Fail('component functions return at most one value');
    const isResult = p.resultType ? p.resultType.kind === 'result' : expected?.kind === 'result';
    let actual: unknown;
    try {
      const v = await this.timed(Promise.resolve().then(p.call), `invoke "${d.action.name}"`);
      actual = isResult ? { tag: 'ok', val: v } : v;
    } catch (e) {
      if (isResult && isComponentError(e)) actual = { tag: 'err', val: e.payload };
      else if (e instanceof Timeout) throw e;
      else throw new Fail(`"${d.action.name}" failed: ${errorText(e)}`);
    }
    if (!expected) {
      if (actual !== undefined) throw new Fail(`expected no result, got ${show(actual)}`);
      return;
    }
    let want: unknown;
    try {
      want = toJs(expected, p.resultType);
    } catch (e) {
      if (e instanceof ConvertError)
        throw new Fail(`expected value ${showValue(expected)} does not fit the result type: ${e.message}`);
      throw e;
    }
    const why = diff(want, actual);
    if (why) throw new Fail(`"${d.action.name}" returned ${show(actual)}, expected ${showValue(expected)} (${why})`);
  }

  async assertTrap(d: Extract<Directive, { kind: 'assert_trap' | 'assert_exhaustion' }>): Promise<void> {
    let result: unknown;
    try {
      if ('args' in d.action) {
        const p = this.prepare(d.action);
        result = await this.timed(Promise.resolve().then(p.call), `invoke "${d.action.name}"`);
      } else {
        const c = await this.compile(d.action);
        await this.instantiate(c);
        result = undefined;
      }
    } catch (e) {
      if (e instanceof Fail || e instanceof Timeout) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (trapMatches(msg, d.message)) return;
      if (d.kind === 'assert_exhaustion' && e instanceof RangeError) return;
      throw new Fail(`expected trap "${d.message}", got ${errorText(e)}`);
    }
    throw new Fail(`expected trap "${d.message}", but it returned ${show(result)}`);
  }
}
