// The public entry point: Component.compile(bytes) → component.instantiate(imports).

import { decodeComponent } from './binary/index.ts';
import type { ComponentIR, Definition } from './binary/ir.ts';
import { ValidationError, WeftError } from './host/errors.ts';
import { hostExports } from './link/host-exports.ts';
import { instantiateComponent } from './link/instantiate.ts';
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
}

export class Component {
  readonly #def: ComponentDef;

  private constructor(def: ComponentDef) {
    this.#def = def;
    Object.defineProperty(this, COMPONENT_DEF, { value: def });
  }

  /** Decodes, validates and compiles a component binary. Throws DecodeError or ValidationError. */
  static async compile(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Promise<Component> {
    const u8 = toBytes(bytes);
    const ir = decodeComponent(u8);
    const elab = elaborate(ir);
    const modules = new Map<Definition, WebAssembly.Module>();
    await compileModules(elab, modules);
    return new Component({ elab, modules });
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
    const inst = instantiateComponent(this.#def, { kind: 'host', imports }, name);
    return { exports: hostExports(inst) };
  }
}

function toBytes(b: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  throw new TypeError('Component.compile expects a Uint8Array or ArrayBuffer');
}

async function compileModules(elab: ElaboratedComponent, out: Map<Definition, WebAssembly.Module>): Promise<void> {
  const jobs: Promise<void>[] = [];
  const walk = (e: ElaboratedComponent) => {
    collect(e.ir, (d) => {
      jobs.push(
        WebAssembly.compile(d.module as Uint8Array<ArrayBuffer>).then(
          (m) => void out.set(d, m),
          (err: Error) => {
            throw new ValidationError(`invalid core module at offset ${d.offset}: ${err.message}`);
          },
        ),
      );
    });
    for (const n of e.nested.values()) walk(n);
  };
  walk(elab);
  const results = await Promise.allSettled(jobs);
  for (const r of results)
    if (r.status === 'rejected') throw r.reason instanceof WeftError ? r.reason : new ValidationError(String(r.reason));
}

function collect(ir: ComponentIR, f: (d: Extract<Definition, { kind: 'core-module' }>) => void): void {
  for (const d of ir.definitions) if (d.kind === 'core-module') f(d);
}
