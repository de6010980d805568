// Validation as elaboration: one in-order walk over a component's definitions
// that rebuilds every index space with resolved static types (model.ts) and
// rejects invalid components with a ValidationError naming the definition.

import type { ComponentIR, Definition } from '../binary/ir.ts';
import type { ElaboratedComponent } from './elaborated.ts';
import type { ComponentType, ResourceType } from './model.ts';
import { Scope } from './scope.ts';
import { coreDefType, valType } from './deftypes.ts';
import { checkExtern } from './subtype.ts';
import { coreModuleType } from './core-module-types.ts';
import { canonDefinition } from './canon.ts';
import { defType, pushType } from './type-decls.ts';
import { consumeValue, exportDefinition, importOrExportDecl } from './externs.ts';
import { instanceExpr } from './instances.ts';
import { coreInstance } from './core-instances.ts';
import { alias } from './aliases.ts';
import { concreteExportedResources } from './exported-resources.ts';
import { duringWalk } from './type-memo.ts';

export { Scope };

export interface ElaborateOptions {
  /**
   * Skip WebAssembly.validate of core modules because the caller validates
   * them itself (Component.compile compiles every module anyway; validating a
   * large module twice, synchronously, was most of compile's time).
   */
  coreModulesValidatedByCaller?: boolean;
  /** How deeply value types may nest (default MAX_TYPE_DEPTH, 100). */
  maxTypeDepth?: number;
}

/**
 * Validates `ir` and returns its elaborated index spaces. `outer` is the
 * enclosing scope for a nested component (outer aliases resolve through it).
 */
export function elaborate(ir: ComponentIR, outer?: Scope, options: ElaborateOptions = {}): ElaboratedComponent {
  return duringWalk(() => elaborateIn(ir, outer, options));
}

function elaborateIn(ir: ComponentIR, outer: Scope | undefined, options: ElaborateOptions): ElaboratedComponent {
  const s: Scope = new Scope('component', outer);
  if (options.maxTypeDepth !== undefined) s.maxTypeDepth = options.maxTypeDepth;
  const nested = new Map<number, ElaboratedComponent>();
  const definedResources = new Map<number, ResourceType>();
  const importedResources = new Map<number, ResourceType>();
  const ctx: DefCtx = { nested, definedResources, importedResources, options };
  for (let i = 0; i < ir.definitions.length; i++) {
    s.atDefinition(i, ir.offsets[i]);
    definition(s, ir.definitions[i]!, i, ctx);
  }
  s.where = 'end of component';
  for (let i = 0; i < s.valueConsumed.length; i++) {
    if (!s.valueConsumed[i]) s.fail(`value ${i} is not consumed exactly once`);
  }
  const type: ComponentType = {
    kind: 'component',
    imports: s.imports,
    exports: s.exports,
    importedResources: s.importedResources,
    exportedResources: concreteExportedResources(s),
  };
  return {
    ir,
    type,
    types: s.types,
    funcs: s.funcs,
    values: s.values,
    instances: s.instances,
    components: s.components,
    coreFuncs: s.coreFuncs,
    coreModules: s.coreModules,
    coreInstances: s.coreInstances,
    coreTypes: s.coreTypes,
    coreTables: s.coreTables,
    coreMemories: s.coreMemories,
    coreGlobals: s.coreGlobals,
    coreTags: s.coreTags,
    nested,
    definedResources,
    importedResources,
  };
}

interface DefCtx {
  nested: Map<number, ElaboratedComponent>;
  definedResources: Map<number, ResourceType>;
  importedResources: Map<number, ResourceType>;
  options: ElaborateOptions;
}

function definition(s: Scope, d: Definition, i: number, ctx: DefCtx): void {
  switch (d.kind) {
    case 'core-module': {
      if (!ctx.options.coreModulesValidatedByCaller && !WebAssembly.validate(d.module as Uint8Array<ArrayBuffer>))
        s.fail('invalid core module: WebAssembly.validate rejected it');
      try {
        s.coreModules.push(coreModuleType(d.module));
      } catch (e) {
        s.fail(`cannot read core module types: ${(e as Error).message}`);
      }
      return;
    }
    case 'core-instance':
      s.coreInstances.push(coreInstance(s, d.instance));
      return;
    case 'core-type':
      s.coreTypes.push(coreDefType(s, d.type));
      return;
    case 'component': {
      const saved = s.where;
      const el = elaborateIn(d.component, s, ctx.options);
      s.where = saved;
      ctx.nested.set(i, el);
      s.components.push(el.type);
      return;
    }
    case 'instance': {
      s.instances.push(instanceExpr(s, d.instance));
      s.instanceNaming.push(undefined);
      return;
    }
    case 'alias':
      alias(s, d.alias);
      return;
    case 'type': {
      if (d.type.kind === 'resource') {
        if (s.kind !== 'component') s.fail('resources can only be defined within a concrete component');
        if (d.type.rep !== 'i32') s.fail('resources can only be represented by `i32`');
        const r: ResourceType = { kind: 'resource', name: '', rep: 'i32', hasDtor: d.type.dtor !== undefined };
        if (d.type.dtor !== undefined) {
          const f = s.at(s.coreFuncs, d.type.dtor, 'function');
          if (f.params.length !== 1 || f.params[0] !== 'i32' || f.results.length !== 0) {
            s.fail('wrong signature for a destructor: expected [i32] -> []');
          }
        }
        s.localResources.add(r);
        ctx.definedResources.set(i, r);
        s.types.push(r);
        s.typeTokens.push(undefined);
        return;
      }
      pushType(s, defType(s, d.type), undefined);
      return;
    }
    case 'canon':
      canonDefinition(s, d.canon);
      return;
    case 'start': {
      const f = s.at(s.funcs, d.func, 'function');
      if (f.params.length !== d.args.length)
        s.fail(`start function expects ${f.params.length} arguments, found ${d.args.length}`);
      d.args.forEach((a, k) => {
        const v = consumeValue(s, a);
        const e = checkExtern({ kind: 'value', type: v }, { kind: 'value', type: f.params[k]!.type });
        if (e) s.fail(`type mismatch in start function argument ${k}: ${e}`);
      });
      const n = f.result ? 1 : 0;
      if (d.results !== n) s.fail(`start function returns ${n} results, but ${d.results} were declared`);
      if (f.result) {
        s.values.push(f.result);
        s.valueConsumed.push(false);
      }
      return;
    }
    case 'import': {
      const { ext, resource } = importOrExportDecl(s, d.name, d.type, 'import');
      if (resource) ctx.importedResources.set(i, resource);
      void ext;
      return;
    }
    case 'export':
      exportDefinition(s, d.name, d.sortIdx, d.type);
      return;
    case 'value': {
      const t = valType(s, d.type);
      s.values.push(t);
      s.valueConsumed.push(false);
      return;
    }
  }
}
