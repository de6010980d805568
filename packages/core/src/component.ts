// The public entry point: Component.compile(bytes) → component.instantiate(imports).

import { decodeComponent } from './binary/index.ts';
import type { ComponentIR, Definition } from './binary/ir.ts';
import { ValidationError, WeftError } from './host/errors.ts';
import { STORE, Store } from './runtime/store.ts';
import { hostExports } from './link/host-exports.ts';
import { instantiateComponent } from './link/instantiate.ts';
import { createGuard, DEADLINE_CONTROL } from './link/guard.ts';
import { Reset, RESET } from './link/reset.ts';
import type { ResourceLimits } from './instrument/limits.ts';
import { coreModuleDefs, matchModules, preparedModule, stripCoreCode } from './prebuilt.ts';
import { LinkPlan } from './link/plan.ts';
import { COMPONENT_DEF, type ComponentDef } from './link/runtime.ts';
import { elaborate } from './types/elaborate.ts';
import type { ElaboratedComponent } from './types/elaborated.ts';
import type { ComponentType } from './types/model.ts';

export interface Instance {
  /** Exports by name; top-level funcs also under their camelCase name. */
  readonly exports: Record<string, any>;
}

export interface InstantiateOptions {
  /** Name used in trap and link messages. */
  name?: string;
  /**
   * Let host functions that the guest calls synchronously return Promises:
   * the guest waits (suspended with JSPI) and the export it was called from
   * returns a Promise. Needed for WASI 0.2 hosts whose blocking calls are
   * async in JS (stdin). Costs JSPI entry on every export call of the instance.
   * Carried by this instantiation's store: it never reaches another.
   */
  hostImportsMaySuspend?: boolean;
  /**
   * Use JSPI (`WebAssembly.Suspending` / `promising`) where the engine has it
   * (default). `false` builds this instantiation as on an engine without JSPI:
   * callback-ABI components work, an actual block of a core stack traps.
   */
  jspi?: boolean;
  /**
   * Most live handles (resources, waitables, stream and future ends) one
   * instance may hold; past it the guest traps "handle table is full".
   * Default 2^20; the spec's own limit is 2^28 - 1.
   */
  maxHandles?: number;
  /**
   * Most component and core instances this instantiation may create, nested
   * ones included (default 10 000, Wasmtime's default). Past it, a LinkError.
   */
  maxInstances?: number;
  /**
   * Most host bytes one lift may create: a call's results or parameters, or
   * one stream/future copy out of a guest (also between two guests). Every
   * list, map and string lifted counts, aliases of one buffer each time: a
   * `list<u8>` or `string` its bytes, other lists and maps an estimate of
   * their JS values. Past it the guest traps "lifted values exceed the limit
   * of N bytes (instantiate option maxLiftBytes)". Default 2^28 (256 MiB, the
   * spec's largest list).
   */
  maxLiftBytes?: number;
  /**
   * The fuel budget of this instantiation (all its core instances together),
   * for a component compiled with `{ fuel: true }`; default unlimited (2^63 - 1).
   * Every function entry and loop iteration costs 1; when it runs out the
   * guest traps "fuel exhausted" and its instance is poisoned.
   */
  fuel?: bigint | number;
  /**
   * Milliseconds after instantiation when guest code of this instantiation
   * stops with the trap "deadline exceeded" (at its next function entry or loop
   * iteration, even in a tight loop: a watchdog worker sets a shared flag).
   * Needs a component compiled with `{ interruptible: true }`.
   */
  timeout?: number;
  /**
   * Aborting stops guest code of this instantiation with the trap
   * "interrupted" at its next function entry or loop iteration. Needs a
   * component compiled with `{ interruptible: true }`. (Abort runs on the
   * host's thread, so it reaches a guest that returns to the event loop; a
   * tight loop is stopped by `timeout`.)
   */
  signal?: AbortSignal;
  /**
   * Time slicing (needs a component compiled with `{ interruptible: true }`
   * and JSPI; without JSPI it is ignored). Every call into the instance runs
   * on a JSPI stack, and a guest that keeps the JS thread for more than about
   * 4 ms without returning to the event loop (a long or endless loop) pauses
   * at a loop header for one macrotask turn, so host timers, I/O and other
   * instances run meanwhile (and `signal`, or `setDeadline`, reach it on the
   * host's timers). The guest cannot tell. A sync-typed export that paused
   * returns a Promise of its result. Costs a JSPI entry per export call.
   */
  timeSlice?: boolean;
  /**
   * Compile each function's lifting and lowering to JavaScript once, with `new Function`
   * (default true). Where the engine refuses code generation (a Content-Security-Policy
   * without 'unsafe-eval', Cloudflare's workerd) the same steps run as closures, as they
   * do with `false`.
   */
  codegen?: boolean;
  /**
   * For a component compiled `resettable`: `false` keeps no copy of the state instantiation
   * left (a memory's bytes), so `resetInstance` returns false for this instance. Default true.
   */
  resettable?: boolean;
}

export interface CompileOptions {
  /**
   * Accept the `cancellable` flag of waitable-set.wait/poll and the thread
   * built-ins, which component-model #716 (September 2026) removed: the byte
   * must now be 0, and a 1 is a DecodeError unless this is set. For binaries
   * made before #716 (the spec's own August 2026 tests are such).
   */
  legacyCancellable?: boolean;
  /**
   * Instrument every core module for fuel: a check at each loop header and at
   * the entry of each function that makes a tail call (as Wasmtime's
   * `consume_fuel`), so that `instantiate`'s `fuel` option bounds the work a
   * guest does. Costs run time; off by default, and then nothing is rewritten.
   */
  fuel?: boolean;
  /**
   * Instrument every core module with an interrupt check at the same places
   * (as Wasmtime's epoch interruption): enables `instantiate`'s `timeout` and
   * `signal` options. Off by default.
   */
  interruptible?: boolean;
  /**
   * Let an instance go back to the state its instantiation left it in (`resetInstance`): a
   * server that replaces instances after so many requests resets them instead, at the cost
   * of a memory copy rather than a new instantiation. Every core module is rewritten to
   * export its memories, mutable globals and tables, and each instantiation keeps a copy of
   * them. Off by default.
   */
  resettable?: boolean;
  /**
   * Most 64 KiB pages any one memory of the component may have (as Wasmtime's
   * ResourceLimiter): `memory.grow` past it fails (-1), and a module that needs
   * more from the start is a ValidationError naming the limit. Default: none
   * beyond the engine's.
   */
  maxMemoryPages?: number;
  /** Most elements any one table may have; `table.grow` past it fails (-1). Default: none. */
  maxTableElements?: number;
  /** How deeply value types may nest (default 100): deeper is a ValidationError naming the limit. */
  maxTypeDepth?: number;
  /** Most definitions one component may have (default 1,000,000): more is a DecodeError naming the limit. */
  maxDefinitions?: number;
}

export class Component {
  readonly #def: ComponentDef;
  readonly #instrumented: Instrumented;

  private constructor(def: ComponentDef, instrumented: Instrumented) {
    this.#def = def;
    this.#instrumented = instrumented;
    Object.defineProperty(this, COMPONENT_DEF, { value: def });
  }

  /** Decodes, validates and compiles a component binary. Throws DecodeError or ValidationError. */
  static async compile(
    bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
    options: CompileOptions = {},
  ): Promise<Component> {
    const u8 = toBytes(bytes);
    positiveLimit(options.maxDefinitions, 'maxDefinitions');
    const ir = decodeComponent(u8, options);
    // Start compiling every core module first: V8 compiles off the main thread
    // while we elaborate, and compile's validation replaces WebAssembly.validate.
    const modules = new Map<Definition, WebAssembly.Module>();
    const instrumented = instrumentedBy(options);
    const compiled = compileModules(ir, modules, instrumented, {
      maxMemoryPages: positiveLimit(options.maxMemoryPages, 'maxMemoryPages'),
      maxTableElements: positiveLimit(options.maxTableElements, 'maxTableElements'),
    });
    let elab: ElaboratedComponent;
    try {
      elab = elaborate(ir, undefined, {
        coreModulesValidatedByCaller: true,
        maxTypeDepth: positiveLimit(options.maxTypeDepth, 'maxTypeDepth'),
      });
    } catch (e) {
      // An invalid core module explains more than what elaborating it led to.
      await compiled;
      throw e;
    }
    await compiled;
    return new Component({ elab, modules, plan: new LinkPlan() }, instrumented);
  }

  /**
   * A component from its binary and its core modules compiled already (`WebAssembly.Module`s, in
   * the order `Component.coreModules` returns them): no `WebAssembly.compile` and no eval, for
   * hosts that forbid code generation from bytes (Cloudflare's workerd, where a `.wasm` import
   * is a Module; a strict Content-Security-Policy) and for bundles (`weft bundle`). The binary
   * is decoded and validated as by `compile`; the modules must be those of
   * `Component.coreModules(bytes, options)` with the same `fuel` / `interruptible` /
   * `resettable` (and resource limit) options. A wrong count, or a module whose imports or
   * exports (names, kinds, order) are not those the binary declares for its place, is a
   * ValidationError saying which; anything but a Module is a TypeError. Synchronous.
   */
  static fromModules(
    bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
    modules: readonly WebAssembly.Module[],
    options: CompileOptions = {},
  ): Component {
    const u8 = toBytes(bytes);
    positiveLimit(options.maxDefinitions, 'maxDefinitions');
    const ir = decodeComponent(u8, options);
    const instrumented = instrumentedBy(options);
    const map = matchModules(ir, modules, instrumented);
    const elab = elaborate(ir, undefined, {
      coreModulesValidatedByCaller: true,
      maxTypeDepth: positiveLimit(options.maxTypeDepth, 'maxTypeDepth'),
    });
    return new Component({ elab, modules: map, plan: new LinkPlan() }, instrumented);
  }

  /**
   * The bytes of every core module of a component binary (nested components' in place, depth
   * first: the order `fromModules` takes them), as `compile` would compile them with these
   * options: memory and table limits applied, instrumented for `fuel` / `interruptible` /
   * `resettable` (otherwise the module's own bytes, unchanged). What a bundler writes out as
   * `.wasm` files. Each is validated (`WebAssembly.validate`); the component itself is only
   * decoded. Throws DecodeError, or ValidationError for a core module that is not valid.
   */
  static coreModules(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options: CompileOptions = {}): Uint8Array[] {
    const u8 = toBytes(bytes);
    positiveLimit(options.maxDefinitions, 'maxDefinitions');
    const ir = decodeComponent(u8, options);
    const instrumented = instrumentedBy(options);
    const limits = {
      maxMemoryPages: positiveLimit(options.maxMemoryPages, 'maxMemoryPages'),
      maxTableElements: positiveLimit(options.maxTableElements, 'maxTableElements'),
    };
    return coreModuleDefs(ir).map((d) => {
      const m = preparedModule(d, instrumented, limits);
      if (!WebAssembly.validate(m as Uint8Array<ArrayBuffer>))
        throw new ValidationError(`invalid core module at offset ${d.offset}: WebAssembly.validate rejected it`);
      return m;
    });
  }

  /**
   * The component binary with every core module (nested components' too) cut down to the
   * sections type checking reads (type, import, function, table, memory, global, tag, export):
   * code, data, element, start and custom sections go. Not a component `compile` accepts;
   * enough for `fromModules`, which is given the compiled modules. What a bundle embeds (a
   * 1.7 MB componentize-qjs guest keeps 78 KB). Throws DecodeError on a malformed section
   * structure; the rest is checked when `fromModules` decodes it.
   */
  static stripCoreCode(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
    return stripCoreCode(toBytes(bytes));
  }

  /** The component's type: its imports and exports. */
  get type(): ComponentType {
    return this.#def.elab.type;
  }

  async instantiate(imports: Record<string, unknown> = {}, options: InstantiateOptions = {}): Promise<Instance> {
    return this.instantiateSync(imports, options);
  }

  /** Synchronous instantiation (all core modules are compiled already). */
  instantiateSync(imports: Record<string, unknown> = {}, options: InstantiateOptions = {}): Instance {
    if (imports === null || typeof imports !== 'object') throw new TypeError('imports must be an object');
    const name = options.name ?? this.#def.elab.ir.names?.component ?? 'root';
    // Each top-level instantiation has its own store (definitions.py inst.store, Wasmtime's Store).
    const store = new Store({
      jspi: options.jspi,
      hostImportsMaySuspend: options.hostImportsMaySuspend,
      maxInstances: options.maxInstances,
      maxLiftBytes: options.maxLiftBytes,
      timeSlice: options.timeSlice,
      codegen: options.codegen,
    });
    const guard = createGuard(this.#instrumented, options, store);
    if (this.#instrumented.resettable && options.resettable !== false)
      store.parts = { instances: [], cores: [], definesResources: false };
    const inst = instantiateComponent(
      this.#def,
      { kind: 'host', imports },
      name,
      undefined,
      options.maxHandles,
      store,
      guard?.imports,
    );
    const instance: Instance = { exports: hostExports(inst, this.#def.plan) };
    Object.defineProperty(instance, STORE, { value: store });
    if (guard?.deadline) Object.defineProperty(instance, DEADLINE_CONTROL, { value: guard.deadline });
    if (store.parts !== undefined) {
      Object.defineProperty(instance, RESET, { value: new Reset(store, store.parts, guard?.imports, this.#def.plan) });
      store.parts = undefined;
    }
    return instance;
  }
}

/** How a component's core modules are rewritten (instrument/index.ts). */
type Instrumented = { fuel: boolean; interruptible: boolean; resettable: boolean };

function instrumentedBy(o: CompileOptions): Instrumented {
  return { fuel: o.fuel === true, interruptible: o.interruptible === true, resettable: o.resettable === true };
}

function toBytes(b: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  throw new TypeError('a component binary must be a Uint8Array or ArrayBuffer');
}

/** Compiles every core module of `ir` and its nested components; rejects with the first failure. */
function positiveLimit(v: number | undefined, name: string): number | undefined {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff))
    throw new RangeError(`${name} must be an integer from 0 to 2^32 - 1`);
  return v;
}

async function compileModules(
  ir: ComponentIR,
  out: Map<Definition, WebAssembly.Module>,
  instrumented: Instrumented,
  limits: ResourceLimits,
): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (const d of coreModuleDefs(ir)) {
    let bytes: Uint8Array;
    try {
      bytes = preparedModule(d, instrumented, limits);
    } catch (e) {
      // An invalid module is left for WebAssembly.compile to explain.
      if (!(e instanceof ValidationError) || WebAssembly.validate(d.module as Uint8Array<ArrayBuffer>)) throw e;
      bytes = d.module;
    }
    jobs.push(
      WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).then(
        (m) => void out.set(d, m),
        (err: Error) => {
          throw new ValidationError(`invalid core module at offset ${d.offset}: ${err.message}`);
        },
      ),
    );
  }
  const results = await Promise.allSettled(jobs);
  for (const r of results)
    if (r.status === 'rejected') throw r.reason instanceof WeftError ? r.reason : new ValidationError(String(r.reason));
}
